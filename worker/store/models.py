"""Core tables (Alembic revision 0001, 0007): source files, reports, cells, findings, quarantine, deliveries, outbox.

Idempotency lives in the schema: ``report.sha256`` is UNIQUE (the same content twice is one report),
``source_file`` and ``quarantine`` are UNIQUE on ``(sha256, name)`` (the same arrival recorded once),
``delivery`` counts how often a file's processing started without finishing (the redelivery cap) and holds
the intended destination of the file before it is moved (revision 0007), ``outbox`` the follow-up tasks
recorded in the transaction that called for them, sent after the commit and again by the sweep until sent.

Names are stored in their display form (valid Unicode, ``worker.names.display_name``); ``name_raw`` keeps
the exact bytes (hex) of a name that is not valid UTF-8.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    """Timezone-aware now (stored as UTC)."""
    return dt.datetime.now(dt.UTC)


_TS = sa.DateTime(timezone=True)


class SourceFile(SQLModel, table=True):
    """One arrival of a file in the inbox (a duplicate arrival is its own row pointing at the report)."""

    __tablename__ = "source_file"
    __table_args__ = (sa.UniqueConstraint("sha256", "name", name="uq_source_file_sha256_name"),)

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    name: str = Field(sa_type=sa.Text)
    name_raw: str | None = Field(default=None, sa_type=sa.Text)  # hex bytes of a non-UTF-8 name (0007)
    original_path: str = Field(sa_type=sa.Text)
    size: int
    status: str = Field(max_length=16)  # ingested | duplicate
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True)
    archived_path: str | None = Field(default=None, sa_type=sa.Text)
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)


class StoredReport(SQLModel, table=True):
    """A parsed and checked report; ``status`` is ``worker.rules.status.report_status`` of its findings.

    ``failed`` (a failing error finding), else ``needs_review`` (a table not read with certainty, or a
    TABLE_UNREADABLE finding), else ``ok``; set on insert and on every re-check (crud.py).
    """

    __tablename__ = "report"
    __table_args__ = (  # the read layer's filters and the versions of one body+year (revision 0003)
        sa.Index("ix_report_identity_key_year", "identity_key", "year"),
        sa.Index("ix_report_status_warnings", "status", "warning_count"),
        sa.Index("ix_report_template", "template"),
        sa.Index("ix_report_created_at", "created_at"),
        sa.Index("ix_report_status_id", "status", "id"),  # the list by verdict, newest first (0009)
    )

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, sa_column_kwargs={"unique": True}, nullable=False)
    file_name: str = Field(sa_type=sa.Text)
    organ: str | None = Field(default=None, sa_type=sa.Text)
    identity_key: str | None = Field(default=None, sa_type=sa.Text, index=True)
    year: int | None = Field(default=None, index=True)
    template: str = Field(max_length=16)
    title: str | None = Field(default=None, sa_type=sa.Text)
    published: dt.date | None = None
    status: str = Field(max_length=16)  # ok | failed | needs_review (worker/rules/status.py)
    error_count: int = 0
    warning_count: int = 0
    parse_warning_count: int = 0
    report_json: str = Field(sa_type=sa.Text)  # Report.model_dump_json(): rebuilds the Report for rechecks
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)
    checked_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)


class CellValue(SQLModel, table=True):
    """One table cell in long form; ``value`` is NULL for a blank or placeholder cell."""

    __tablename__ = "cell"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    table_key: str = Field(max_length=64)  # "disclosure.art20_1" | "applications" | "reviews"
    row_key: str = Field(max_length=64)
    col_key: str = Field(max_length=64)
    value: float | None = None
    value_exact: str | None = Field(default=None, sa_type=sa.Text)  # an integer's exact digits (0007)
    raw: str = Field(default="", sa_type=sa.Text)
    unit: str | None = Field(default=None, max_length=16)
    line: int | None = None
    page: int | None = None


class StoredFinding(SQLModel, table=True):
    """A finding of a check, with its location and, for cross-year rules, the report compared against."""

    __tablename__ = "finding"
    __table_args__ = (sa.Index("ix_finding_rule_status_report", "rule", "status", "report_id"),)  # 0003

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    rule: str = Field(max_length=64, index=True)
    severity: str = Field(max_length=16)
    status: str = Field(max_length=16)  # fail | not_assessable
    title: str = Field(default="", sa_type=sa.Text)
    message: str = Field(sa_type=sa.Text)
    table_key: str | None = Field(default=None, max_length=64)
    row_key: str | None = Field(default=None, max_length=64)
    col_key: str | None = Field(default=None, max_length=64)
    section: str | None = Field(default=None, max_length=32)
    line: int | None = None
    page: int | None = None
    expected: str | None = Field(default=None, sa_type=sa.Text)  # JSON
    actual: str | None = Field(default=None, sa_type=sa.Text)  # JSON
    compared_with: str | None = Field(default=None, max_length=64)  # sha256 of the neighbour report
    compared_report_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("report.id", ondelete="SET NULL"), nullable=True),
    )


class QuarantineRecord(SQLModel, table=True):
    """A file that could not be read or parsed (or kept failing); the file sits in quarantine/."""

    __tablename__ = "quarantine"
    __table_args__ = (
        sa.UniqueConstraint("sha256", "name", name="uq_quarantine_sha256_name"),
        sa.Index("ix_quarantine_created_at", "created_at"),  # 0003
    )

    id: int | None = Field(default=None, primary_key=True)
    sha256: str | None = Field(default=None, max_length=64, index=True)
    name: str = Field(sa_type=sa.Text)
    name_raw: str | None = Field(default=None, sa_type=sa.Text)  # hex bytes of a non-UTF-8 name (0007)
    original_path: str = Field(sa_type=sa.Text)
    quarantine_path: str | None = Field(default=None, sa_type=sa.Text)
    stage: str = Field(max_length=32)  # extract | parse | deliveries | too_large | claim
    reason: str = Field(sa_type=sa.Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)


class Delivery(SQLModel, table=True):
    """How often processing of one file (content + name) started, and how many of those never finished."""

    __tablename__ = "delivery"
    __table_args__ = (sa.UniqueConstraint("sha256", "name", name="uq_delivery_sha256_name"),)

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64)
    name: str = Field(sa_type=sa.Text)
    attempts: int = 0
    unfinished: int = 0  # attempts that started and never reached a clean end (worker killed)
    state: str = Field(default="started", max_length=16)  # started | done
    last_task_id: str | None = Field(default=None, max_length=64)
    destination: str | None = Field(default=None, sa_type=sa.Text)  # where the file is being moved (0007)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)


class OutboxTask(SQLModel, table=True):
    """A follow-up task (an alert) recorded with the change that calls for it; sent until ``sent_at`` is set."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_unsent", "sent_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    task: str = Field(max_length=64)  # a name of worker/tasknames.py
    ref_id: int  # the task's one argument (report or quarantine id)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)
    sent_at: dt.datetime | None = Field(default=None, sa_type=_TS)


