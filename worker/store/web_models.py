"""Tables of the web application (Alembic revision 0005): the audit log of every web action.

``audit`` has one row per action a person took through the web application: logging in (and failed
attempts), logging out, and every operator action (review of a finding, re-queue, delete, re-check). It is
append-only; ``action`` is an :class:`AuditAction` value, ``outcome`` an :class:`AuditOutcome` value.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from worker.store.models import utcnow


class AuditAction(StrEnum):
    """What was done (add a member for each new operator action)."""

    LOGIN = "login"
    LOGOUT = "logout"
    QUARANTINE_DELETE = "quarantine_delete"
    QUARANTINE_REQUEUE = "quarantine_requeue"
    FINDING_REVIEW = "finding_review"
    RECHECK = "recheck"
    BODY_RESOLVE = "body_resolve"  # which registered body an unmatched report is (worker/web/routes/roster.py)


class AuditOutcome(StrEnum):
    """Whether it was done."""

    OK = "ok"
    REFUSED = "refused"  # wrong password, missing role
    FAILED = "failed"  # allowed, but could not be carried out


class AuditEntry(SQLModel, table=True):
    """One action taken through the web application."""

    __tablename__ = "audit"
    __table_args__ = (sa.Index("ix_audit_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    user_name: str = Field(sa_type=sa.Text)  # as typed at login for a refused login
    role: str | None = Field(default=None, max_length=16)
    action: str = Field(max_length=32)
    outcome: str = Field(max_length=16)
    target: str | None = Field(default=None, sa_type=sa.Text)  # e.g. "quarantine:12"
    detail: str | None = Field(default=None, sa_type=sa.Text)
    client: str | None = Field(default=None, max_length=64)  # client address


WEB_TABLES = ("audit",)
