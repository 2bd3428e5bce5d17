"""The workers' verdict settings (table ``worker_settings``): which workers are live, and do they agree?

A worker counts as live while its last heartbeat is younger than ``live_window`` of its own heartbeat interval
(two intervals, at least 5 minutes): a worker killed without stopping (its row stays) stops counting then.
The secret digests are compared here and never leave this module: callers get the names of differing secrets.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from worker.store.models import utcnow
from worker.store.queries.views import LiveWorker, SettingsGroup, WorkerSettingsCheck
from worker.store.worker_models import WorkerSettings
from worker.verdict_settings import SECRET_KEYS, VERDICT_KEYS, differing_keys

LIVE_MIN_S = 300.0  # a worker seen this recently is live, whatever its heartbeat interval
LIVE_HEARTBEATS = 2  # ... and one seen within this many of its heartbeat intervals


def live_window(heartbeat_seconds: float) -> dt.timedelta:
    """How long after its last heartbeat a worker still counts as running."""
    return dt.timedelta(seconds=max(LIVE_MIN_S, LIVE_HEARTBEATS * heartbeat_seconds))


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)  # SQLite returns naive UTC


def _live_rows(session: Session, now: dt.datetime) -> list[WorkerSettings]:
    rows = session.exec(select(WorkerSettings).order_by(col(WorkerSettings.host), col(WorkerSettings.node))).all()
    return [r for r in rows if now - _aware(r.last_seen) <= live_window(r.heartbeat_seconds)]


def _view(row: WorkerSettings) -> LiveWorker:
    return LiveWorker(node=row.node, host=row.host, data_dir=row.data_dir, fingerprint=row.fingerprint,
                      started_at=_aware(row.started_at), last_seen=_aware(row.last_seen),
                      settings=dict(row.summary))  # fmt: skip


def _differ(a: WorkerSettings, b: WorkerSettings) -> list[str]:
    return differing_keys((a.summary, a.secret_digests), (b.summary, b.secret_digests))


def worker_settings_check(session: Session, *, now: dt.datetime | None = None) -> WorkerSettingsCheck:
    """The live workers grouped by fingerprint, and the setting keys that are not the same in every group."""
    rows = _live_rows(session, now or utcnow())
    by_fingerprint: dict[str, list[WorkerSettings]] = {}
    for row in rows:
        by_fingerprint.setdefault(row.fingerprint, []).append(row)
    ordered = sorted(by_fingerprint.values(), key=lambda members: (-len(members), members[0].host))
    differing: set[str] = set()
    for other in ordered[1:]:
        differing.update(_differ(ordered[0][0], other[0]))
    keys = [k for k in VERDICT_KEYS if k in differing] + sorted(differing - set(VERDICT_KEYS))
    return WorkerSettingsCheck(
        workers=[_view(r) for r in rows],
        groups=[SettingsGroup(fingerprint=m[0].fingerprint, workers=[_view(r) for r in m]) for m in ordered],
        differing=keys,
        secret_keys=[k for k in keys if k in SECRET_KEYS],
    )


def differences_from(
    session: Session, node: str, *, now: dt.datetime | None = None
) -> list[tuple[LiveWorker, list[str]]]:
    """The other live workers whose verdict settings differ from those of worker ``node``, each with the keys
    that differ (none when ``node`` has no row)."""
    mine = session.get(WorkerSettings, node)
    if mine is None:
        return []
    return [
        (_view(row), _differ(mine, row))
        for row in _live_rows(session, now or utcnow())
        if row.node != node and row.fingerprint != mine.fingerprint
    ]
