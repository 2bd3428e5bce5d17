"""The ingest's units of work: what one file does to the database, each a short function on a session.

``worker.ingest`` decides the order and owns the transactions (``session_scope``); this module decides what
each step writes:

* ``start_delivery`` / ``end_delivery``: count starts of processing one ``(sha256, name)``, so a file that
  kills its worker every time is quarantined after ``max_deliveries``;
* ``store_report``: check the report against the same body's neighbouring years and store it, or resolve it
  as a duplicate / a resumed delivery; then re-check the stored year+1 report. One unit: the checks see the
  neighbours under the body's lock, and the re-check sees the report just stored. ``check_ahead`` makes the
  checks before the transaction (a batch); ``store_report`` keeps them only when it finds the same neighbours;
* ``intend_move``: where the file is about to go (before the move, so a cut-short end is recoverable);
* ``record_archived`` and ``record_quarantine``: where the file went;
* ``record_follow_up``: an alert task in the outbox, in the transaction that calls for it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from worker.errors import StorageError
from worker.parse.models import Report
from worker.rules import run_checks
from worker.rules.base import Finding, Neighbour, RuleContext
from worker.store import crud, outbox
from worker.store.db import lock_identity
from worker.store.models import QuarantineRecord, StoredReport


@dataclass(frozen=True)
class Arrival:
    """One file as it arrived: the key of its delivery, source-file and quarantine rows."""

    sha256: str
    name: str  # display form (valid Unicode: worker.names.display_name)
    original_path: str  # where it was dropped (the inbox path, display form), for the records
    size: int
    name_raw: str | None = None  # hex bytes of a name that is not UTF-8 (worker.names.raw_hex)


@dataclass(frozen=True)
class DeliveryStart:
    """What the delivery count says about this start of processing."""

    unfinished: int  # starts without a clean end, this one included
    seen_before: bool  # the same content under the same name was processed completely before
    destination: str | None = None  # where an unfinished earlier attempt was moving the file


class StoreKind(enum.Enum):
    """How ``store_report`` resolved the report."""

    NEW = "new"  # stored now
    RESUMED = "resumed"  # stored by an earlier delivery of this very file that died before archiving
    DUPLICATE = "duplicate"  # the same content is stored already (another name, or seen before)


@dataclass(frozen=True)
class Verdict:
    """A stored report version's counts after its checks (what decides whether an alert can be due)."""

    report_id: int
    sha256: str
    errors: int
    warnings: int
    status: str = "ok"  # ok | failed | needs_review (worker/rules/status.py)


@dataclass(frozen=True)
class Checked:
    """A report's findings made before its store transaction (``check_ahead``), and the neighbouring years'
    reports they were made against: ``store_report`` keeps them only when it finds the same neighbours."""

    neighbours: tuple[tuple[int, int, str], ...]  # (year, row id, sha256) of each neighbour, by year
    findings: list[Finding]


@dataclass(frozen=True)
class StoreResult:
    """The outcome of ``store_report``."""

    kind: StoreKind
    report_id: int
    errors: int
    warnings: int
    sha256: str = ""
    status: str = "ok"  # ok | failed | needs_review (worker/rules/status.py)
    rechecked: Verdict | None = None  # the stored year+1 report re-checked against this one

    @property
    def rechecked_id(self) -> int | None:
        return self.rechecked.report_id if self.rechecked is not None else None


# --- deliveries -------------------------------------------------------------------------------
def start_delivery(session: Session, arrival: Arrival, *, task_id: str) -> DeliveryStart:
    """Count one more start of processing ``arrival`` (commit it before the work: a crash must count)."""
    row = crud.start_delivery(session, sha256=arrival.sha256, name=arrival.name, task_id=task_id)
    return DeliveryStart(
        unfinished=row.unfinished,
        seen_before=row.state == "done",
        destination=row.destination if row.state != "done" else None,
    )


def end_delivery(session: Session, arrival: Arrival, *, done: bool) -> None:
    """A clean end of this attempt; ``done`` when the file reached archive/ or quarantine/."""
    crud.end_delivery(session, sha256=arrival.sha256, name=arrival.name, done=done)


