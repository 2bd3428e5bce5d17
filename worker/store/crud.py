"""Reads and writes of the core tables. Every function takes the session; the caller owns the transaction."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from worker.parse.models import Cell, Report
from worker.rules.base import Finding
from worker.rules.status import report_status
from worker.store.db import bulk_insert
from worker.store.models import (
    CellValue,
    Delivery,
    QuarantineRecord,
    SourceFile,
    StoredFinding,
    StoredReport,
    utcnow,
)


def _write(session: Session, stmt: Any, values: dict[str, Any] | None = None) -> sa.CursorResult[Any]:
    """Run an INSERT, or an UPDATE of rows no caller holds as loaded objects, on the session's connection.

    ``session.execute`` would take the ORM's bulk-statement path, which looks for loaded objects to keep in
    step with the new values: ~0.2 ms of Python per statement, several statements per file, where a new row
    has no loaded object and the updated deliveries and source files are read as fresh rows. Same
    transaction, same SQL.
    """
    return session.connection().execute(stmt, values)


# --- the per-file path's statements, built once -----------------------------------------------
# A statement built per call costs SQLAlchemy ~0.1-0.3 ms of Python (every value coerced into a bind
# parameter, then the compiled cache's key computed anew); these run several times for every file, so they
# are built once and run with a dict of values. An INSERT takes its columns, an UPDATE its SET clause, from
# the keys of that dict; ``key_sha256`` and ``key_name`` pick the file's row.
_DELIVERY: sa.Table = Delivery.__table__  # type: ignore[attr-defined]
_SOURCE: sa.Table = SourceFile.__table__  # type: ignore[attr-defined]
_REPORT: sa.Table = StoredReport.__table__  # type: ignore[attr-defined]
_UPDATE_DELIVERY = sa.update(_DELIVERY).where(
    _DELIVERY.c.sha256 == sa.bindparam("key_sha256"), _DELIVERY.c.name == sa.bindparam("key_name")
)
_UPDATE_SOURCE = sa.update(_SOURCE).where(
    _SOURCE.c.sha256 == sa.bindparam("key_sha256"), _SOURCE.c.name == sa.bindparam("key_name")
)
_INSERT_REPORT = sa.insert(_REPORT).returning(_REPORT.c.id)


@functools.cache
def _upserts(dialect: str) -> tuple[Any, Any]:
    """(count a delivery start, record an arrival once): upserts, one statement on SQLite and PostgreSQL."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new = insert(_DELIVERY)
    start = new.on_conflict_do_update(
        index_elements=["sha256", "name"],
        set_={"attempts": _DELIVERY.c.attempts + 1, "unfinished": _DELIVERY.c.unfinished + 1,
              "last_task_id": new.excluded.last_task_id, "updated_at": new.excluded.updated_at},  # fmt: skip
    ).returning(*_DELIVERY.columns)
    arrival = insert(_SOURCE).on_conflict_do_nothing(index_elements=["sha256", "name"])
    return start, arrival


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- deliveries -------------------------------------------------------------------------------
def start_delivery(session: Session, *, sha256: str, name: str, task_id: str | None) -> Delivery:
    """Count one more start of processing ``(sha256, name)``; returns the row after this start (one upsert).

    The returned row's ``unfinished`` already includes this start; ``state`` and ``destination`` are what a
    previous attempt left (``done`` means the same file was processed completely before).
    """
    start, _ = _upserts(_dialect(session))
    values = {"sha256": sha256, "name": name, "attempts": 1, "unfinished": 1, "state": "started",
              "last_task_id": task_id, "updated_at": utcnow()}  # fmt: skip
    return Delivery(**_write(session, start, values).one()._mapping)


def end_delivery(session: Session, *, sha256: str, name: str, done: bool) -> None:
    """Record a clean end of an attempt (``done``: the file reached archive/ or quarantine/)."""
    values: dict[str, Any] = {"key_sha256": sha256, "key_name": name, "unfinished": 0, "updated_at": utcnow()}
    if done:
        values["state"] = "done"
        values["destination"] = None
    _write(session, _UPDATE_DELIVERY, values)


# --- reports ----------------------------------------------------------------------------------
def latest_of_years(session: Session, identity_key: str | None, years: list[int]) -> dict[int, StoredReport]:
    """The most recently stored report of a body for each of ``years``: ``{year: row}`` for the years stored.

    One query, one row per year: the newest id of each year is chosen in the database, so a body with many
    re-submitted versions does not load them all (each row carries its whole ``report_json``).
    """
    if not identity_key or not years:
        return {}
    rows = session.exec(_LATEST_OF_YEARS, params={"identity_key": identity_key, "years": years})
    return {row.year: row for row in rows if row.year is not None}


