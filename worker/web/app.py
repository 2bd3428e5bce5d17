"""The application factory: ``create_app(settings)`` wires middleware, error pages, static files, routes.

Middleware, outermost first: security headers on every response (CSP ``default-src 'self'``: the pages load
nothing from anywhere else), then the signed session cookie. The whole application depends on
:func:`~worker.web.csrf.verify_csrf`, so no POST route can forget it. One router per resource under
``routes/``; add a new one to :data:`ROUTERS`.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from worker.settings import Settings
from worker.web.auth import check_bind
from worker.web.csrf import verify_csrf
from worker.web.deps import LoginRequired, session_user
from worker.web.pages import STATIC_DIR, make_templates, render
from worker.web.routes import audit, bodies, health, login, ops, quarantine, reports, review, roster

ROUTERS = (
    roster.router,  # first: its /bodies/unmatched must not be taken for a /bodies/{identity} page
    health.router,
    login.router,
    reports.router,
    review.router,
    bodies.router,
    quarantine.router,
    ops.router,
    audit.router,
)
SESSION_COOKIE = "nianbao_session"
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
ERROR_TEXT = {
    400: "请求有误。",
    403: "没有权限执行此操作。",
    404: "页面不存在。",
    405: "不支持此请求方式。",
    422: "提交的内容不完整或格式有误。",
}


class SecurityHeaders:
    """Pure ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def session_secret(settings: Settings) -> str:
    """The key signing session cookies: ``web_secret_key``, else one kept in ``<data_dir>/web-secret.key``."""
    if settings.web_secret_key is not None:
        return settings.web_secret_key.get_secret_value()
    path = Path(settings.data_dir).resolve() / "web-secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="ascii") as fh:  # never overwrite one written concurrently
                path.chmod(0o600)
                fh.write(secrets.token_urlsafe(48))
        except FileExistsError:
            pass
    return path.read_text(encoding="ascii").strip()


def create_app(settings: Settings, *, address: str = "127.0.0.1") -> FastAPI:
    """The web application for ``settings``, to be served on ``address``.

    Raises:
        ConfigError: ``address`` is beyond loopback and no users are configured (see auth.py).
    """
    check_bind(settings, address)
    app = FastAPI(
        title="nianbao",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(verify_csrf)],
    )
    app.state.settings = settings
    app.state.templates = make_templates(settings.timezone)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=max(60, int(settings.web_session_hours * 3600)),
        same_site="lax",
        https_only=settings.web_cookie_secure,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _add_error_pages(app)
    return app


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_page(request, exc.status_code, exc.detail if exc.status_code in (403,) else None)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, _exc: RequestValidationError) -> Response:
        return _error_page(request, 422, None)


def _error_page(request: Request, status: int, detail: object) -> Response:
    message = detail if isinstance(detail, str) and detail else ERROR_TEXT.get(status, "出现错误。")
    user = session_user(request, request.app.state.settings) if "session" in request.scope else None
    return render(
        request, "error.html", {"status": status, "message": message}, user=user, status_code=status
    )
