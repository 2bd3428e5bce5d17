"""Findings across reports (the findings export): every finding of the reports a ``ReportFilter`` selects."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import Session, col, select

from worker.store.models import StoredFinding, StoredReport
from worker.store.queries.reports import filtered_reports, finding_view
from worker.store.queries.views import ReportFilter, ReportFinding

MAX_FINDINGS = 100_000


class FindingRow(BaseModel):
    """One finding with the report it belongs to."""

    report_id: int
    organ: str | None
    identity_key: str | None
    year: int | None
    file_name: str
    finding: ReportFinding


def list_findings(
    session: Session, *, filters: ReportFilter | None = None, only_failing: bool = False, limit: int = MAX_FINDINGS
) -> list[FindingRow]:
    """The findings of the reports matching ``filters`` (by report, then in check order).

    Args:
        session: open session.
        filters: which reports (all when None); ``filters.rule`` also keeps only that rule's findings.
        only_failing: drop ``not_assessable`` findings.
        limit: at most this many rows.
    """
    filters = filters or ReportFilter()
    reports = filtered_reports(select(StoredReport.id), filters).subquery()
    stmt = (
        select(StoredFinding, StoredReport)
        .join(StoredReport, col(StoredReport.id) == col(StoredFinding.report_id))
        .where(col(StoredFinding.report_id).in_(select(reports.c.id)))
        .order_by(col(StoredFinding.report_id), col(StoredFinding.id))
        .limit(limit)
    )
    if filters.rule:
        stmt = stmt.where(StoredFinding.rule == filters.rule)
    if only_failing:
        stmt = stmt.where(StoredFinding.status == "fail")
    return [
        FindingRow(report_id=r.id or 0, organ=r.organ, identity_key=r.identity_key, year=r.year,
                   file_name=r.file_name, finding=finding_view(f))
        for f, r in session.exec(stmt)
    ]  # fmt: skip
