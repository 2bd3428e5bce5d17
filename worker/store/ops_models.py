"""Operational tables: the alert ledger, the deliveries (emails actually sent), and the task runs.

``alert_ledger``   one row per (report content sha256, findings fingerprint, channel, recipient): an alert
                   that fell due; its status says whether it was sent alone, folded into a digest, superseded,
                   failed. ``channel`` names the way it is delivered (worker/alerts/channels; ``email``).
``alert_delivery`` one row per message handed to a channel (single, update, digest, quarantine, test) with the
                   server's reply or the error: what ``nianbao status`` shows as "last alerts".
``task_run``       one row per Celery task id, updated from Celery signals (worker/monitoring.py).

Timestamps are timezone-aware UTC (``utcnow()``), as in worker/store/models.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from worker.store.models import utcnow as utcnow  # re-exported: the ledger and monitoring import it from here

# alert_ledger.status
DUE = "due"  # waiting for its window to end
SENDING = "sending"  # claimed by a flush
SENT = "sent"  # sent on its own
DIGESTED = "digested"  # listed in a digest
SUPERSEDED = "superseded"  # a newer verdict for the same version and recipient fell due before it was sent
FAILED = "failed"  # permanently refused, or transient failures past the retry limit


class AlertLedger(SQLModel, table=True):
    """An alert that fell due for one recipient (see module doc)."""

    __tablename__ = "alert_ledger"
    __table_args__ = (
        UniqueConstraint("content_sha256", "fingerprint", "channel", "recipient", name="uq_alert_ledger_key"),
        Index("ix_alert_ledger_due", "status", "channel", "recipient", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # report | quarantine
    ref_id: int | None = None  # report id / quarantine id
    content_sha256: str = Field(max_length=80, index=True)  # report version (or "quarantine:<id>")
    fingerprint: str = Field(max_length=64)
    channel: str = Field(default="email", max_length=32)  # worker/alerts/channels: email, ...
    recipient: str = Field(max_length=320)
    message_kind: str = Field(default="new", max_length=16)  # new | update | resolved
    status: str = Field(default=DUE, max_length=16)
    name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # body or file name
    year: int | None = None
    file_name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    error_count: int = 0
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    previous_id: int | None = None  # the ledger row (sent) this one updates
    delivery_id: int | None = Field(default=None, index=True)  # the email that carried it
    created_at: dt.datetime = Field(default_factory=utcnow)
    due_at: dt.datetime = Field(default_factory=utcnow)  # end of its digest window
    claimed_at: dt.datetime | None = None
    claim: str | None = Field(default=None, max_length=32)  # token of the flush that claimed it
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))


class AlertDelivery(SQLModel, table=True):
    """One message handed to a channel (email: the SMTP relay), or that failed to be."""

    __tablename__ = "alert_delivery"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(
        max_length=24
    )  # report-new | report-update | report-resolved | quarantine | digest | test
    channel: str = Field(default="email", max_length=32)
    recipient: str = Field(max_length=320, index=True)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default=SENDING, max_length=16)  # sending | sent | failed | retrying
    items: int = 1  # ledger rows carried
    message_id: str | None = Field(default=None, max_length=255)
    smtp_reply: str | None = Field(default=None, sa_column=Column(Text))  # the channel's reply when sent
    error: str | None = Field(default=None, sa_column=Column(Text))
    attempts: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)
    sent_at: dt.datetime | None = None


class TaskRun(SQLModel, table=True):
    """One Celery task (by id): queued -> started -> succeeded | failed | retried."""

    __tablename__ = "task_run"

    id: int | None = Field(default=None, primary_key=True)
    task_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=128, index=True)
    args: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # short argsrepr
    state: str = Field(default="queued", max_length=16, index=True)  # queued|started|succeeded|failed|retried
    queued_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = Field(default=None, index=True)
    runtime_s: float | None = None
    retries: int = 0
    worker: str | None = Field(default=None, max_length=255)
    error: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: dt.datetime = Field(default_factory=utcnow)
