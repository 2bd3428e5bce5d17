"""CSRF protection: a per-session token that every state-changing request must send back.

The token lives in the signed session cookie and is put into every page (``<meta name="csrf-token">``) and
every POST form (``{{ csrf_field() }}`` in a template). :func:`verify_csrf` is a dependency of the whole
application (app.py): a POST, PUT, PATCH or DELETE without the session's token, as form field
``csrf_token`` or header ``X-CSRF-Token``, is refused with 403 before its route runs.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def rotate_csrf_token(request: Request) -> str:
    """A fresh token (after login and logout, so a token seen before login is worthless after it)."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(request.session[SESSION_KEY])


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request that does not carry the session's CSRF token.

    Raises:
        HTTPException: 403 when the token is missing or wrong.
    """
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(SESSION_KEY)
    sent = request.headers.get(HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(FORM_FIELD)
            sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="请求缺少有效的防伪令牌（CSRF），请刷新页面后重试。")
