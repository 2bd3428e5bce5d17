"""A worker records its verdict settings where every host sees them, and warns when its peers' differ.

Every Celery worker does this in its main process (worker/tasks.py: ``worker_ready`` -> ``Presence.announce``,
the recovery sweep loop -> ``Presence.heartbeat``, ``worker_shutdown`` -> ``Presence.withdraw``):

1. at start it writes its row of ``worker_settings`` (node name, host, data directory, the fingerprint and
   summary of worker/verdict_settings.py, started_at, last_seen), deletes rows nobody refreshed for
   ``RETENTION`` and logs ``verdict_settings_differ`` (a warning naming the other hosts and the differing keys;
   for a secret its name only) when a live worker has another fingerprint;
2. every heartbeat (each sweep interval) it refreshes ``last_seen`` (writing the whole row again, so a row lost
   meanwhile, e.g. while the database was away, comes back);
3. when it stops cleanly it deletes its row, so a replaced configuration stops counting at once.

A difference never stops a worker: during a rolling change of the configuration old and new settings run
side by side for a while, and refusing to start would leave the queue without workers (docs/pipeline.md).
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from worker.logging import get_logger
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.models import utcnow
from worker.store.queries.views import LiveWorker
from worker.store.queries.workers import differences_from
from worker.store.worker_models import WorkerSettings
from worker.verdict_settings import SECRET_KEYS, VerdictSettings, describe

log = get_logger(__name__)

RETENTION = dt.timedelta(days=7)  # rows of workers gone this long are deleted by the next worker that starts
IDLE_HEARTBEAT_S = 60.0  # the heartbeat interval of a worker without a recovery sweep (sweep_interval = 0)


def heartbeat_seconds(settings: Settings) -> float:
    """How often the worker refreshes its ``last_seen``: with each recovery sweep."""
    return settings.sweep_interval if settings.sweep_interval > 0 else IDLE_HEARTBEAT_S


class Presence:
    """One worker's row of ``worker_settings`` (see module doc)."""

    def __init__(self, settings: Settings, node: str, *, host: str | None = None) -> None:
        """Args:
        settings: the worker's settings.
        node: its Celery worker name (unique among running workers).
        host: the host name shown to operators (default: this machine's).
        """
        self.settings, self.node = settings, node
        self.host = host or socket.gethostname()
        self.described: VerdictSettings = describe(settings)
        self.started_at = utcnow()
        self._lock = threading.Lock()  # a heartbeat running while the worker stops must not write the row again
        self._withdrawn = False

    def announce(self, *, now: dt.datetime | None = None) -> list[tuple[LiveWorker, list[str]]]:
        """Record this worker, forget long-gone ones and warn about live workers whose settings differ.

        Returns:
            The live workers whose verdict settings differ from ours, each with the differing keys (what
            the warning names); empty when the database could not be written (logged, tried again with the
            next heartbeat).
        """
        now = now or utcnow()
        try:
            with self._lock:
                if self._withdrawn:
                    return []
                with session_scope(self.settings) as session:
                    self._write(session, now)
                    session.execute(sa.delete(WorkerSettings).where(col(WorkerSettings.last_seen) < now - RETENTION))
            with session_scope(self.settings) as session:
                differences = differences_from(session, self.node, now=now)
        except Exception as exc:  # noqa: BLE001 - the database may be away: the worker still starts
            log.warning("verdict_settings_not_recorded", node=self.node, error=f"{type(exc).__name__}: {exc}")
            return []
        if differences:
            log.warning("verdict_settings_differ", node=self.node, host=self.host,
                        fingerprint=self.described.fingerprint[:12],
                        others=[self._difference(worker, keys) for worker, keys in differences])  # fmt: skip
        else:
            log.info("verdict_settings_recorded", node=self.node, fingerprint=self.described.fingerprint[:12])
        return differences

    def _difference(self, other: LiveWorker, keys: list[str]) -> dict[str, Any]:
        """What the warning says about one other worker: secrets by name only, other keys with both values."""
        return {
            "node": other.node,
            "host": other.host,
            "settings": keys,
            "values": {
                key: {"here": self.described.values.get(key), "there": other.settings.get(key)}
                for key in keys
                if key not in SECRET_KEYS
            },
        }

    def heartbeat(self, *, now: dt.datetime | None = None) -> None:
        """Refresh ``last_seen`` (the whole row: one lost meanwhile comes back); a failure is logged. Nothing
        once withdrawn."""
        with self._lock:
            if self._withdrawn:
                return
            try:
                with session_scope(self.settings) as session:
                    self._write(session, now or utcnow())
            except Exception as exc:  # noqa: BLE001 - the next heartbeat tries again
                log.warning("verdict_settings_heartbeat_failed", node=self.node,
                            error=f"{type(exc).__name__}: {exc}")  # fmt: skip

    def withdraw(self) -> None:
        """Delete this worker's row (a clean stop); a failure is logged (the row then ages out)."""
        with self._lock:
            self._withdrawn = True
            try:
                with session_scope(self.settings) as session:
                    row = session.get(WorkerSettings, self.node)
                    if row is not None:
                        session.delete(row)
            except Exception as exc:  # noqa: BLE001
                log.warning("verdict_settings_not_withdrawn", node=self.node, error=f"{type(exc).__name__}: {exc}")

    def _write(self, session: Session, now: dt.datetime) -> None:
        row = session.get(WorkerSettings, self.node) or WorkerSettings(
            node=self.node, host="", data_dir="", fingerprint=""
        )
        row.host = self.host[:255]
        row.data_dir = str(self.settings.data_dir.resolve())
        row.fingerprint = self.described.fingerprint
        row.summary = self.described.values
        row.secret_digests = self.described.secret_digests
        row.heartbeat_seconds = heartbeat_seconds(self.settings)
        row.started_at = self.started_at
        row.last_seen = now
        session.add(row)