# --- the report -------------------------------------------------------------------------------
def store_report(
    session: Session,
    arrival: Arrival,
    report: Report,
    *,
    seen_before: bool,
    severity_overrides: dict[str, str],
    forms: crud.StoredForms | None = None,
    checked: Checked | None = None,
) -> StoreResult:
    """Check and store ``report``, or resolve it as a resumed delivery or a duplicate.

    The UNIQUE ``report.sha256`` decides (a savepoint absorbs the losing insert of a race), not the
    SELECT before it, which only spares the checks of a known content.

    Args:
        session: The caller's transaction.
        arrival: The file the report was read from.
        report: The parsed report.
        seen_before: The delivery count says this file was processed completely before.
        severity_overrides: ``rule_severity`` of the settings.
        forms: ``crud.stored_forms(report)``, when made before the transaction.
        checked: ``check_ahead``'s findings, made before the transaction: used when the neighbours are still
            the same, else the report is checked again here.

    Returns:
        How the report was resolved, with its id and counts.

    Raises:
        StorageError: The insert failed on the sha256 but no report has it.
    """
    lock_identity(session, report.identity_key)
    if not crud.report_stored(session, arrival.sha256):
        keys = _neighbour_keys(session, report)  # light: no report_json, usually none
        kept = checked is not None and checked.neighbours == keys
        # the rows (with their JSON) only for checks made here, or for the year+1 report to re-check
        needed = keys and (not kept or any(year == (report.year or 0) + 1 for year, _, _ in keys))
        neighbours = _neighbours(session, report) if needed else {}
        if checked is not None and kept:
            findings = checked.findings
        else:
            findings = run_checks(report, _context(report, neighbours, severity_overrides))
        try:
            with session.begin_nested():
                stored = crud.insert_report(
                    session, report, findings, sha256=arrival.sha256, file_name=arrival.name, forms=forms
                )
                _add_source(session, arrival, status="ingested", report_id=stored.id)
        except IntegrityError:  # another worker stored the same content a moment ago
            pass
        else:
            assert stored.id is not None
            rechecked = _recheck_next(session, report, neighbours, severity_overrides)
            return StoreResult(
                kind=StoreKind.NEW,
                report_id=stored.id,
                errors=stored.error_count,
                warnings=stored.warning_count,
                sha256=stored.sha256,
                status=stored.status,
                rechecked=_verdict(rechecked) if rechecked is not None else None,
            )
    return _known_content(session, arrival, seen_before=seen_before)


def check_ahead(session: Session, report: Report, *, severity_overrides: dict[str, str]) -> Checked:
    """The checks of ``report`` against the neighbours stored now, made outside the store transaction.

    A batch makes them before its transaction so that SQLite's write lock is not held while the rules run;
    ``store_report`` looks at the neighbours again under the lock and checks anew when they changed (a
    neighbour stored in between, or by the same batch).
    """
    neighbours = _neighbours(session, report)
    keys = tuple(sorted((year, row.id or 0, row.sha256) for year, row in neighbours.items()))
    return Checked(keys, run_checks(report, _context(report, neighbours, severity_overrides)))


def _neighbour_keys(session: Session, report: Report) -> tuple[tuple[int, int, str], ...]:
    """``(year, id, sha256)`` of the neighbours ``_neighbours`` would load (none loaded)."""
    key, year = report.identity_key, report.year
    if not key or year is None:
        return ()
    return crud.latest_keys_of_years(session, key, [year - 1, year + 1])


def _known_content(session: Session, arrival: Arrival, *, seen_before: bool) -> StoreResult:
    """The sha256 is stored already: a resumed delivery of this same file, or a duplicate."""
    existing = crud.report_by_sha(session, arrival.sha256)
    if existing is None or existing.id is None:
        raise StorageError(
            f"report insert failed for {arrival.name} but no report has sha256 {arrival.sha256}"
        )
    own = crud.source_file(session, sha256=arrival.sha256, name=arrival.name)
    kind = StoreKind.DUPLICATE
    if (
        own is not None
        and own.report_id == existing.id
        and own.original_path == arrival.original_path
        and not seen_before
    ):
        kind = StoreKind.RESUMED
    else:
        _add_source(session, arrival, status="duplicate", report_id=existing.id)
    return StoreResult(
        kind=kind,
        report_id=existing.id,
        errors=existing.error_count,
        warnings=existing.warning_count,
        sha256=existing.sha256,
        status=existing.status,
    )


def _verdict(row: StoredReport) -> Verdict:
    assert row.id is not None
    return Verdict(report_id=row.id, sha256=row.sha256, errors=row.error_count, warnings=row.warning_count,
                   status=row.status)  # fmt: skip


