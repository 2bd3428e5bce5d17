"""Writing the audit log: every action taken through the web application is one ``audit`` row."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session

from worker.store.web_models import AuditAction, AuditEntry, AuditOutcome
from worker.web.auth import WebUser


def record_action(
    session: Session,
    request: Request,
    *,
    user: WebUser | str,
    action: AuditAction,
    outcome: AuditOutcome = AuditOutcome.OK,
    target: str | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Add one audit row to ``session`` (committed with the request's transaction).

    Args:
        session: The request's database session.
        request: The request (for the client address).
        user: The acting user, or the name typed at a refused login.
        action: What was done.
        outcome: Whether it was done.
        target: What it was done to, e.g. ``"quarantine:12"``.
        detail: Free text, e.g. the reason given.
    """
    entry = AuditEntry(
        user_name=user if isinstance(user, str) else user.name,
        role=None if isinstance(user, str) else user.role.value,
        action=action.value,
        outcome=outcome.value,
        target=target,
        detail=detail,
        client=request.client.host[:64] if request.client else None,
    )
    session.add(entry)
    session.flush()
    return entry
