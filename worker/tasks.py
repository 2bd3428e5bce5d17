"""Celery tasks of the pipeline; the logic is in ``worker.ingest`` (tasks only add retries and context).

``nianbao.ingest`` takes one file (the watcher, the sweep); ``nianbao.ingest_batch`` a batch of files staged
by ``nianbao import`` (worker/backfill.py), each ingested in turn with its own outcome.

A ``RetryableError`` retries the whole task (``retry_plan``): while the cause is the database being
unavailable (or its connection lost) there is no cap: the n-th retry waits ``min(OUTAGE_BACKOFF_MAX_S,
retry_backoff * 2**n)`` seconds, so an outage of any length ends with the file processed soon after the
database is back. Other transient causes (a file still being written) retry at most ``retry_max`` times,
waiting ``min(retry_backoff_max, retry_backoff * 2**n)``; with ``retry_jitter`` a uniformly random part
of it. No countdown reaches the visibility timeout (a reserved message would be delivered twice). The file
stays claimed in processing/ meanwhile; the retry resumes it, and the recovery sweep (``worker.sweep``,
started in every worker by ``worker_ready``) re-enqueues it should the retries end.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from celery import Task, signals
from sqlalchemy.exc import DBAPIError

from worker import tasknames
from worker.app import app
from worker.errors import RetryableError
from worker.logging import get_logger
from worker.settings import Settings, get_settings

if TYPE_CHECKING:
    from worker.ingest import IngestResult
    from worker.peers import Presence

log = get_logger(__name__)

OUTAGE_BACKOFF_MAX_S = 60  # while the database is unavailable, try again at least this often


def _send(name: str, args: list[Any]) -> None:
    # nobody reads the result of a follow-up or re-enqueued task: no result-backend write for it
    app.send_task(name, args=args, ignore_result=True)


@dataclass(frozen=True)
class RetryPlan:
    """When to retry, and the cap (None: no cap)."""

    countdown: float
    max_retries: int | None


def database_unavailable(exc: BaseException) -> bool:
    """Is the cause of ``exc`` the database being unreachable (not a bug, not a changed file)?"""
    return isinstance(exc, RetryableError) and isinstance(exc.__cause__, DBAPIError)


def retry_plan(exc: BaseException, retries: int, settings: Settings) -> RetryPlan:
    """The retry after ``retries`` earlier ones (see module doc)."""
    outage = database_unavailable(exc)
    cap = float(OUTAGE_BACKOFF_MAX_S if outage else settings.retry_backoff_max)
    cap = min(cap, max(1.0, settings.visibility_timeout - settings.time_limit - 30))
    delay = min(cap, settings.retry_backoff * 2 ** min(retries, 30))
    if settings.retry_jitter:
        delay = random.uniform(0, delay)
    return RetryPlan(countdown=delay, max_retries=None if outage else settings.retry_max)


def _ingest_task(task: Task, work: Callable[[], IngestResult], **context: Any) -> dict[str, Any]:
    """Run one file's ingest in ``task``: its log context, and a retry planned by ``retry_plan`` on a
    ``RetryableError`` (the file stays claimed meanwhile)."""
    structlog.contextvars.bind_contextvars(task_id=task.request.id, **context)
    try:
        return work().as_dict()
    except RetryableError as exc:
        plan = retry_plan(exc, task.request.retries, get_settings())
        log.warning("ingest_retry", error=str(exc), retries=task.request.retries, countdown=round(plan.countdown, 2))
        raise task.retry(exc=exc, countdown=plan.countdown, max_retries=plan.max_retries) from exc
    finally:
        structlog.contextvars.clear_contextvars()


@app.task(  # type: ignore[untyped-decorator]
    name=tasknames.INGEST,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the cap depends on the cause: retry_plan
)
def ingest(self: Task, path: str) -> dict[str, Any]:
    """Claim, parse, check, store, alert and archive one file (idempotent; safe to deliver twice)."""
    from worker.ingest import ingest_file

    return _ingest_task(
        self,
        lambda: ingest_file(Path(path), settings=get_settings(), task_id=str(self.request.id), send_task=_send),
        path=path,
    )


@app.task(  # type: ignore[untyped-decorator]
    name=tasknames.INGEST_BLOB,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the cap depends on the cause: retry_plan
)
def ingest_blob(self: Task, submission_id: int, alerts: bool = True, import_id: str | None = None) -> dict[str, Any]:
    """Ingest a file handed over through the database (``file_store = "database"``, worker/relay); a file of
    ``nianbao import`` is counted in that import's progress."""
    from worker.relay.worker_side import ingest_submission

    return _ingest_task(
        self,
        lambda: ingest_submission(int(submission_id), settings=get_settings(), task_id=str(self.request.id),
                                  send_task=_send, alerts=alerts, import_id=import_id),  # fmt: skip
        submission=submission_id,
    )


def _claim_token(task_id: str, staged: str) -> str:
    """The claim token of one file of a batch: stable across deliveries of the batch, distinct per file."""
    digest = hashlib.sha256(os.fsencode(staged)).hexdigest()[:12]
    return f"{task_id}-{digest}"


