"""Tables of the relay (``file_store = "database"``, revision 0010): workers with no disk in common.

``blob``        the bytes of a file, once per content (primary key: sha256). Written by the side that holds the
                inbox (the watcher, ``nianbao import``), read by any worker, deleted once every submission of
                that content has been placed.
``submission``  one settled file handed to the workers: its name and origin, the content key, where the inbox
                side holds the file meanwhile (``held_path`` under ``<data_dir>/relayed/``) and its state:

                ``queued``  -> ``started`` (a worker took it: it holds a PostgreSQL advisory lock on the id while
                it works, so a killed worker's submission is seen free and sent again) -> ``decided`` (stored,
                a duplicate, or quarantined: ``outcome``, ``report_id`` / ``quarantine_id``, ``stage``,
                ``reason``) -> ``placed`` (the inbox side moved the held file to ``destination`` in archive/ or
                quarantine/).

See docs/pipeline.md, "Workers on other machines".
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from worker.store.models import utcnow

_TS = sa.DateTime(timezone=True)

QUEUED = "queued"
STARTED = "started"
DECIDED = "decided"
PLACED = "placed"


class Blob(SQLModel, table=True):
    """The bytes of one file content (see module doc)."""

    __tablename__ = "blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(sa_type=sa.BigInteger)
    data: bytes = Field(sa_type=sa.LargeBinary)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)


class Submission(SQLModel, table=True):
    """One settled file handed to the workers by the inbox side (see module doc)."""

    __tablename__ = "submission"
    __table_args__ = (
        sa.UniqueConstraint("origin", "held_path", name="uq_submission_origin_held_path"),
        sa.Index("ix_submission_state_origin", "state", "origin"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    name: str = Field(sa_type=sa.Text)  # display form (worker.names.display_name)
    name_raw: str | None = Field(default=None, sa_type=sa.Text)  # hex bytes of a name that is not UTF-8
    original_path: str = Field(sa_type=sa.Text)
    size: int = Field(sa_type=sa.BigInteger)
    origin: str = Field(max_length=255)  # the inbox side that holds the file: "<host>:<data_dir>"
    held_path: str = Field(sa_type=sa.Text)
    state: str = Field(default=QUEUED, max_length=16)
    outcome: str | None = Field(default=None, max_length=16)  # ingested | duplicate | quarantined
    stage: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    report_id: int | None = None
    quarantine_id: int | None = None
    destination: str | None = Field(default=None, sa_type=sa.Text)
    attempts: int = 0
    worker: str | None = Field(default=None, max_length=255)  # the last worker that started it
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)
