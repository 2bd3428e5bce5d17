"""The ingest of one file, as plain functions (``worker.tasks`` only adds Celery around them; ``worker.batch``
takes several files through the same steps with one transaction per step).

claim -> read (extract + parse) -> check + store -> alert -> archive:

1. **claim**: rename into ``processing/<task id>/`` (``worker.spool``); hash it and count the delivery.
2. **read**: extract the text (``worker.extract``) and parse it into a ``Report`` (``worker.parse``).
3. **check + store**: one unit of work (``worker.store.unit.store_report``): the checks with the same
   body's neighbouring years, the report with its cells and findings (UNIQUE sha256), or its resolution as
   a duplicate, and the re-check of the stored year+1 report.
   The same transaction records the alert tasks in the outbox and where the file is about to go.
4. **alert**: send the outbox's alert tasks (after the commit; a broker outage leaves them to the sweep);
   a task is recorded only when it could mail something (``worker.alerts.need``).
5. **archive**: move to ``archive/`` and record that it went.

A file that cannot be read, checked or stored goes to ``quarantine/<key>/<name>`` with
``quarantine/<key>.error.txt``, a database record and an alert. Until the file has left processing/ nothing
is lost: a failure leaves it there for a retry or a recovery (``worker.sweep``). Only files under the inbox
or processing/ are touched; a symbolic link is quarantined as the link, never followed.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlmodel import Session

from worker import filecheck, names, spool, tasknames
from worker.alerts.need import quarantine_may_alert, report_may_alert
from worker.errors import ExtractionError, ParseError, RetryableError
from worker.logging import get_logger
from worker.parse.models import Report
from worker.registry import assign
from worker.settings import Settings
from worker.store import crud, outbox, relay_store, unit
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
    REFUSED = "refused"  # the path is not under the inbox or processing/: nothing touched


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
    alerted: bool = False  # an alert task was sent (or left in the outbox) for this file's report or quarantine
    rechecked_report_id: int | None = None
    alert_tasks: int = 0  # alert tasks recorded (this file's, and the re-checked year+1 report's)

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
    snapshot: filecheck.Snapshot | None = None  # what was claimed (kind, size, mtime, sha256)
    seen_before: bool = False  # the delivery count: processed completely before (a re-drop of the same file)
    intended: str | None = None  # where an unfinished earlier attempt was moving the file
    alerts: bool = True  # False: no alert task at all (nianbao import --no-alerts)
    finals: list[Callable[[Session], None]] | None = None  # a batch's: the last write is committed with others
    # relayed (file_store = "database"): the submission id; the file is a worker-local copy of the stored
    # bytes, and the inbox side moves the original to archive/ or quarantine/ (worker/relay)
    submission_id: int | None = None
    result: IngestResult = field(init=False)

    def __post_init__(self) -> None:
        self.result = IngestResult(
            status=Outcome.INGESTED,  # until told otherwise
            path=self.arrival.original_path,
            name=self.arrival.name,
            sha256=self.arrival.sha256,
        )


class ContentChanged(RetryableError):
    """The file changed after it was claimed (a writer still at work): retried, never stored half-written."""


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


def ingest_file(
    path: Path,
    *,
    settings: Settings,
    task_id: str,
    send_task: SendTask,
    original: str | None = None,
    alerts: bool = True,
    finals: list[Callable[[Session], None]] | None = None,
) -> IngestResult:
    """Ingest one file end to end.

    Args:
        path: The file named by the task (inbox, or an orphan in processing/).
        settings: The settings.
        task_id: The Celery task id (claim token; a redelivery finds its own claim).
        send_task: ``send_task(name, args)`` enqueues a follow-up task (alerts).
        original: Where the file is recorded as arriving, when not ``path`` (``nianbao import``: the inbox
            path the file would have had, so its sub-folders name its region as a dropped file's do).
        alerts: False: no alert task for this file (``nianbao import --no-alerts``: a backfill of old reports).
        finals: A batch's list: the file's last write (recording where it went, after the move) is appended
            to it instead of committed here; the batch commits several at once (``commit_last_writes``).

    Returns:
        The outcome; ``GONE``/``BUSY`` mean another delivery has or holds the file.

    Raises:
        RetryableError: A transient failure (database, broker); the file stays claimed in processing/.
    """
    started = time.monotonic()
    held = claim_job(path, settings=settings, task_id=task_id, send_task=send_task, original=original,
                     alerts=alerts, finals=finals)  # fmt: skip
    if isinstance(held, IngestResult):
        return held
    try:
        result = _process(held)
    finally:
        held.claim.release()
    log_result(result, started)
    return result


def claim_job(
    path: Path,
    *,
    settings: Settings,
    task_id: str,
    send_task: SendTask,
    original: str | None = None,
    alerts: bool = True,
    finals: list[Callable[[Session], None]] | None = None,
) -> Job | IngestResult:
    """Claim ``path`` and describe it (``ingest_file``'s arguments); the result instead when the file is
    refused, gone or held by another process. The caller releases ``job.claim``."""
    shown = names.display_name(str(path))
    try:
        held = spool.claim(path, settings, task_id, original=original)
    except spool.ClaimRefused:
        log.warning("ingest_refused", path=shown, reason="outside the inbox and processing/")
        return IngestResult(status=Outcome.REFUSED, path=shown, name=names.display_name(path.name),
                            reason="not under the inbox or processing/")
    except (spool.ClaimGone, spool.ClaimBusy) as exc:
        outcome = Outcome.GONE if isinstance(exc, spool.ClaimGone) else Outcome.BUSY
        log.info("file_skipped", path=shown, outcome=outcome.value)
        return IngestResult(status=outcome, path=shown, name=names.display_name(path.name))
    try:
        snap = filecheck.snapshot(held.path)
    except BaseException:
        held.release()
        raise
    return Job(claim=held, arrival=_arrival(held, snap), settings=settings, task_id=task_id,
               send_task=send_task, snapshot=snap, alerts=alerts, finals=finals)  # fmt: skip


def log_result(result: IngestResult, started: float) -> None:
    """The ``file_ingested`` log line of one file (``started``: its ``time.monotonic()`` at the claim)."""
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


def _arrival(held: spool.Claim, snap: filecheck.Snapshot) -> unit.Arrival:
    return unit.Arrival(
        sha256=snap.sha256,
        name=names.display_name(held.name),
        original_path=names.display_name(held.original_path),
        size=snap.size,
        name_raw=names.raw_hex(held.name),
    )


def process(job: Job) -> IngestResult:
    """Count the delivery, then read, check, store, alert and archive (or quarantine) the claimed file."""
    return _process(job)


def _process(job: Job) -> IngestResult:
    # transaction 1: the delivery count must be committed before the work, so a worker killed by this
    # file counts toward max_deliveries even though nothing else of this attempt is written
    with session_scope(job.settings) as session:
        start = unit.start_delivery(session, job.arrival, task_id=job.task_id)
    started(job, start)
    try:
        try:
            report = read_checked(job, unfinished=start.unfinished)
            stored, follow_ups = _check_and_store(job, report)
            archive_stored(job, stored, follow_ups)
        except SoftTimeLimitExceeded as exc:
            raise time_limit_quarantine(job) from exc
    except Quarantine as q:
        settle_quarantine(job, q)
    except RetryableError:
        end_attempt_quietly(job)
        raise
    return job.result


def started(job: Job, start: unit.DeliveryStart) -> None:
    """What the delivery count says about the file (``unit.start_delivery``), kept on the job."""
    job.seen_before, job.intended = start.seen_before, start.destination


def read_checked(job: Job, *, unfinished: int) -> Report:
    """Admit the claimed file (``unfinished``: its delivery count), extract and parse it, and make sure it
    did not change meanwhile.

    Raises:
        Quarantine: The file is refused or cannot be read.
        ContentChanged: The file changed since the claim (retried).
    """
    _admit(job, unfinished=unfinished)
    report = read(job.claim)
    _still_as_claimed(job)
    return report


def time_limit_quarantine(job: Job) -> Quarantine:
    return Quarantine("time_limit", f"processing took longer than soft_time_limit={job.settings.soft_time_limit}s")


def settle_quarantine(job: Job, q: Quarantine) -> None:
    """Quarantine the file for ``q`` (unless it changed since the claim: then it is read again later)."""
    try:
        _still_as_claimed(job)  # a verdict on content that changed since is no verdict
        _quarantine(job, q)
    except RetryableError:
        end_attempt_quietly(job)
        raise


def archive_stored(job: Job, stored: unit.StoreResult, follow_ups: list[FollowUp]) -> None:
    """After the store's commit: send the alert tasks, move the file to archive/ and record it."""
    _archive(job, stored, _send_follow_ups(job, follow_ups))


def refuse_here(job: Job) -> IngestResult | None:
    """Quarantine a claimed file that no worker should be sent (a link or special file, a file above
    ``max_file_mb``); None when it may be sent. The inbox side of the relay (``worker.relay``) calls it."""
    try:
        _admit(job, unfinished=0)
        return None
    except Quarantine as q:
        with session_scope(job.settings) as session:
            start = unit.start_delivery(session, job.arrival, task_id=job.task_id)
        job.seen_before = start.seen_before
        _quarantine(job, q)
        return job.result


def _still_as_claimed(job: Job) -> None:
    """Raise ``ContentChanged`` when the file changed since the claim (a writer still at work)."""
    if job.snapshot is not None and filecheck.changed(job.claim.path, job.snapshot):
        raise ContentChanged(f"{job.arrival.name} changed after it was claimed: read again later")


def _admit(job: Job, *, unfinished: int) -> None:
    """Refuse a link or special file, a file that killed its workers too often, or one too large to read."""
    settings = job.settings
    refused = filecheck.refusal(job.snapshot, job.arrival.name) if job.snapshot else None
    if refused is not None:
        raise Quarantine(str(job.snapshot.kind) if job.snapshot else "special", names.display_name(refused))
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
        return parse_extracted(extracted, source=names.display_name(held.name))
    except ParseError as exc:
        raise Quarantine("parse", exc.message) from exc
    except Exception as exc:
        raise Quarantine("parse", _why(exc, "parsing")) from exc


def _why(exc: Exception, doing: str) -> str:
    if isinstance(exc, SoftTimeLimitExceeded):
        return f"{doing} took longer than soft_time_limit"
    return f"internal error while {doing}: {type(exc).__name__}: {exc}"


FollowUp = tuple[str, int, int]  # (task name, argument, outbox row id)


def _check_and_store(job: Job, report: Report) -> tuple[unit.StoreResult, list[FollowUp]]:
    """Check and store the report (or resolve it as a duplicate), re-check its year+1 report, and record
    the alert tasks (outbox) and the archive destination in the same transaction."""
    try:
        # transaction 2: checks, store (or duplicate) and the year+1 re-check are one unit, so adjacent
        # years stored at the same moment see each other and no verdict is left stale; the alerts it
        # calls for and where the file goes are recorded with it (nothing is lost if the broker is down
        # or the worker dies after the commit)
        with session_scope(job.settings) as session:
            stored, follow_ups = store_in(session, job, report)
    except (RetryableError, SoftTimeLimitExceeded):
        raise
    except Exception as exc:  # a rule bug, a value the database refuses: keep the file, say why
        raise store_quarantine(exc) from exc
    return stored, follow_ups


def store_quarantine(exc: Exception) -> Quarantine:
    return Quarantine("store", f"cannot check or store the report: {type(exc).__name__}: {exc}")


def store_in(
    session: Session,
    job: Job,
    report: Report,
    forms: crud.StoredForms | None = None,
    checked: unit.Checked | None = None,
) -> tuple[unit.StoreResult, list[FollowUp]]:
    """The store unit of one file in the caller's transaction: checks, the report (or its resolution as a
    duplicate), its body, where the file goes and the alert tasks it calls for; fills ``job.result``.

    ``forms``, ``checked``: the report's stored forms and its checks, when the caller made them before its
    transaction (a batch).
    """
    stored = unit.store_report(
        session,
        job.arrival,
        report,
        seen_before=job.seen_before,
        severity_overrides=job.settings.rule_severity,
        forms=forms,
        checked=checked,
    )
    if stored.kind is unit.StoreKind.NEW:  # to its registered body, before its alert is composed
        assign.match_on_ingest(session, stored.report_id, settings=job.settings)
    target: Path | None = None
    if job.submission_id is None:
        target = _archive_target(job, stored)
        unit.intend_move(session, job.arrival, destination=str(target), archived=True)
    else:  # the inbox side chooses the name when it moves the file (worker.relay.inbox_side)
        duplicate = stored.kind is unit.StoreKind.DUPLICATE
        relay_store.decide(session, job.submission_id, outcome="duplicate" if duplicate else "ingested",
                           report_id=stored.report_id)  # fmt: skip
    follow_ups: list[FollowUp] = []
    for ref in _alert_calls(session, job.settings, stored) if job.alerts else []:
        follow_ups.append(
            (tasknames.ALERT_REPORT, ref, unit.record_follow_up(session, tasknames.ALERT_REPORT, ref))
        )
    job.intended = str(target) if target is not None else None
    result = job.result
    result.status = Outcome.DUPLICATE if stored.kind is unit.StoreKind.DUPLICATE else Outcome.INGESTED
    result.report_id, result.rechecked_report_id = stored.report_id, stored.rechecked_id
    result.errors, result.warnings = stored.errors, stored.warnings
    result.alerted = any(ref == stored.report_id for _, ref, _ in follow_ups)
    result.alert_tasks = len(follow_ups)
    return stored, follow_ups


def _alert_calls(session: Session, settings: Settings, stored: unit.StoreResult) -> list[int]:
    """The reports whose ``alert_report`` could mail something: the new (or resumed) one, the re-checked one.

    A report without an alertable finding, or with nobody to tell, gets no task (worker/alerts/need.py);
    a duplicate never does (its content was alerted when it was stored).
    """
    calls: list[int] = []
    if stored.kind is not unit.StoreKind.DUPLICATE and report_may_alert(
        session, settings, sha256=stored.sha256, errors=stored.errors, warnings=stored.warnings, status=stored.status
    ):
        calls.append(stored.report_id)
    again = stored.rechecked
    if again is not None and report_may_alert(
        session, settings, sha256=again.sha256, errors=again.errors, warnings=again.warnings, status=again.status
    ):
        calls.append(again.report_id)
    return calls


def _archive_target(job: Job, stored: unit.StoreResult) -> Path:
    """Where the file goes: the destination an earlier attempt chose (if still free), else a free name."""
    archive = job.settings.archive_path
    directory = archive / "duplicates" if stored.kind is unit.StoreKind.DUPLICATE else archive
    intended = Path(job.intended) if job.intended else None
    if intended is not None and intended.parent == directory and not os.path.lexists(intended):
        spool.make_dir(directory, job.settings)
        return intended
    return spool.free_name(directory, job.arrival.name, job.arrival.sha256[:8], settings=job.settings)


def _send_follow_ups(job: Job, follow_ups: list[FollowUp]) -> list[int]:
    """Send the recorded alert tasks; returns the outbox rows handed to the broker (marked sent by the
    caller's last transaction). What the broker refuses stays unsent in the outbox for the sweep."""
    sent: list[int] = []
    for name, ref, row_id in follow_ups:
        try:
            job.send_task(name, [ref])
            sent.append(row_id)
        except Exception as exc:  # broker outage: the outbox row is sent by the sweep (worker.sweep)
            log.warning("follow_up_deferred", task=name, ref=ref, error=f"{type(exc).__name__}: {exc}")
    return sent


def _archive(job: Job, stored: unit.StoreResult, sent: list[int]) -> None:
    if job.submission_id is not None:  # relayed: the inbox side moves the file; the delivery ends here
        _end_delivery_done(job, sent)
        return
    target = Path(job.intended) if job.intended else _archive_target(job, stored)
    for _ in range(100):
        try:
            spool.archive(job.claim, target, settings=job.settings)
            break
        except FileExistsError:  # another file took the name since it was chosen: choose again
            target = spool.free_name(target.parent, job.arrival.name, job.arrival.sha256[:8], settings=job.settings)
            with session_scope(job.settings) as session:
                unit.intend_move(session, job.arrival, destination=str(target), archived=True)
    job.result.destination = str(target)
    arrival = job.arrival
    recorded = str(target) == job.intended  # the store transaction's intend_move recorded this path

    # transaction 3: after the move (it records that it happened) and the alert tasks sent; a crash
    # before it leaves the delivery started with its destination, which the sweep completes, and the
    # outbox rows unsent, which the sweep sends again (alert tasks are idempotent)
    def finish(session: Session) -> None:
        unit.record_archived(session, arrival, archived_path=str(target), recorded=recorded)
        outbox.mark_sent(session, sent)

    _last_write(job, finish)


def _quarantine(job: Job, q: Quarantine) -> None:
    if job.submission_id is not None:
        _quarantine_relayed(job, q)
        return
    arrival, result, settings = job.arrival, job.result, job.settings
    reason = names.display_name(q.reason)
    # derived names use the display form (valid UTF-8, storable); the exact bytes are in name_raw
    reserved = spool.reserve_quarantine(settings, arrival.name, arrival.sha256[:8])
    # transaction Q1: the record, the destination and the alert before the move, so a quarantined file
    # always has its row (a crash before the move leaves the file in processing/ and the next delivery
    # moves it to the recorded place; a crash after it is completed by the sweep)
    with session_scope(settings) as session:
        record, created = unit.record_quarantine(
            session, arrival, quarantine_path=str(reserved), stage=q.stage, reason=reason
        )
        target = reserved
        if not created and record.quarantine_path and not os.path.lexists(record.quarantine_path):
            target = Path(record.quarantine_path)  # an earlier attempt recorded it and died before the move
        unit.intend_move(session, arrival, destination=str(target), archived=False)
        assert record.id is not None
        follow_ups = _quarantine_follow_ups(session, job, record.id, created=created)
    if target != reserved:
        with contextlib.suppress(OSError):
            reserved.parent.rmdir()
    spool.quarantine(job.claim, target, reason=reason, stage=q.stage, sha256=arrival.sha256, settings=settings)
    result.status, result.quarantine_id = Outcome.QUARANTINED, record.id
    result.reason, result.destination = reason, str(target)
    sent = _send_follow_ups(job, follow_ups)
    result.alerted, result.alert_tasks = bool(follow_ups), len(follow_ups)
    _end_delivery_done(job, sent)  # transaction Q2: after the move; a crash before it is completed by the sweep


def _quarantine_relayed(job: Job, q: Quarantine) -> None:
    """Record the quarantine of a relayed file; the inbox side moves it and writes the note."""
    arrival, result, settings = job.arrival, job.result, job.settings
    assert job.submission_id is not None
    reason = names.display_name(q.reason)
    with session_scope(settings) as session:
        record, created = unit.record_quarantine(session, arrival, quarantine_path=None, stage=q.stage, reason=reason)
        assert record.id is not None
        relay_store.decide(session, job.submission_id, outcome=Outcome.QUARANTINED.value,
                           quarantine_id=record.id, stage=q.stage, reason=reason)  # fmt: skip
        follow_ups = _quarantine_follow_ups(session, job, record.id, created=created)
    result.status, result.quarantine_id, result.reason = Outcome.QUARANTINED, record.id, reason
    sent = _send_follow_ups(job, follow_ups)
    result.alerted, result.alert_tasks = bool(follow_ups), len(follow_ups)

    _end_delivery_done(job, sent)


def _quarantine_follow_ups(session: Session, job: Job, record_id: int, *, created: bool) -> list[FollowUp]:
    """Record the quarantine alert task (once per record, or again for a re-drop) when one could mail."""
    if (created or not job.seen_before) and job.alerts and quarantine_may_alert(job.settings):
        return [(tasknames.ALERT_QUARANTINE, record_id,
                 unit.record_follow_up(session, tasknames.ALERT_QUARANTINE, record_id))]  # fmt: skip
    return []


def _end_delivery_done(job: Job, sent: list[int]) -> None:
    """The file's last write when nothing is left to record of its place: the delivery ends as done and the
    alert tasks handed to the broker are marked sent."""

    def finish(session: Session) -> None:
        unit.end_delivery(session, job.arrival, done=True)
        outbox.mark_sent(session, sent)

    _last_write(job, finish)


LastWrite = Callable[[Session], None]


def _last_write(job: Job, write: LastWrite) -> None:
    """A file's last write (after its move): now, in its own transaction, or handed to the batch that runs
    this ingest (``job.finals``), which commits those of several files in one (``commit_last_writes``)."""
    if job.finals is not None:
        job.finals.append(write)
        return
    with session_scope(job.settings) as session:
        write(session)


def commit_last_writes(settings: Settings, finals: list[LastWrite]) -> bool:
    """Commit the last writes a batch collected from its files, in one transaction (and empty the list).

    Until they commit, each of those files is already in archive/ or quarantine/ and its delivery is
    ``started`` with that destination: if this transaction fails (or the worker dies first), the recovery
    sweep completes the deliveries (``outbox.half_done``) and sends their outbox rows, as after a crash
    between a single file's move and its last update. Returns False when the commit failed.
    """
    if not finals:
        return True
    try:
        with session_scope(settings) as session:
            for write in finals:
                write(session)
        return True
    except Exception as exc:  # the sweep completes them (see above)
        log.warning("last_writes_left_to_sweep", files=len(finals), error=f"{type(exc).__name__}: {exc}")
        return False
    finally:
        finals.clear()


def end_attempt_quietly(job: Job) -> None:
    """A retry is a clean end of this attempt (so it does not count toward the redelivery cap)."""
    try:
        # its own transaction: the one that failed was rolled back
        with session_scope(job.settings) as session:
            unit.end_delivery(session, job.arrival, done=False)
    except Exception:  # the database is what failed; the cap then counts this attempt, which is safe
        log.warning("delivery_not_reset", file=job.arrival.name)