@app.task(  # type: ignore[untyped-decorator]
    name=tasknames.INGEST_BATCH,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the cap depends on the cause: retry_plan
)
def ingest_batch(
    self: Task, items: list[list[str]], import_id: str | None = None, alerts: bool = True
) -> list[dict[str, Any]]:
    """Ingest a batch of staged files (``nianbao import``), each exactly as ``ingest`` would, in turn.

    Args:
        items: ``[staged path, arrival path]`` per file (worker/backfill.py).
        import_id: The import whose progress counts the files (in the broker).
        alerts: False: no alert task for these files (``nianbao import --no-alerts``).

    One file's failure never touches its batch-mates: a file that cannot be used is quarantined by the
    ingest itself, a transient error (the database, a file still changing) retries only the files it hit
    (the task is retried with them), and an unexpected error is logged and counted as ``failed`` while the
    others go on. Returns the files' results (those of this delivery).
    """
    from worker import backfill
    from worker.batch import ingest_files
    from worker.ingest import IngestResult, LastWrite, Outcome, commit_last_writes

    settings = get_settings()
    results: list[dict[str, Any]] = []
    again: list[list[str]] = []
    transient: RetryableError | None = None
    finals: list[LastWrite] = []  # the files' last writes, committed in one transaction after the batch
    counted: list[tuple[str, str, str | None]] = []  # progress is counted once those are committed

    structlog.contextvars.bind_contextvars(task_id=self.request.id)
    try:
        outcomes = ingest_files([(Path(staged), original) for staged, original in items], settings=settings,
                                token=lambda path: _claim_token(str(self.request.id), str(path)),
                                send_task=_send, alerts=alerts, finals=finals)  # fmt: skip
    finally:
        structlog.contextvars.clear_contextvars()
    for (staged, original), outcome in zip(items, outcomes, strict=True):
        if isinstance(outcome, RetryableError) or (
            isinstance(outcome, IngestResult) and outcome.status is Outcome.BUSY  # held: look again later
        ):
            again.append([staged, original])
            transient = transient or (
                outcome if isinstance(outcome, RetryableError) else RetryableError(f"{original} is held by another process")
            )
        elif isinstance(outcome, IngestResult):
            results.append(outcome.as_dict())
            counted.append((original, outcome.status.value, outcome.reason))
        else:  # a bug met by this one file: the batch-mates went on
            log.error("batch_file_failed", path=original, error=f"{type(outcome).__name__}: {outcome}",
                      exc_info=outcome)  # fmt: skip
            reason = f"{type(outcome).__name__}: {outcome}"
            results.append({"status": "failed", "path": original, "reason": reason})
            counted.append((original, "failed", reason))
    commit_last_writes(settings, finals)
    backfill.count_files(settings, import_id, counted)
    backfill.prune_staging(settings, [staged for staged, _ in items])
    if again and transient is not None:
        plan = retry_plan(transient, self.request.retries, settings)
        log.warning("ingest_batch_retry", files=len(again), error=str(transient), retries=self.request.retries,
                    countdown=round(plan.countdown, 2))  # fmt: skip
        raise self.retry(args=[again, import_id, alerts], exc=transient, countdown=plan.countdown,
                         max_retries=plan.max_retries)  # fmt: skip
    return results


class _Sweeper:
    """The recovery sweep in the worker's main process, every ``sweep_interval`` (no restart needed), and the
    worker's record of its verdict settings (worker/peers.py): written at start, refreshed by the same loop
    (also without sweeps: ``sweep_interval = 0`` keeps the loop for the heartbeat alone), deleted at a clean stop.
    """

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.presence: Presence | None = None

    def start(self, settings: Settings, node: str) -> None:
        if self.thread is not None:
            return
        self.thread = threading.Thread(target=self._loop, args=(settings, node), name="nianbao-sweep", daemon=True)
        self.thread.start()

    def _loop(self, settings: Settings, node: str) -> None:
        from worker import sweep
        from worker.peers import Presence, heartbeat_seconds

        try:  # here, not in worker_ready: a slow database must not hold up the worker's start
            self.presence = Presence(settings, node)
            self.presence.announce()  # a warning when live workers (other hosts) check with other settings
        except Exception as exc:  # noqa: BLE001 - never keeps the sweep from running
            log.warning("verdict_settings_failed", node=node, error=f"{type(exc).__name__}: {exc}")
        while not self.stop.wait(heartbeat_seconds(settings)):
            if settings.sweep_interval > 0:
                sweep.run(settings, _send)
            if self.presence is not None:
                self.presence.heartbeat()

    def shutdown(self) -> None:
        self.stop.set()
        if self.presence is not None:
            self.presence.withdraw()


_sweeper = _Sweeper()


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _start_sweeper(sender: Any = None, **_: Any) -> None:
    _sweeper.start(get_settings(), str(getattr(sender, "hostname", None) or f"celery-{os.getpid()}"))


@signals.worker_shutdown.connect  # type: ignore[untyped-decorator]
def _stop_sweeper(**_: Any) -> None:
    _sweeper.shutdown()
