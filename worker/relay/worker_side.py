"""A worker's part of the relay: take a submission, fetch its bytes, ingest them (see ``worker.relay``)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import uuid

import sqlalchemy as sa

from worker import backfill, names, spool, tasknames
from worker.errors import RetryableError
from worker.ingest import IngestResult, Job, Outcome, SendTask, process
from worker.logging import get_logger
from worker.relay import blobs
from worker.settings import Settings
from worker.store import relay_store, unit
from worker.store.db import get_engine, session_scope
from worker.store.relay_models import Submission

log = get_logger(__name__)

STALLED_AFTER_S = 5.0  # a started submission nobody holds for this long belongs to a dead worker


def ingest_submission(
    submission_id: int,
    *,
    settings: Settings,
    task_id: str,
    send_task: SendTask,
    alerts: bool = True,
    import_id: str | None = None,
) -> IngestResult:
    """Ingest one submission end to end; ``BUSY`` when another worker holds it, ``GONE`` when decided.

    A file of ``nianbao import`` (``import_id``) is counted in that import's progress, once.

    Raises:
        RetryableError: A transient failure (database, broker); the submission is taken again on retry.
    """
    engine = get_engine(settings)
    try:
        lock = engine.connect()
    except sa.exc.OperationalError as exc:
        raise RetryableError(f"database unavailable: {exc.orig}") from exc
    try:
        key = {"k1": relay_store.LOCK_CLASS, "k2": submission_id}
        if not lock.execute(sa.text("SELECT pg_try_advisory_lock(:k1, :k2)"), key).scalar_one():
            lock.rollback()
            return IngestResult(status=Outcome.BUSY, path=f"submission {submission_id}")
        lock.commit()  # the session lock outlives the transaction; it ends with the connection
        try:
            result = _ingest_locked(submission_id, settings=settings, task_id=task_id, send_task=send_task,
                                    alerts=alerts)  # fmt: skip
            if result.status is not Outcome.BUSY:
                backfill.count_file(settings, import_id, result.path, result.status.value, result.reason)
            return result
        finally:
            lock.execute(sa.text("SELECT pg_advisory_unlock(:k1, :k2)"), key)
            lock.commit()
    except sa.exc.DBAPIError as exc:
        lock.invalidate()  # a lock connection that failed must not go back to the pool holding a lock
        raise RetryableError(f"database connection lost: {exc.orig}") from exc
    finally:
        lock.close()


def _ingest_locked(
    submission_id: int, *, settings: Settings, task_id: str, send_task: SendTask, alerts: bool
) -> IngestResult:
    me = f"{socket.gethostname()}:{os.getpid()}"
    with session_scope(settings) as session:
        known = session.get(Submission, submission_id)
        if known is None:
            return IngestResult(status=Outcome.GONE, path=f"submission {submission_id}")
        row = relay_store.start(session, submission_id, worker=me)
        if row is None:  # decided by an earlier delivery
            return IngestResult(status=Outcome.GONE, path=known.original_path, name=known.name, sha256=known.sha256,
                                report_id=known.report_id, quarantine_id=known.quarantine_id)  # fmt: skip
        sub = row  # the session does not expire what it loaded: usable after the commit
    with session_scope(settings) as session:  # after the start committed: no row held while it downloads
        data = blobs.store_for(settings, session).get(sub.sha256)  # checked against the sha256 (BlobCorrupt)
    if data is None:
        raise RetryableError(f"submission {submission_id}: the stored bytes of {sub.sha256[:12]} are missing")
    workdir = spool.make_dir(settings.data_dir.resolve() / "work" / uuid.uuid4().hex, settings)
    try:
        path = workdir / names.fit(sub.name)
        path.write_bytes(data)
        claim = spool.Claim(path=path, name=sub.name, original_path=sub.original_path)
        arrival = unit.Arrival(sha256=sub.sha256, name=sub.name, original_path=sub.original_path, size=sub.size,
                               name_raw=sub.name_raw)  # fmt: skip
        job = Job(claim=claim, arrival=arrival, settings=settings, task_id=task_id, send_task=send_task,
                  alerts=alerts, submission_id=submission_id)  # fmt: skip
        result = process(job)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    log.info("submission_ingested", submission=submission_id, outcome=result.status.value, file=sub.name,
             report_id=result.report_id, quarantine_id=result.quarantine_id, reason=result.reason)  # fmt: skip
    return result


def resend_stalled(settings: Settings, send_task: SendTask, *, now: dt.datetime | None = None) -> int:
    """Send again the submissions of dead workers and those whose message was lost (the recovery sweep)."""
    now = now or dt.datetime.now(dt.UTC)
    with session_scope(settings) as session:
        free = relay_store.stalled(
            session,
            now=now,
            started_before=now - dt.timedelta(seconds=STALLED_AFTER_S),
            queued_before=now - dt.timedelta(seconds=settings.visibility_timeout),
        )
    for submission_id in free:
        send_task(tasknames.INGEST_BLOB, [submission_id])
    if free:
        log.warning("submissions_resent", count=len(free))
    return len(free)


def clear_stale_work(settings: Settings) -> int:
    """Remove private copies older than the hard time limit (their worker was killed); returns how many."""
    import time

    root = settings.data_dir.resolve() / "work"
    cleared = 0
    for folder in root.iterdir() if root.is_dir() else ():
        try:
            if time.time() - folder.stat().st_mtime > settings.time_limit:
                shutil.rmtree(folder, ignore_errors=True)
                cleared += 1
        except OSError:
            continue
    return cleared
