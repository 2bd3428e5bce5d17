"""Load what an alert is about from the core tables (worker/store/models.py) into alert models."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from worker.alerts.models import QuarantineAlert, ReportAlert
from worker.parse.models import Location, Report
from worker.rules.base import Finding, Severity
from worker.store.models import QuarantineRecord, SourceFile, StoredFinding, StoredReport


def _json(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def finding_from_row(row: StoredFinding) -> Finding:
    """A ``Finding`` from its stored row."""
    loc = Location(
        table=row.table_key, row=row.row_key, col=row.col_key, section=row.section, line=row.line, page=row.page
    )
    has_loc = any(v is not None for v in loc.model_dump().values())
    return Finding(
        rule=row.rule,
        severity=Severity(row.severity),
        status=row.status,  # type: ignore[arg-type]
        title=row.title,
        message=row.message,
        location=loc if has_loc else None,
        expected=_json(row.expected),
        actual=_json(row.actual),
        compared_with=row.compared_with,
    )


def archived_path(session: Session, report_id: int) -> str | None:
    """Where the report's file lies now (the latest archived arrival), if archived yet."""
    return session.exec(
        select(SourceFile.archived_path)
        .where(SourceFile.report_id == report_id, col(SourceFile.archived_path).is_not(None))
        .order_by(col(SourceFile.id).desc())
        .limit(1)
    ).first()


def load_report_alert(session: Session, report_id: int) -> ReportAlert | None:
    """The report version ``report_id`` with its findings, or None when the row is gone."""
    report = session.get(StoredReport, report_id)
    if report is None:
        return None
    findings = session.exec(
        select(StoredFinding).where(StoredFinding.report_id == report_id).order_by(col(StoredFinding.id))
    ).all()
    archived = archived_path(session, report_id)
    version = 1
    if report.identity_key is not None and report.year is not None:
        version = session.exec(
            select(sa.func.count()).where(
                StoredReport.identity_key == report.identity_key,
                StoredReport.year == report.year,
                col(StoredReport.id) <= report_id,
            )
        ).one()
    organ_path: list[str] = []
    try:
        organ_path = Report.model_validate_json(report.report_json).organ_path
    except ValueError:
        pass  # an unreadable blob must not stop the alert; the name and key still say who it is
    return ReportAlert(
        report_id=report.id,
        organ=report.organ,
        organ_path=organ_path,
        identity_key=report.identity_key,
        year=report.year,
        file_name=report.file_name,
        stored_at=archived,
        sha256=report.sha256,
        version=max(1, int(version)),
        findings=[finding_from_row(f) for f in findings],
    )


def load_quarantine_alert(session: Session, quarantine_id: int) -> QuarantineAlert | None:
    """The quarantine record ``quarantine_id``, or None when the row is gone."""
    rec = session.get(QuarantineRecord, quarantine_id)
    if rec is None:
        return None
    return QuarantineAlert(
        quarantine_id=rec.id,
        file_name=rec.name,
        reason=rec.reason,
        stored_at=rec.quarantine_path,
        sha256=rec.sha256,
    )
