"""Load what an alert is about through the read layer (worker/store/queries) into alert models."""

from __future__ import annotations

from sqlmodel import Session

from worker.alerts.models import QuarantineAlert, ReportAlert
from worker.store import queries
from worker.store.queries import archived_path

__all__ = ["archived_path", "load_quarantine_alert", "load_report_alert"]


def load_report_alert(session: Session, report_id: int) -> ReportAlert | None:
    """The report version ``report_id`` with its findings, or None when the row is gone.

    Findings a person reviewed as "not an error" (on this version or an earlier one) are left out, so they
    are never alerted again.
    """
    report = queries.get_report(session, report_id, with_cells=False)
    if report is None:
        return None
    dismissed = queries.dismissed_finding_ids(session, report_id)  # a person said "not an error"
    return ReportAlert(
        report_id=report.id,
        organ=report.organ,
        organ_path=report.organ_path,
        identity_key=report.identity_key,
        year=report.year,
        file_name=report.file_name,
        stored_at=report.archived_path,
        sha256=report.sha256,
        version=report.version_number,
        findings=[f.as_finding() for f in report.findings if f.id not in dismissed],
    )


def load_quarantine_alert(session: Session, quarantine_id: int) -> QuarantineAlert | None:
    """The quarantine record ``quarantine_id``, or None when the row is gone."""
    record = queries.get_quarantine(session, quarantine_id)
    if record is None:
        return None
    return QuarantineAlert(
        quarantine_id=record.id,
        file_name=record.name,
        reason=record.reason,
        stored_at=record.quarantine_path,
        sha256=record.sha256,
    )
