"""Login and logout (both written to the audit log); without configured users there is nothing to log in to."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from worker.store.web_models import AuditAction, AuditOutcome
from worker.web.audit import record_action
from worker.web.auth import authenticate, login_required
from worker.web.csrf import rotate_csrf_token
from worker.web.deps import SESSION_LOGIN_AT, SESSION_USER, CurrentUser, SessionDep, SettingsDep
from worker.web.pages import flash, render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only (no ``//host`` or ``\\`` tricks), else ``/``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, settings: SettingsDep, next: str | None = None) -> Response:
    """The login form (a redirect to the start page when no users are configured)."""
    if not login_required(settings):
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "name": ""}, user=None)


@router.post("/login")
def login_submit(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the credentials; on success start a new session, else show the form again (401)."""
    if not login_required(settings):
        return RedirectResponse("/", status_code=303)
    user = authenticate(settings, name, password)
    if user is None:
        record_action(session, request, user=name, action=AuditAction.LOGIN, outcome=AuditOutcome.REFUSED)
        context = {"next": safe_next(next), "error": "用户名或密码不正确。", "name": name}
        return render(request, "login.html", context, user=None, status_code=401)
    request.session.clear()  # no state carried over from before the login (session fixation)
    request.session[SESSION_USER] = user.name
    request.session[SESSION_LOGIN_AT] = int(time.time())
    rotate_csrf_token(request)
    record_action(session, request, user=user, action=AuditAction.LOGIN)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """End the session."""
    request.session.clear()
    rotate_csrf_token(request)
    if user.implicit:
        return RedirectResponse("/", status_code=303)
    record_action(session, request, user=user, action=AuditAction.LOGOUT)
    flash(request, "已退出登录。")
    return RedirectResponse("/login", status_code=303)