def _add_source(session: Session, arrival: Arrival, *, status: str, report_id: int | None) -> None:
    """Record this arrival ("ingested" or "duplicate" of ``report_id``), once per content and name."""
    crud.add_source_file(
        session,
        sha256=arrival.sha256,
        name=arrival.name,
        original_path=arrival.original_path,
        size=arrival.size,
        status=status,
        report_id=report_id,
        name_raw=arrival.name_raw,
    )


def _neighbours(session: Session, report: Report, *, exclude: str | None = None) -> dict[int, StoredReport]:
    """The same body's latest stored reports of year-1 and year+1 (not ``exclude``), by year; one query."""
    key, year = report.identity_key, report.year
    if not key or year is None:
        return {}
    rows = crud.latest_of_years(session, key, [year - 1, year + 1])
    return {y: row for y, row in rows.items() if row.sha256 != exclude}


def _context(report: Report, neighbours: dict[int, StoredReport], severity_overrides: dict[str, str]) -> RuleContext:
    """The rule context: the neighbouring years' reports (``_neighbours``)."""
    ctx = RuleContext(severity_overrides=dict(severity_overrides))
    if report.year is not None:
        for attr, other_year in (("previous", report.year - 1), ("next", report.year + 1)):
            row = neighbours.get(other_year)
            if row is not None:
                setattr(ctx, attr, Neighbour(ref=row.sha256, report=crud.load_report(row)))
    return ctx


def _recheck_next(
    session: Session, report: Report, neighbours: dict[int, StoredReport], severity_overrides: dict[str, str]
) -> StoredReport | None:
    """Re-check the stored year+1 report of the same body (found before the insert, which cannot change
    it) against the report just stored.

    Returns:
        The re-checked row, or None when there is no stored year+1 report.
    """
    nxt = neighbours.get(report.year + 1) if report.year is not None else None
    if nxt is None or nxt.id is None:
        return None
    recheck_stored(session, nxt, severity_overrides=severity_overrides)
    return nxt


def recheck_stored(session: Session, stored: StoredReport, *, severity_overrides: dict[str, str]) -> None:
    """Check a stored report again and replace its findings (and counts and status).

    The current rules with ``severity_overrides``, against the neighbouring years stored now: what a
    year+1 re-check and ``nianbao.recheck`` (worker/recheck.py) do. Reviews of findings are kept.
    """
    report = crud.load_report(stored)
    lock_identity(session, report.identity_key)
    neighbours = _neighbours(session, report, exclude=stored.sha256)
    findings: list[Finding] = run_checks(report, _context(report, neighbours, severity_overrides))
    crud.replace_findings(session, stored, findings, report=report)
    session.flush()


# --- where the file went ----------------------------------------------------------------------
def intend_move(session: Session, arrival: Arrival, *, destination: str, archived: bool) -> None:
    """Before the move: where the file goes (``archived``: also its source row's ``archived_path``)."""
    crud.set_destination(session, sha256=arrival.sha256, name=arrival.name, destination=destination)
    if archived:
        crud.set_archived(session, sha256=arrival.sha256, name=arrival.name, archived_path=destination)


def record_follow_up(session: Session, task: str, ref_id: int) -> int:
    """Record ``task(ref_id)`` in the outbox (sent after the commit, or by the sweep); returns the row id."""
    row = outbox.add(session, task, ref_id)
    assert row.id is not None
    return row.id


def record_archived(session: Session, arrival: Arrival, *, archived_path: str, recorded: bool = False) -> None:
    """The file is in archive/: record the path (unless ``recorded``: ``intend_move`` recorded this very path
    before the move) and end the delivery as done."""
    if not recorded:
        crud.set_archived(session, sha256=arrival.sha256, name=arrival.name, archived_path=archived_path)
    end_delivery(session, arrival, done=True)


def record_quarantine(
    session: Session, arrival: Arrival, *, quarantine_path: str | None, stage: str, reason: str
) -> tuple[QuarantineRecord, bool]:
    """Record the quarantine of ``arrival``; ``(record, created)``, False when recorded by an earlier attempt."""
    return crud.add_quarantine(
        session,
        sha256=arrival.sha256,
        name=arrival.name,
        original_path=arrival.original_path,
        quarantine_path=quarantine_path,
        stage=stage,
        reason=reason,
        name_raw=arrival.name_raw,
    )
