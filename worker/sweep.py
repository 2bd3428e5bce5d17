"""The recovery sweep: what a worker (every ``sweep_interval``) and ``nianbao run`` (every rescan) do.

One pass, each step independent (a failing step is logged, the others still run):

1. **orphans**: files in processing/ whose claim lock nobody holds (worker killed, retries exhausted
   during a long database outage) are enqueued again;
   With ``file_store = "database"`` the inbox side does this (``worker.relay.inbox_side.sweep``) and the
   workers instead send again the submissions of dead workers and lost messages (``worker.relay``);
2. **half-done moves**: a delivery still ``started`` whose file is at its recorded destination (the worker
   died between the move and the last update) is completed;
3. **outbox**: alert tasks recorded but never handed to the broker (it was down) are sent;
4. **task runs**: ``task_run`` rows ``started`` longer than the hard time limit (their worker died) are
   marked ``lost``;
6. **alert flushes**: a digest window that ended more than ``FLUSH_GRACE_S`` ago with alerts still due
   lost its flush (e.g. a broker restart without persistence): a new ``alert_flush`` is sent. Every alert
   task does this too, but the ingest sends an alert task only when something can be mailed, so a quiet
   inbox must not leave a lost flush waiting for the next failing report.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worker import filecheck, spool, tasknames
from worker.logging import get_logger
from worker.settings import Settings
from worker.store import outbox
from worker.store.db import read_scope, session_scope
from worker.store.models import utcnow

log = get_logger(__name__)

SendTask = Callable[[str, list[Any]], None]
MOVE_GRACE_S = 30.0  # a destination younger than this may still be moving
FLUSH_GRACE_S = 60.0  # a window this late has lost its flush (as worker/alerts/task.py's OVERDUE_GRACE_S)


@dataclass
class SweepReport:
    """What one pass did."""

    orphans: int = 0
    submissions_resent: int = 0
    moves_completed: int = 0
    outbox_sent: int = 0
    runs_lost: int = 0
    flushes_sent: int = 0


def run(settings: Settings, send_task: SendTask, *, now: dt.datetime | None = None) -> SweepReport:
    """One recovery pass (see module doc); ``now`` moves the clock for tests."""
    now = now or utcnow()
    report = SweepReport()
    steps: list[tuple[str, Callable[[], int]]] = [
        ("orphans", lambda: _orphans(settings, send_task)),
        ("submissions_resent", lambda: _stalled_submissions(settings, send_task)),
        ("moves_completed", lambda: _half_done(settings, now)),
        ("outbox_sent", lambda: _outbox(settings, send_task, now)),
        ("runs_lost", lambda: _task_runs(settings, now)),
        ("flushes_sent", lambda: _overdue_flushes(settings, send_task, now)),
    ]
    for name, step in steps:
        try:
            setattr(report, name, step())
        except Exception as exc:  # the database or broker may be down: next pass
            log.warning("sweep_step_failed", step=name, error=f"{type(exc).__name__}: {exc}")
    if any(vars(report).values()):
        log.info("sweep_done", **vars(report))
    return report


def _orphans(settings: Settings, send_task: SendTask) -> int:
    if settings.relays_files:  # the inbox side hands its orphans over again (worker.relay.inbox_side.sweep)
        return 0
    found = spool.orphans(settings)
    for path in found:
        send_task(tasknames.INGEST, [str(path)])
        log.info("orphan_requeued", path=os.fsencode(str(path)).decode("utf-8", "backslashreplace"))
    return len(found)


def _stalled_submissions(settings: Settings, send_task: SendTask) -> int:
    if not settings.relays_files:
        return 0
    from worker.relay.worker_side import clear_stale_work, resend_stalled

    clear_stale_work(settings)
    return resend_stalled(settings, send_task)


def _half_done(settings: Settings, now: dt.datetime) -> int:
    """Complete the moves made whose last write is missing (looked for without SQLite's write lock: most
    passes find none)."""
    with read_scope(settings) as s:
        candidates = outbox.half_done(s, older_than=now - dt.timedelta(seconds=MOVE_GRACE_S))
    moved: list[tuple[outbox.HalfDone, bool]] = []
    for move in candidates:
        where = Path(move.destination)
        try:
            if filecheck.snapshot(where).sha256 != move.sha256:
                continue
        except OSError:
            continue  # not moved yet: the file is in processing/ and its redelivery moves it
        moved.append((move, where.is_relative_to(settings.archive_path)))
    if not moved:
        return 0
    done = 0
    with session_scope(settings) as s:
        for move, archived in moved:
            if outbox.complete_move(s, move, archived=archived):  # else its worker ended it meanwhile
                log.info("move_completed", file=move.name, destination=move.destination)
                done += 1
    return done


def _outbox(settings: Settings, send_task: SendTask, now: dt.datetime) -> int:
    with read_scope(settings) as s:
        rows = outbox.unsent(s, older_than=now - dt.timedelta(seconds=settings.outbox_grace_seconds))
        pending = [(r.id, r.task, r.ref_id) for r in rows if r.id is not None]
    sent: list[int] = []
    for row_id, task, ref in pending:
        try:
            send_task(task, [ref])
        except Exception as exc:  # still down: the next pass
            log.warning("outbox_send_failed", task=task, ref=ref, error=str(exc))
            break
        sent.append(row_id)
    if sent:
        with session_scope(settings) as s:
            outbox.mark_sent(s, sent)
    return len(sent)


def _task_runs(settings: Settings, now: dt.datetime) -> int:
    from worker.monitoring import mark_lost

    return mark_lost(settings, before=now - dt.timedelta(seconds=settings.time_limit + 60))


def _overdue_flushes(settings: Settings, send_task: SendTask, now: dt.datetime) -> int:
    if not settings.alerts_enabled:
        return 0
    from worker.alerts.ledger import overdue_targets

    with read_scope(settings) as s:
        late = overdue_targets(s, before=now - dt.timedelta(seconds=FLUSH_GRACE_S), fresh_only=True)
    for channel, recipient in late:  # a flush that finds nothing due (sent meanwhile) sends nothing
        send_task(tasknames.ALERT_FLUSH, [recipient, channel])
    return len(late)
