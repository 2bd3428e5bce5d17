"""Rendering: the Jinja2 environment (autoescaping on, undefined names are errors) and :func:`render`.

Every template extends ``base.html`` and receives ``user`` (a :class:`~worker.web.auth.WebUser` or None),
``nav`` (the active navigation entry) and ``flashes`` (one-time messages, see :func:`flash`). Report content
is untrusted input (a body name may contain markup): never mark it ``|safe``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from worker.web.auth import WebUser
from worker.web.csrf import FORM_FIELD, csrf_token

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
_FLASH_KEY = "flash"


@cache
def _static_version(path: str) -> str:
    file = STATIC_DIR / path
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12] if file.is_file() else "0"


def static_url(path: str) -> str:
    """The URL of a file under static/, with a content hash so browsers never use a stale copy."""
    return f"/static/{path}?v={_static_version(path)}"


DEFAULT_TIME_ZONE = "Asia/Shanghai"
TIME_FORMAT = "%Y-%m-%d %H:%M"


def local_time(value: dt.datetime | None, zone: str = DEFAULT_TIME_ZONE, fmt: str = TIME_FORMAT) -> str:
    """A stored time as the pages show it: in the configured zone, ``2025-01-20 14:03`` (empty for None).

    Stored times are UTC; SQLite gives them back without a zone, so a naive time is read as UTC.
    """
    if value is None:
        return ""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(zone)).strftime(fmt)


def local_date(value: dt.datetime | None, zone: str = DEFAULT_TIME_ZONE) -> str:
    """The day of a stored time in the configured zone, ``2025-01-20`` (empty for None)."""
    return local_time(value, zone, "%Y-%m-%d")


def make_templates(time_zone: str = DEFAULT_TIME_ZONE) -> Jinja2Templates:
    """The template renderer of the application; times are shown in ``time_zone`` (filters ``localtime``,
    ``localdate``: the one place pages format a stored time)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    env.filters["localtime"] = lambda value: local_time(value, time_zone)
    env.filters["localdate"] = lambda value: local_date(value, time_zone)
    return Jinja2Templates(env=env)


def flash(request: Request, message: str) -> None:
    """A message shown once, on the next page rendered for this session."""
    request.session.setdefault(_FLASH_KEY, []).append(message)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    user: WebUser | None,
    nav: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``template`` with the common context (user, navigation, CSRF token, one-time messages)."""
    token = csrf_token(request)
    values: dict[str, Any] = {
        "user": user,
        "nav": nav,
        "csrf_token": token,
        "csrf_field": lambda: Markup('<input type="hidden" name="{}" value="{}">').format(FORM_FIELD, token),
        "flashes": request.session.pop(_FLASH_KEY, []),
        **(context or {}),
    }
    templates: Jinja2Templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, template, values, status_code=status_code)
    return response