def latest_keys_of_years(
    session: Session, identity_key: str | None, years: list[int]
) -> tuple[tuple[int, int, str], ...]:
    """``(year, id, sha256)`` of the rows ``latest_of_years`` would load, by year, without loading them (no
    ``report_json``, no ORM objects): what tells whether a body has neighbours, and which."""
    if not identity_key or not years:
        return ()
    rows = session.connection().execute(_LATEST_KEYS, {"identity_key": identity_key, "years": years})
    return tuple(sorted((year, rid, sha) for rid, year, sha in rows if year is not None))


_LATEST_IDS = (
    sa.select(sa.func.max(_REPORT.c.id))
    .where(_REPORT.c.identity_key == sa.bindparam("identity_key"),
           _REPORT.c.year.in_(sa.bindparam("years", expanding=True)))  # fmt: skip
    .group_by(_REPORT.c.year)
    .scalar_subquery()
)
_LATEST_OF_YEARS = select(StoredReport).where(col(StoredReport.id).in_(_LATEST_IDS))
_LATEST_KEYS = sa.select(_REPORT.c.id, _REPORT.c.year, _REPORT.c.sha256).where(_REPORT.c.id.in_(_LATEST_IDS))
_REPORT_BY_SHA = select(StoredReport).where(col(StoredReport.sha256) == sa.bindparam("sha256"))
_REPORT_ID_BY_SHA = sa.select(_REPORT.c.id).where(_REPORT.c.sha256 == sa.bindparam("sha256"))


def report_by_sha(session: Session, sha256: str) -> StoredReport | None:
    return session.exec(_REPORT_BY_SHA, params={"sha256": sha256}).first()


def report_stored(session: Session, sha256: str) -> bool:
    """Is a report of this content stored (without loading its row)?"""
    return session.connection().execute(_REPORT_ID_BY_SHA, {"sha256": sha256}).first() is not None


def load_report(stored: StoredReport) -> Report:
    """Rebuild the parsed ``Report`` of a stored row."""
    return Report.model_validate_json(stored.report_json)


def counts(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings): errors are failed error-severity findings; everything else is a warning."""
    errors = sum(1 for f in findings if f.is_error)
    return errors, len(findings) - errors


@dataclass(frozen=True)
class StoredForms:
    """What a report is stored as, made from the report alone (no database): a batch makes them before its
    store transaction, so not while it holds SQLite's write lock."""

    report_json: str
    cells: list[tuple[Any, ...]]  # rows of CELL_COLUMNS without their leading report_id


def stored_forms(report: Report) -> StoredForms:
    """The report's JSON (fields at their defaults left out: ``load_report`` restores them, ~20 % fewer bytes
    per stored report) and its cell rows."""
    return StoredForms(report.model_dump_json(exclude_defaults=True), list(_cells(report)))


def insert_report(
    session: Session,
    report: Report,
    findings: list[Finding],
    *,
    sha256: str,
    file_name: str,
    forms: StoredForms | None = None,
) -> StoredReport:
    """Insert a report with its cells and findings (raises IntegrityError on a known sha256).

    ``forms``: ``stored_forms(report)`` made before the transaction (made here when not given).
    """
    forms = forms or stored_forms(report)
    errors, warnings = counts(findings)
    stored = StoredReport(
        sha256=sha256,
        file_name=file_name,
        organ=report.organ,
        identity_key=report.identity_key,
        year=report.year,
        template=report.template,
        title=report.title,
        published=report.published,
        status=report_status(report, findings).value,  # ok | failed | needs_review (rules/status.py)
        error_count=errors,
        warning_count=warnings,
        parse_warning_count=len(report.warnings),
        report_json=forms.report_json,
    )
    # one INSERT on the session's connection, not the unit of work's flush (~1 ms of Python per report); the
    # returned object is not attached to the session: callers read its values, never change it
    values = {c.name: getattr(stored, c.name) for c in _REPORT.columns if c.name != "id"}
    stored.id = report_id = _write(session, _INSERT_REPORT, values).scalar_one()
    # ~200 cells: plain rows at the driver's speed (COPY on PostgreSQL), not ORM objects or SQLAlchemy's
    # per-row parameter processing
    bulk_insert(session, CellValue.__table__, CELL_COLUMNS, [(report_id, *cell) for cell in forms.cells])  # type: ignore[attr-defined]
    add_findings(session, report_id, findings)
    return stored


CELL_COLUMNS = ("report_id", "table_key", "row_key", "col_key", "value", "value_exact", "raw", "unit", "line", "page")


def _cells(report: Report) -> Iterator[tuple[Any, ...]]:
    """The report's cells as rows of ``CELL_COLUMNS`` without the report_id."""
    grids: list[tuple[str, dict[str, dict[str, Cell]]]] = [
        (f"disclosure.{block}", rows) for block, rows in report.tables.disclosure.items()
    ]
    grids += [("applications", report.tables.applications), ("reviews", report.tables.reviews)]
    for table, rows in grids:
        for row, cols in rows.items():
            for column, cell in cols.items():
                value = cell.value
                yield (
                    table, row, column, None if value is None else float(value), _exact(value),
                    cell.raw, cell.unit, cell.location.line, cell.location.page,
                )  # fmt: skip


