"""The ingest of a batch of files (``nianbao.ingest_batch``, ``nianbao import``) with one transaction per step.

Each file ends exactly as ``worker.ingest.ingest_file`` would end it (archived, a duplicate, quarantined with
its reason, or retried), but the batch writes in three transactions instead of three per file:

1. **delivery counts**: every file's start, committed before any file is read (as the single ingest commits
   its own: a file that kills the worker counts toward ``max_deliveries``);
2. **store**: every readable file's store unit (``worker.ingest.store_in``), each in a savepoint, in the order
   of their bodies (PostgreSQL's body locks are then always taken in one order); a file whose unit fails
   (a rule bug, a value the database refuses) rolls back its savepoint and is quarantined, its batch-mates
   are stored. What each report is stored as (its JSON, its cells) and its checks are made before the
   transaction (the checks in a read-only one; a store unit checks again when the report's neighbouring
   years changed meanwhile), so that SQLite's write lock is held for the writes only;
3. **last writes**: after the moves, where each file went (``job.finals``: the task commits them).

When the delivery counts show that an earlier delivery of one of these files started and never ended (the
worker was killed: perhaps by one of them), transaction 1 is rolled back and the batch runs file by file
instead (``ingest_file``'s path), so only the file that kills its worker reaches the redelivery cap.
Quarantines take their own transactions as in the single ingest (they are rare). The cyclic garbage
collector is paused for the whole batch (``worker.collector``).

A transient error (the database, a file still changing) affects the files it hit: their attempts end
cleanly and they are returned as the error, for the task to retry; a failing store transaction is such an
error for every file in it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from worker import collector
from worker.errors import RetryableError
from worker.ingest import (
    FollowUp,
    IngestResult,
    Job,
    Quarantine,
    SendTask,
    archive_stored,
    claim_job,
    end_attempt_quietly,
    log_result,
    process,
    read_checked,
    settle_quarantine,
    started,
    store_in,
    store_quarantine,
    time_limit_quarantine,
)
from worker.logging import get_logger
from worker.parse.models import Report
from worker.settings import Settings
from worker.store import crud, unit
from worker.store.db import read_scope, session_scope

log = get_logger(__name__)

Outcome = IngestResult | Exception  # the file's result, or what kept it from one (RetryableError: retry it)


@collector.paused()  # the batch's reports live until its store: no collector scans of them meanwhile
def ingest_files(
    items: list[tuple[Path, str]],
    *,
    settings: Settings,
    token: Callable[[Path], str],
    send_task: SendTask,
    alerts: bool,
    finals: list[Callable[[Session], None]],
) -> list[Outcome]:
    """Ingest ``items`` (``(file, where it is recorded as arriving)``) as one batch; one outcome per item.

    ``token(file)`` is the file's claim token (stable across deliveries of the batch). The files' last writes
    are appended to ``finals`` for the caller to commit (``worker.ingest.commit_last_writes``).
    """
    outcomes: list[Outcome | None] = [None] * len(items)
    jobs: dict[int, Job] = {}
    claimed_at: dict[int, float] = {}
    for i, (path, original) in enumerate(items):
        claimed_at[i] = time.monotonic()
        try:
            held = claim_job(path, settings=settings, task_id=token(path), send_task=send_task,
                             original=original, alerts=alerts, finals=finals)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - this file's problem only (the task logs it as failed)
            outcomes[i] = exc
            continue
        if isinstance(held, IngestResult):
            outcomes[i] = held
        else:
            jobs[i] = held
    try:
        _ingest_claimed(settings, jobs, outcomes)
    finally:
        for job in jobs.values():
            job.claim.release()
    for i in jobs:
        outcome = outcomes[i]
        if isinstance(outcome, IngestResult):
            log_result(outcome, claimed_at[i])
    return [o if o is not None else RuntimeError("no outcome") for o in outcomes]


def _ingest_claimed(settings: Settings, jobs: dict[int, Job], outcomes: list[Outcome | None]) -> None:
    """The claimed files in one batch, or file by file after a killed delivery of one of them."""
    try:
        starts = _count_starts(settings, jobs)
    except Exception as exc:  # noqa: BLE001 - nothing of this batch started: every file is retried
        for i in jobs:
            outcomes[i] = _retryable(exc, "delivery counts")
        return
    if starts is None:
        _one_by_one(jobs, outcomes)
    else:
        _batched(settings, jobs, starts, outcomes)


class _EarlierAttemptDied(Exception):
    """An earlier delivery of a file in the batch started and never ended (rolls the batch's counts back)."""


def _count_starts(settings: Settings, jobs: dict[int, Job]) -> dict[int, unit.DeliveryStart] | None:
    """Transaction 1: every file's delivery count, committed before any file is read.

    None, with nothing counted, when an earlier delivery of one of the files started and never ended (a
    killed worker, perhaps killed by that file): the batch then goes file by file, each file counting its
    own start. One transaction either way, so the look costs no wait of its own for SQLite's write lock.
    """
    if not jobs:
        return {}
    try:
        with session_scope(settings) as session:
            starts = {i: unit.start_delivery(session, job.arrival, task_id=job.task_id) for i, job in jobs.items()}
            if any(start.unfinished > 1 for start in starts.values()):
                raise _EarlierAttemptDied
    except _EarlierAttemptDied:
        return None
    return starts


def _retryable(exc: Exception, doing: str) -> RetryableError:
    return exc if isinstance(exc, RetryableError) else RetryableError(f"{doing}: {type(exc).__name__}: {exc}")


def _one_by_one(jobs: dict[int, Job], outcomes: list[Outcome | None]) -> None:
    """The single ingest's path for each file (its own delivery count, committed before its work)."""
    for i, job in jobs.items():
        try:
            outcomes[i] = process(job)
        except Exception as exc:  # noqa: BLE001 - a RetryableError is retried, anything else is this file's
            outcomes[i] = exc


def _batched(
    settings: Settings, jobs: dict[int, Job], starts: dict[int, unit.DeliveryStart], outcomes: list[Outcome | None]
) -> None:
    """Read every counted file, store them all in transaction 2, then move each (archive or quarantine)."""
    quarantines: dict[int, Quarantine] = {}
    reports: dict[int, Report] = {}
    for i, job in jobs.items():
        started(job, starts[i])
        try:
            try:
                reports[i] = read_checked(job, unfinished=starts[i].unfinished)
            except SoftTimeLimitExceeded as exc:
                raise time_limit_quarantine(job) from exc
        except Quarantine as q:
            quarantines[i] = q
        except Exception as exc:  # noqa: BLE001 - ContentChanged (retried), or a bug of this file's
            end_attempt_quietly(job)
            outcomes[i] = exc
    stored = _store_all(settings, jobs, reports, quarantines, outcomes)
    for i, (result, follow_ups) in stored.items():
        _settle(jobs[i], outcomes, i, partial(archive_stored, stored=result, follow_ups=follow_ups))
    for i, reason in quarantines.items():
        _settle(jobs[i], outcomes, i, partial(settle_quarantine, q=reason))


def _store_all(
    settings: Settings,
    jobs: dict[int, Job],
    reports: dict[int, Report],
    quarantines: dict[int, Quarantine],
    outcomes: list[Outcome | None],
) -> dict[int, tuple[unit.StoreResult, list[FollowUp]]]:
    """Transaction 2: the store unit of every read file, each in a savepoint, in the order of the bodies."""
    stored: dict[int, tuple[unit.StoreResult, list[FollowUp]]] = {}
    forms: dict[int, crud.StoredForms] = {}
    for i in reports:  # made before the transaction: on SQLite, not while holding the write lock
        try:
            forms[i] = crud.stored_forms(reports[i])
        except Exception as exc:  # noqa: BLE001 - a value the stored forms cannot hold: this file only
            quarantines[i] = store_quarantine(exc)
    order = sorted(forms, key=lambda i: (reports[i].identity_key or "", i))
    checked = _check_ahead(settings, jobs, reports, order)
    try:
        with session_scope(settings) as session:
            for i in order:
                try:
                    with session.begin_nested():
                        stored[i] = store_in(session, jobs[i], reports[i], forms[i], checked.get(i))
                except (RetryableError, SoftTimeLimitExceeded, OperationalError):
                    raise
                except DBAPIError as exc:
                    if exc.connection_invalidated:
                        raise
                    quarantines[i] = store_quarantine(exc)
                except Exception as exc:  # noqa: BLE001 - a rule bug, a value refused: this file only
                    quarantines[i] = store_quarantine(exc)
    except Exception as exc:  # noqa: BLE001 - the transaction is lost: every file in it is retried
        retry = _retryable(exc, "batch store")
        log.warning("batch_store_failed", files=len(order), error=str(retry))
        for i in order:
            quarantines.pop(i, None)
            end_attempt_quietly(jobs[i])
            outcomes[i] = retry
        return {}
    return stored


def _check_ahead(
    settings: Settings, jobs: dict[int, Job], reports: dict[int, Report], order: list[int]
) -> dict[int, unit.Checked]:
    """The checks of every report, made in a read-only transaction before the store transaction (on SQLite,
    the rules do not run while the batch holds the write lock; ``unit.store_report`` checks again any report
    whose neighbouring years changed meanwhile). A report that fails here is simply checked again there,
    where its failure is its own outcome; a database that fails here leaves every check to the store."""
    checked: dict[int, unit.Checked] = {}
    try:
        with read_scope(settings) as session:
            for i in order:
                try:
                    checked[i] = unit.check_ahead(
                        session, reports[i], severity_overrides=jobs[i].settings.rule_severity
                    )
                except (RetryableError, OperationalError):
                    raise
                except Exception:  # noqa: BLE001, S112 - a rule bug: met again, and recorded, in the store
                    continue
    except Exception as exc:  # noqa: BLE001 - the database: the store transaction will meet it, or not
        log.info("batch_checks_ahead_skipped", files=len(order), error=str(exc))
    return checked


def _settle(job: Job, outcomes: list[Outcome | None], i: int, finish: Callable[[Job], None]) -> None:
    """Move one file after the store (archive or quarantine); its result, or the error that stopped it."""
    try:
        finish(job)
        outcomes[i] = job.result
    except RetryableError as exc:  # retried: this attempt ends cleanly
        end_attempt_quietly(job)
        outcomes[i] = exc
    except Exception as exc:  # noqa: BLE001 - a bug met by this file (the task counts it as failed)
        outcomes[i] = exc


__all__ = ["ingest_files"]
