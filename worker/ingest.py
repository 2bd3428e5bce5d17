"""The ingest of one file, as plain functions (``worker.tasks`` only adds Celery around them).

claim -> read (extract + parse) -> check + store -> alert -> archive:

1. **claim**: rename into ``processing/<task id>/`` (``worker.spool``); hash it and count the delivery.
2. **read**: extract the text (``worker.extract``) and parse it into a ``Report`` (``worker.parse``).
3. **check + store**: one unit of work (``worker.store.unit.store_report``): the checks with the same
   body's neighbouring years, the report with its cells and findings (UNIQUE sha256), or its resolution as
   a duplicate, and the re-check of the stored year+1 report.
4. **alert**: send the alert tasks (after the commit; they decide whether to mail).
5. **archive**: move to ``archive/`` and record where it went.

A file that cannot be read, checked or stored goes to ``quarantine/`` with ``<name>.error.txt``, a
database record and an alert. Until the file has left processing/ nothing is lost: a failure leaves it
there for a retry or a recovery.
"""

from __future__ import annotations

import enum
import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded

from worker import spool, tasknames
from worker.errors import ExtractionError, ParseError, RetryableError
from worker.logging import get_logger
from worker.parse.models import Report
from worker.settings import Settings
from worker.store import unit
from worker.store.db import session_scope

log = get_logger(__name__)

SendTask = Callable[[str, list[Any]], None]


class Outcome(enum.StrEnum):
    """What happened to one file (the ``status`` of the task result and of the ``file_ingested`` log)."""

    INGESTED = "ingested"  # stored (now, or by an earlier delivery of this file) and archived
    DUPLICATE = "duplicate"  # the same content is stored already: archive/duplicates/, no alert
    QUARANTINED = "quarantined"  # cannot be read, checked or stored: quarantine/ with the reason
    GONE = "gone"  # another delivery already handled the file
    BUSY = "busy"  # another live process holds the file


@dataclass
class IngestResult:
    """What happened to one file (the task's JSON result: ``as_dict``)."""

    status: Outcome
    path: str
    name: str = ""
    sha256: str | None = None
    report_id: int | None = None
    quarantine_id: int | None = None
    errors: int = 0
    warnings: int = 0
    destination: str | None = None
    reason: str | None = None
    alerted: bool = False
    rechecked_report_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values (``status`` as its string)."""
        return {**asdict(self), "status": self.status.value}


@dataclass
class Job:
    """One claimed file on its way through the ingest, and what the task gave it."""

    claim: spool.Claim
    arrival: unit.Arrival
    settings: Settings
    task_id: str
    send_task: SendTask
    seen_before: bool = False  # the delivery count: processed completely before (a re-drop of the same file)
    result: IngestResult = field(init=False)

    def __post_init__(self) -> None:
        self.result = IngestResult(
            status=Outcome.INGESTED,  # until told otherwise
            path=self.arrival.original_path,
            name=self.arrival.name,
            sha256=self.arrival.sha256,
        )


class Quarantine(Exception):
    """Raised by a step: the file goes to quarantine/ at ``stage`` with ``reason``."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(reason)
        self.stage, self.reason = stage, reason


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file's content."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_file(path: Path, *, settings: Settings, task_id: str, send_task: SendTask) -> IngestResult:
    """Ingest one file end to end.

    Args:
        path: The file named by the task (inbox, or an orphan in processing/).
        settings: The settings.
        task_id: The Celery task id (claim token; a redelivery finds its own claim).
        send_task: ``send_task(name, args)`` enqueues a follow-up task (alerts).

    Returns:
        The outcome; ``GONE``/``BUSY`` mean another delivery has or holds the file.

    Raises:
        RetryableError: A transient failure (database, broker); the file stays claimed in processing/.
    """
    started = time.monotonic()
    try:
        held = spool.claim(path, settings, task_id)
    except (spool.ClaimGone, spool.ClaimBusy) as exc:
        outcome = Outcome.GONE if isinstance(exc, spool.ClaimGone) else Outcome.BUSY
        log.info("file_skipped", path=str(path), outcome=outcome.value)
        return IngestResult(status=outcome, path=str(path), name=path.name)
    try:
        job = Job(claim=held, arrival=_arrival(held), settings=settings, task_id=task_id, send_task=send_task)
        result = _process(job)
    finally:
        held.release()
    log.info(
        "file_ingested",
        outcome=result.status.value,
        file=result.name,
        sha256=result.sha256,
        report_id=result.report_id,
        quarantine_id=result.quarantine_id,
        errors=result.errors,
        warnings=result.warnings,
        reason=result.reason,
        destination=result.destination,
        ms=round((time.monotonic() - started) * 1000),
    )
    return result


def _arrival(held: spool.Claim) -> unit.Arrival:
    return unit.Arrival(
        sha256=sha256_of(held.path),
        name=held.name,
        original_path=held.original_path,
        size=held.path.stat().st_size,
    )


def _process(job: Job) -> IngestResult:
    # transaction 1: the delivery count must be committed before the work, so a worker killed by this
    # file counts toward max_deliveries even though nothing else of this attempt is written
    with session_scope(job.settings) as session:
        start = unit.start_delivery(session, job.arrival, task_id=job.task_id)
    job.seen_before = start.seen_before
    try:
        try:
            _admit(job, unfinished=start.unfinished)
            report = read(job.claim)
            stored = _check_and_store(job, report)
            _alert(job, stored)
            _archive(job, stored)
        except SoftTimeLimitExceeded as exc:
            limit = job.settings.soft_time_limit
            raise Quarantine("time_limit", f"processing took longer than soft_time_limit={limit}s") from exc
    except Quarantine as q:
        _quarantine(job, q)
    except RetryableError:
        _end_attempt_quietly(job)
        raise
    return job.result


