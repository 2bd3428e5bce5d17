"""Read helpers of the tests (what the tests look at in the database; the package has no use for them)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from worker import spool
from worker.store.models import CellValue, QuarantineRecord, StoredFinding, StoredReport


def findings_of(session: Session, report_id: int) -> list[StoredFinding]:
    """The stored findings of a report, in insertion order."""
    stmt = select(StoredFinding).where(StoredFinding.report_id == report_id).order_by(col(StoredFinding.id))
    return list(session.exec(stmt))


def cells_of(session: Session, report_id: int) -> list[CellValue]:
    """The stored cells of a report."""
    return list(session.exec(select(CellValue).where(CellValue.report_id == report_id)))


def list_quarantine(session: Session) -> list[QuarantineRecord]:
    """Every quarantine record, newest first."""
    return list(session.exec(select(QuarantineRecord).order_by(col(QuarantineRecord.id).desc())))


def list_reports(
    session: Session, *, failed_only: bool = False, limit: int | None = None
) -> list[StoredReport]:
    """Stored reports, newest first."""
    stmt = select(StoredReport).order_by(col(StoredReport.id).desc())
    if failed_only:
        stmt = stmt.where(StoredReport.status == "failed")
    if limit:
        stmt = stmt.limit(limit)
    return list(session.exec(stmt))


def quarantined(quarantine_root: Path, name: str) -> tuple[Path, Path] | None:
    """Where the file ``name`` lies in quarantine (``quarantine/<key>/<name>``) and its note
    (``quarantine/<key>.error.txt``), or None while it is not there."""
    hits = sorted(quarantine_root.glob(f"*/{name}"))
    return (hits[0], spool.note_path(hits[0])) if hits else None
