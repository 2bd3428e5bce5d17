"""The table of the workers' verdict settings (revision 0011): ``worker_settings``.

One row per running Celery worker (primary key: its node name, ``nianbao-<pid>@<host>``), written by the worker
itself (worker/peers.py): the host and data directory it runs with, the fingerprint of the settings that change
a verdict or an alert (worker/verdict_settings.py), their secret-free summary, the scrypt digests of its secret
ones (never the secrets), when it started and when it was last seen. ``last_seen`` is refreshed by the worker's
recovery sweep loop every ``heartbeat_seconds``; a worker that stops cleanly deletes its row, a killed one's row
stops counting once it is older than ``worker.store.queries.workers.live_window(heartbeat_seconds)``.

See docs/pipeline.md, "Workers on other machines".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from worker.store.models import utcnow

_TS = sa.DateTime(timezone=True)


class WorkerSettings(SQLModel, table=True):
    """One running worker's verdict settings (see module doc)."""

    __tablename__ = "worker_settings"

    node: str = Field(primary_key=True, max_length=255)  # the Celery worker name
    host: str = Field(max_length=255)
    data_dir: str = Field(sa_type=sa.Text)
    fingerprint: str = Field(max_length=64)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # secret-free
    secret_digests: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # scrypt digests, or null
    heartbeat_seconds: float = 30.0  # how often last_seen is refreshed
    started_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)
    last_seen: dt.datetime = Field(default_factory=utcnow, sa_type=_TS, index=True)