def _exact(value: float | None) -> str | None:
    """The exact digits of an integer value (a float holds 15-17 significant digits only)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def add_findings(session: Session, report_id: int, findings: list[Finding]) -> None:
    """Store findings; ``compared_with`` (a sha256) is resolved to the compared report's id."""
    refs = {f.compared_with for f in findings if f.compared_with}
    ids: dict[str, int | None] = {}
    if refs:
        rows = session.exec(
            select(StoredReport.sha256, StoredReport.id).where(col(StoredReport.sha256).in_(refs))
        )
        ids = {sha: rid for sha, rid in rows}
    values: list[tuple[Any, ...]] = []
    for f in findings:
        loc = f.location
        values.append(
            (
                report_id, f.rule, f.severity.value, f.status, f.title, f.message,
                loc.table if loc else None, loc.row if loc else None, loc.col if loc else None,
                loc.section if loc else None, loc.line if loc else None, loc.page if loc else None,
                _json(f.expected), _json(f.actual),
                f.compared_with, ids.get(f.compared_with) if f.compared_with else None,
            )
        )  # fmt: skip
    bulk_insert(session, StoredFinding.__table__, FINDING_COLUMNS, values)  # type: ignore[attr-defined]


FINDING_COLUMNS = (
    "report_id", "rule", "severity", "status", "title", "message", "table_key", "row_key", "col_key", "section",
    "line", "page", "expected", "actual", "compared_with", "compared_report_id",
)  # fmt: skip


def replace_findings(
    session: Session, stored: StoredReport, findings: list[Finding], *, report: Report | None = None
) -> None:
    """Replace the findings of a stored report after a recheck and update its counts and status.

    ``report`` is the parsed report of ``stored`` (loaded from its row when not given): the status is
    ``report_status(report, findings)``, as on insert.
    """
    assert stored.id is not None
    session.execute(sa.delete(StoredFinding).where(col(StoredFinding.report_id) == stored.id))
    add_findings(session, stored.id, findings)
    errors, warnings = counts(findings)
    stored.error_count, stored.warning_count = errors, warnings
    stored.status = report_status(report or load_report(stored), findings).value
    stored.checked_at = utcnow()
    session.add(stored)


# --- source files and quarantine --------------------------------------------------------------
def add_source_file(
    session: Session,
    *,
    sha256: str,
    name: str,
    original_path: str,
    size: int,
    status: str,
    report_id: int | None,
    name_raw: str | None = None,
) -> None:
    """Record an arrival, once per ``(sha256, name)`` (a repeat leaves the existing row as it is)."""
    _, arrival = _upserts(_dialect(session))
    values = {"sha256": sha256, "name": name, "name_raw": name_raw, "original_path": original_path, "size": size,
              "status": status, "report_id": report_id, "received_at": utcnow()}  # fmt: skip
    _write(session, arrival, values)


def source_file(session: Session, *, sha256: str, name: str) -> SourceFile | None:
    return session.exec(
        select(SourceFile).where(SourceFile.sha256 == sha256, SourceFile.name == name)
    ).first()


def set_destination(session: Session, *, sha256: str, name: str, destination: str) -> None:
    """Record where the file of ``(sha256, name)`` is about to be moved (before the move)."""
    values = {"key_sha256": sha256, "key_name": name, "destination": destination, "updated_at": utcnow()}
    _write(session, _UPDATE_DELIVERY, values)


def set_archived(session: Session, *, sha256: str, name: str, archived_path: str) -> None:
    _write(session, _UPDATE_SOURCE, {"key_sha256": sha256, "key_name": name, "archived_path": archived_path})


def add_quarantine(
    session: Session,
    *,
    sha256: str | None,
    name: str,
    original_path: str,
    quarantine_path: str | None,
    stage: str,
    reason: str,
    name_raw: str | None = None,
) -> tuple[QuarantineRecord, bool]:
    """Record a quarantined file; returns ``(record, created)`` (False when this arrival was recorded before)."""
    if sha256 is not None:
        existing = session.exec(
            select(QuarantineRecord).where(QuarantineRecord.sha256 == sha256, QuarantineRecord.name == name)
        ).first()
        if existing is not None:
            return existing, False
    row = QuarantineRecord(
        sha256=sha256,
        name=name,
        name_raw=name_raw,
        original_path=original_path,
        quarantine_path=quarantine_path,
        stage=stage,
        reason=reason,
    )
    session.add(row)
    session.flush()
    return row, True