CORE_TABLES = ("source_file", "report", "cell", "finding", "quarantine", "delivery", "outbox")




# --- registry of bodies (revision 0006) -----------------------------------------------------------
class Body(SQLModel, table=True):
    """A registered body that must publish a report: who, where in the administrative tree, whom to contact.

    Keyed by ``(path, name)``; list-valued columns (short names, former names, contact emails) hold JSON arrays.
    """

    __tablename__ = "body"
    __table_args__ = (sa.UniqueConstraint("path", "name", name="uq_body_path_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.Text)
    path: str = Field(sa_type=sa.Text, index=True)  # "福建省/三明市/将乐县/南口镇"
    level: str = Field(max_length=32)  # township | county_department | county_government
    short_names: str = Field(default="[]", sa_type=sa.Text)  # JSON list
    former_names: str = Field(default="[]", sa_type=sa.Text)  # JSON list
    contact_name: str | None = Field(default=None, sa_type=sa.Text)
    contact_emails: str = Field(default="[]", sa_type=sa.Text)  # JSON list
    year_from: int | None = None
    year_to: int | None = None
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)


class ReportBody(SQLModel, table=True):
    """Which registered body a stored report belongs to (or why none): one row per matched report."""

    __tablename__ = "report_body"
    __table_args__ = (sa.Index("ix_report_body_body_state", "body_id", "state"),)

    report_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    )
    body_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("body.id", ondelete="SET NULL"), nullable=True),
    )
    state: str = Field(max_length=16, index=True)  # matched | ambiguous | unmatched
    method: str = Field(max_length=16)  # path | name | short_name | manual | none
    candidates: str = Field(default="[]", sa_type=sa.Text)  # JSON list of body ids (ambiguous)
    region: str | None = Field(default=None, sa_type=sa.Text)  # the region the short name was looked up in
    matched_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)


class BodyResolution(SQLModel, table=True):
    """A person's answer to "which body is this?", remembered per report identity (later versions reuse it)."""

    __tablename__ = "body_resolution"

    identity_key: str = Field(sa_type=sa.Text, primary_key=True)
    body_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("body.id", ondelete="CASCADE"), nullable=False)
    )
    resolved_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)


REGISTRY_TABLES = ("body", "report_body", "body_resolution")