def _admit(job: Job, *, unfinished: int) -> None:
    """Refuse a file that killed its workers too often, or that is too large to read."""
    settings = job.settings
    if unfinished > settings.max_deliveries:
        raise Quarantine(
            "deliveries",
            f"processing started {unfinished} times without finishing "
            f"(worker killed or hard time limit each time; cap {settings.max_deliveries})",
        )
    size = job.arrival.size
    if size > settings.max_file_mb * 1024 * 1024:
        raise Quarantine(
            "too_large", f"file is {size / 1048576:.1f} MB, above max_file_mb={settings.max_file_mb}"
        )


def read(held: spool.Claim) -> Report:
    """Extract and parse the claimed file.

    Raises:
        Quarantine: The file cannot be read or parsed (or reading it hit a bug: kept, with the reason).
    """
    from worker.extract import extract_file

    try:
        extracted = extract_file(held.path)
    except ExtractionError as exc:
        raise Quarantine("extract", exc.reason) from exc
    except Exception as exc:  # a bug or a pathological file: keep it, say why, move on
        raise Quarantine("extract", _why(exc, "reading")) from exc
    from worker.parse import parse_extracted  # imported late: a file that cannot be read needs no parser

    try:
        return parse_extracted(extracted, source=held.name)
    except ParseError as exc:
        raise Quarantine("parse", exc.message) from exc
    except Exception as exc:
        raise Quarantine("parse", _why(exc, "parsing")) from exc


def _why(exc: Exception, doing: str) -> str:
    if isinstance(exc, SoftTimeLimitExceeded):
        return f"{doing} took longer than soft_time_limit"
    return f"internal error while {doing}: {type(exc).__name__}: {exc}"


def _check_and_store(job: Job, report: Report) -> unit.StoreResult:
    """Check and store the report (or resolve it as a duplicate) and re-check its year+1 report."""
    try:
        # transaction 2: checks, store (or duplicate) and the year+1 re-check are one unit, so adjacent
        # years stored at the same moment see each other and no verdict is left stale
        with session_scope(job.settings) as session:
            stored = unit.store_report(
                session,
                job.arrival,
                report,
                seen_before=job.seen_before,
                severity_overrides=job.settings.rule_severity,
            )
    except (RetryableError, SoftTimeLimitExceeded):
        raise
    except Exception as exc:  # a rule bug, a value the database refuses: keep the file, say why
        raise Quarantine("store", f"cannot check or store the report: {type(exc).__name__}: {exc}") from exc
    result = job.result
    result.status = Outcome.DUPLICATE if stored.kind is unit.StoreKind.DUPLICATE else Outcome.INGESTED
    result.report_id, result.rechecked_report_id = stored.report_id, stored.rechecked_id
    result.errors, result.warnings = stored.errors, stored.warnings
    return stored


def _alert(job: Job, stored: unit.StoreResult) -> None:
    """The alert tasks decide (error findings -> mail; a fixed re-check -> "resolved"); never a duplicate."""
    if stored.kind is not unit.StoreKind.DUPLICATE:
        _send(job.send_task, tasknames.ALERT_REPORT, stored.report_id)
        job.result.alerted = True
    if stored.rechecked_id is not None:
        _send(job.send_task, tasknames.ALERT_REPORT, stored.rechecked_id)


def _archive(job: Job, stored: unit.StoreResult) -> None:
    archive = job.settings.archive_path
    directory = archive / "duplicates" if stored.kind is unit.StoreKind.DUPLICATE else archive
    target = spool.free_name(directory, job.arrival.name, job.arrival.sha256[:8])
    spool.archive(job.claim, target)
    job.result.destination = str(target)
    # transaction 3: after the move (it records where the file is); a crash before it leaves the
    # delivery unfinished, and the next delivery finds the file gone
    with session_scope(job.settings) as session:
        unit.record_archived(session, job.arrival, archived_path=str(target))


def _quarantine(job: Job, q: Quarantine) -> None:
    arrival, result = job.arrival, job.result
    target = spool.free_name(job.settings.quarantine_path, arrival.name, arrival.sha256[:8])
    # transaction Q1: the record before the move, so a quarantined file always has its row (a crash
    # between them leaves the file in processing/ and the next delivery finds the row)
    with session_scope(job.settings) as session:
        record, created = unit.record_quarantine(
            session, arrival, quarantine_path=str(target), stage=q.stage, reason=q.reason
        )
    spool.quarantine(job.claim, target, reason=q.reason, stage=q.stage, sha256=arrival.sha256)
    result.status, result.quarantine_id = Outcome.QUARANTINED, record.id
    result.reason, result.destination = q.reason, str(target)
    if created or not job.seen_before:
        _send(job.send_task, tasknames.ALERT_QUARANTINE, record.id)
        result.alerted = True
    # transaction Q2: after the move and the alert, so a crash before either leaves the delivery
    # unfinished and the next one sends the alert
    with session_scope(job.settings) as session:
        unit.end_delivery(session, arrival, done=True)


def _send(send_task: SendTask, name: str, ident: int | None) -> None:
    try:
        send_task(name, [ident])
    except Exception as exc:  # broker hiccup: the whole task retries, the stored report is resumed
        raise RetryableError(f"cannot enqueue {name}({ident}): {exc}") from exc


def _end_attempt_quietly(job: Job) -> None:
    """A retry is a clean end of this attempt (so it does not count toward the redelivery cap)."""
    try:
        # its own transaction: the one that failed was rolled back
        with session_scope(job.settings) as session:
            unit.end_delivery(session, job.arrival, done=False)
    except Exception:  # the database is what failed; the cap then counts this attempt, which is safe
        log.warning("delivery_not_reset", file=job.arrival.name)
