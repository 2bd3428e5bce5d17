"""The audit log as the operations page shows it: newest first, a page at a time (``audit``, revision 0005)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from worker.store.queries.views import Paging
from worker.store.web_models import AuditEntry


class AuditRow(BaseModel):
    """One action taken through the web application."""

    id: int
    at: dt.datetime
    user_name: str
    role: str | None
    action: str  # an AuditAction value
    outcome: str  # an AuditOutcome value
    target: str | None
    detail: str | None
    client: str | None


class AuditPage(Paging):
    """One page of the audit log and the number of entries."""

    items: list[AuditRow]


def audit_log(session: Session, *, page: int = 1, per_page: int = 100) -> AuditPage:
    """The audit entries, newest first, page ``page`` (1-based) of ``per_page`` (at most 500)."""
    page, per_page = max(1, page), min(max(1, per_page), 500)
    total = session.exec(select(func.count()).select_from(AuditEntry)).one()
    rows = session.exec(
        select(AuditEntry).order_by(col(AuditEntry.id).desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    items = [AuditRow.model_validate(r, from_attributes=True) for r in rows]
    return AuditPage(items=items, total=int(total), page=page, per_page=per_page)
