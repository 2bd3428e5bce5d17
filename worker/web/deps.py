"""Dependencies every route states in its signature: settings, database session, user, role.

    def page(session: SessionDep, user: CurrentUser) -> ...      # any logged-in user (viewer or operator)
    def action(session: SessionDep, user: OperatorUser) -> ...   # operators only: 403 for a viewer

``CurrentUser`` sends a visitor without a valid login to the login page (:class:`LoginRequired`, handled in
app.py); a login expires ``web_session_hours`` after it was made, and a user removed from the configuration
loses their session on the next request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from worker.settings import Settings
from worker.store.db import read_scope, session_scope
from worker.web.auth import Role, WebUser, configured_user, implicit_user, login_required

SESSION_USER = "user"
SESSION_LOGIN_AT = "login_at"


class LoginRequired(Exception):
    """The request needs a login; app.py answers with a redirect to the login page."""


def get_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_db(request: Request, settings: SettingsDep) -> Iterator[Session]:
    """A database session for the request. A GET or HEAD only reads (``read_scope``: on SQLite it neither
    waits for nor holds the write lock the workers store under); any other method commits when the route
    returns without an error."""
    scope = read_scope if request.method in ("GET", "HEAD") else session_scope
    with scope(settings) as session:
        yield session


# scope="function": the commit happens before the response leaves. With FastAPI's default ("request") it
# came after the response was sent, so a browser following an action's redirect could read the page before
# the action's commit (and a commit that failed had already been answered with success).
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def session_user(request: Request, settings: Settings) -> WebUser | None:
    """The user of the request, or None when a login is needed and there is no valid one."""
    if not login_required(settings):
        return implicit_user(settings)
    name = request.session.get(SESSION_USER)
    login_at = request.session.get(SESSION_LOGIN_AT)
    if not isinstance(name, str) or not isinstance(login_at, int | float):
        return None
    if time.time() - login_at > settings.web_session_hours * 3600:
        request.session.pop(SESSION_USER, None)
        request.session.pop(SESSION_LOGIN_AT, None)
        return None
    return configured_user(settings, name)


def get_current_user(request: Request, settings: SettingsDep) -> WebUser:
    """The logged-in user.

    Raises:
        LoginRequired: No valid login.
    """
    user = session_user(request, settings)
    if user is None:
        raise LoginRequired()
    return user


CurrentUser = Annotated[WebUser, Depends(get_current_user)]


def require_role(role: Role) -> Callable[[WebUser], WebUser]:
    """A dependency that lets only users whose role allows ``role`` through (403 for the others)."""

    def dependency(user: CurrentUser) -> WebUser:
        if not user.role.allows(role):
            raise HTTPException(status_code=403, detail=f"此操作需要“{role.label}”权限。")
        return user

    return dependency


OperatorUser = Annotated[WebUser, Depends(require_role(Role.OPERATOR))]
