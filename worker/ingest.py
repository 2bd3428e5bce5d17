"""The ingest of one file, as plain functions (``worker.tasks`` only adds Celery around them).

claim (rename into processing/) -> sha256 -> count the delivery -> extract -> parse -> checks with the
neighbouring years from the database -> store report, cells, findings in ONE transaction (UNIQUE sha256)
and re-check the stored year+1 report -> send the alert task -> move to archive/. A file that cannot be
read or parsed goes to quarantine/ with ``<name>.error.txt``, a database record and an alert. Until the
file has left processing/ nothing is lost: a failure leaves it there for a retry or a recovery.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from worker import spool, tasknames
from worker.errors import ExtractionError, ParseError, RetryableError, StorageError
from worker.logging import get_logger
from worker.rules.base import Finding, Neighbour, RuleContext
from worker.settings import Settings
from worker.store import crud
from worker.store.db import lock_identity, session_scope
from worker.store.models import StoredReport

log = get_logger(__name__)

SendTask = Callable[[str, list[Any]], None]


@dataclass
class IngestResult:
    """What happened to one file (the task's JSON result)."""

    status: str  # ingested | duplicate | quarantined | gone | busy
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
        return asdict(self)


class _Quarantine(Exception):
    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(reason)
        self.stage, self.reason = stage, reason


def sha256_of(path: Path) -> str:
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
        The outcome; ``gone``/``busy`` mean another delivery has or holds the file.

    Raises:
        RetryableError: A transient failure (database); the file stays claimed in processing/.
    """
    started = time.monotonic()
    try:
        held = spool.claim(path, settings, task_id)
    except spool.ClaimGone:
        log.info("file_skipped", path=str(path), outcome="gone")
        return IngestResult(status="gone", path=str(path), name=path.name)
    except spool.ClaimBusy:
        log.info("file_skipped", path=str(path), outcome="busy")
        return IngestResult(status="busy", path=str(path), name=path.name)
    result = IngestResult(status="?", path=held.original_path, name=held.name)
    try:
        _process(held, result, settings=settings, task_id=task_id, send_task=send_task)
    finally:
        held.release()
    log.info(
        "file_ingested",
        outcome=result.status,
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


def _process(
    held: spool.Claim, result: IngestResult, *, settings: Settings, task_id: str, send_task: SendTask
) -> None:
    size = held.path.stat().st_size
    sha = result.sha256 = sha256_of(held.path)
    with session_scope(settings) as session:
        delivery = crud.start_delivery(session, sha256=sha, name=held.name, task_id=task_id)
        seen_before = delivery.state == "done"
    try:
        if delivery.unfinished > settings.max_deliveries:
            raise _Quarantine(
                "deliveries",
                f"processing started {delivery.unfinished} times without finishing "
                f"(worker killed or hard time limit each time; cap {settings.max_deliveries})",
            )
        if size > settings.max_file_mb * 1024 * 1024:
            raise _Quarantine(
                "too_large", f"file is {size / 1048576:.1f} MB, above max_file_mb={settings.max_file_mb}"
            )
        try:
            if settings.test_task_delay > 0:
                time.sleep(settings.test_task_delay)
            report = _read(held)
            _store_and_archive(
                held,
                result,
                report,
                size=size,
                seen_before=seen_before,
                settings=settings,
                send_task=send_task,
            )
        except SoftTimeLimitExceeded as exc:
            raise _Quarantine(
                "time_limit", f"processing took longer than soft_time_limit={settings.soft_time_limit}s"
            ) from exc
    except _Quarantine as q:
        _quarantine(
            held,
            result,
            q.stage,
            q.reason,
            size=size,
            seen_before=seen_before,
            settings=settings,
            send_task=send_task,
        )
    except RetryableError:
        _end_attempt_quietly(settings, sha, held.name)
        raise


def _read(held: spool.Claim) -> Any:
    from worker.extract import extract_file

    try:
        extracted = extract_file(held.path)
    except ExtractionError as exc:
        raise _Quarantine("extract", exc.reason) from exc
    except Exception as exc:  # a bug or a pathological file: keep it, say why, move on
        raise _Quarantine("extract", _why(exc, "reading")) from exc
    from worker.parse import parse_extracted  # imported late: a file that cannot be read needs no parser

    try:
        return parse_extracted(extracted, source=held.name)
    except ParseError as exc:
        raise _Quarantine("parse", exc.message) from exc
    except Exception as exc:
        raise _Quarantine("parse", _why(exc, "parsing")) from exc


def _why(exc: Exception, doing: str) -> str:
    if isinstance(exc, SoftTimeLimitExceeded):
        return f"{doing} took longer than soft_time_limit"
    return f"internal error while {doing}: {type(exc).__name__}: {exc}"


def _context(session: Session, report: Any, settings: Settings, *, exclude: str | None = None) -> RuleContext:
    ctx = RuleContext(severity_overrides=dict(settings.rule_severity))
    key, year = report.identity_key, report.year
    if key and year is not None:
        for attr, other_year in (("previous", year - 1), ("next", year + 1)):
            row = crud.latest_report(session, key, other_year)
            if row is not None and row.sha256 != exclude:
                setattr(ctx, attr, Neighbour(ref=row.sha256, report=crud.load_report(row)))
    return ctx


def _checks(report: Any, ctx: RuleContext) -> list[Finding]:
    from worker.rules import run_checks

    return list(run_checks(report, ctx))


def _store_and_archive(
    held: spool.Claim,
    result: IngestResult,
    report: Any,
    *,
    size: int,
    seen_before: bool,
    settings: Settings,
    send_task: SendTask,
) -> None:
    sha = result.sha256
    assert sha is not None
    rechecked: StoredReport | None = None
    try:
        with session_scope(settings) as session:
            lock_identity(session, report.identity_key)
            findings = _checks(report, _context(session, report, settings))
            stored = crud.insert_report(session, report, findings, sha256=sha, file_name=held.name)
            _add_source(session, held, sha=sha, size=size, status="ingested", report_id=stored.id)
            rechecked = _recheck_next(session, report, settings)
        status, report_id = "ingested", stored.id
        result.errors, result.warnings = stored.error_count, stored.warning_count
    except IntegrityError:
        status, report_id = _known_content(
            held, result, size=size, seen_before=seen_before, settings=settings
        )
    except (RetryableError, _Quarantine):
        raise
    except Exception as exc:  # a rule bug, a value the database refuses: keep the file, say why
        raise _Quarantine("store", f"cannot check or store the report: {type(exc).__name__}: {exc}") from exc
    result.status, result.report_id = status, report_id
    if rechecked is not None:
        result.rechecked_report_id = rechecked.id

    # the alerts decide (error findings -> mail; a fixed re-check -> "resolved"); never for a duplicate
    if status == "ingested":
        _send(send_task, tasknames.ALERT_REPORT, report_id)
        result.alerted = True
    if rechecked is not None:
        _send(send_task, tasknames.ALERT_REPORT, rechecked.id)

    directory = settings.archive_path if status == "ingested" else settings.archive_path / "duplicates"
    target = spool.free_name(directory, held.name, sha[:8])
    spool.archive(held, target)
    result.destination = str(target)
    with session_scope(settings) as session:
        crud.set_archived(session, sha256=sha, name=held.name, archived_path=str(target))
        crud.end_delivery(session, sha256=sha, name=held.name, done=True)


def _known_content(
    held: spool.Claim, result: IngestResult, *, size: int, seen_before: bool, settings: Settings
) -> tuple[str, int | None]:
    """The sha256 is stored already: a resumed delivery of this same file, or a duplicate."""
    sha = result.sha256
    assert sha is not None
    with session_scope(settings) as session:
        existing = crud.report_by_sha(session, sha)
        if existing is None:
            raise StorageError(f"report insert failed for {held.name} but no report has sha256 {sha}")
        result.errors, result.warnings = existing.error_count, existing.warning_count
        own = crud.source_file(session, sha256=sha, name=held.name)
        if (
            own is not None
            and own.report_id == existing.id
            and own.original_path == held.original_path
            and not seen_before
        ):
            # stored by an earlier delivery of this very file that died before alerting/archiving
            return "ingested", existing.id
        _add_source(session, held, sha=sha, size=size, status="duplicate", report_id=existing.id)
        return "duplicate", existing.id


def _add_source(
    session: Session, held: spool.Claim, *, sha: str, size: int, status: str, report_id: int | None
) -> None:
    """Record this delivery's file ("ingested" or "duplicate" of ``report_id``), once per content and name."""
    crud.add_source_file(
        session,
        sha256=sha,
        name=held.name,
        original_path=held.original_path,
        size=size,
        status=status,
        report_id=report_id,
    )


def _recheck_next(session: Session, report: Any, settings: Settings) -> StoredReport | None:
    """Re-check the stored year+1 report of the same body against the report just stored.

    Returns:
        The re-checked row, or None when there is no stored year+1 report.
    """
    if not report.identity_key or report.year is None:
        return None
    nxt = crud.latest_report(session, report.identity_key, report.year + 1)
    if nxt is None or nxt.id is None:
        return None
    nxt_report = crud.load_report(nxt)
    findings = _checks(nxt_report, _context(session, nxt_report, settings, exclude=nxt.sha256))
    crud.replace_findings(session, nxt, findings)
    session.flush()
    return nxt


def _quarantine(
    held: spool.Claim,
    result: IngestResult,
    stage: str,
    reason: str,
    *,
    size: int,
    seen_before: bool,
    settings: Settings,
    send_task: SendTask,
) -> None:
    sha = result.sha256
    target = spool.free_name(settings.quarantine_path, held.name, (sha or "x")[:8])
    with session_scope(settings) as session:
        record, created = crud.add_quarantine(
            session,
            sha256=sha,
            name=held.name,
            original_path=held.original_path,
            quarantine_path=str(target),
            stage=stage,
            reason=reason,
        )
    spool.quarantine(held, target, reason=reason, stage=stage, sha256=sha)
    result.status, result.quarantine_id = "quarantined", record.id
    result.reason, result.destination = reason, str(target)
    if created or not seen_before:
        _send(send_task, tasknames.ALERT_QUARANTINE, record.id)
        result.alerted = True
    if sha is not None:
        with session_scope(settings) as session:
            crud.end_delivery(session, sha256=sha, name=held.name, done=True)


def _send(send_task: SendTask, name: str, ident: int | None) -> None:
    try:
        send_task(name, [ident])
    except Exception as exc:  # broker hiccup: the whole task retries, the stored report is resumed
        raise RetryableError(f"cannot enqueue {name}({ident}): {exc}") from exc


def _end_attempt_quietly(settings: Settings, sha: str, name: str) -> None:
    """A retry is a clean end of this attempt (so it does not count toward the redelivery cap)."""
    try:
        with session_scope(settings) as session:
            crud.end_delivery(session, sha256=sha, name=name, done=False)
    except Exception:  # the database is what failed; the cap then counts this attempt, which is safe
        log.warning("delivery_not_reset", file=name)
