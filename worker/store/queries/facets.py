"""Counts per filter value for the report list: how many reports each status, year and template would show.

Each facet is counted under every filter except its own, so the counts beside "2023" tell how many reports
choosing that year would list while the other filters stay as they are (the usual faceted search).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from worker.store.models import StoredReport
from worker.store.queries.reports import filtered_reports, report_conditions
from worker.store.queries.views import ReportFilter, ReportStatus

# the statuses counted by verdict (they partition the reports: ReportStatus)
VERDICTS = (ReportStatus.OK, ReportStatus.WARNINGS, ReportStatus.NEEDS_REVIEW, ReportStatus.ERRORS)


class FacetCount(BaseModel):
    """One value of a facet and how many reports it would list."""

    value: str
    count: int


class ReportFacets(BaseModel):
    """Counts per status, year and template of the reports matching the other filters."""

    total: int  # reports matching every filter
    status: list[FacetCount] = Field(default_factory=list)  # per VERDICTS, zero counts included
    years: list[FacetCount] = Field(default_factory=list)  # newest year first; "" = year unknown
    templates: list[FacetCount] = Field(default_factory=list)  # most reports first

    def count_of(self, facet: str, value: str) -> int:
        """The count shown beside ``value`` of ``facet`` ("status", "years", "templates"); 0 when absent."""
        counts: list[FacetCount] = getattr(self, facet)
        return next((c.count for c in counts if c.value == value), 0)


def _status_case() -> sa.Case[Any]:
    return sa.case(
        (col(StoredReport.status) == "failed", ReportStatus.ERRORS.value),
        (col(StoredReport.status) == "needs_review", ReportStatus.NEEDS_REVIEW.value),
        (col(StoredReport.warning_count) > 0, ReportStatus.WARNINGS.value),
        else_=ReportStatus.OK.value,
    )


def _counts(session: Session, key: Any, conditions: list[sa.ColumnElement[bool]]) -> list[tuple[Any, int]]:
    """(value of ``key``, number of reports) for the reports matching ``conditions``."""
    stmt = sa.select(key, sa.func.count()).select_from(StoredReport)
    if conditions:
        stmt = stmt.where(*conditions)
    return [(value, int(count)) for value, count in session.execute(stmt.group_by(key)).all()]


def report_facets(session: Session, filters: ReportFilter | None = None) -> ReportFacets:
    """Counts per status, year and template under ``filters`` (each facet ignores its own filter).

    Args:
        session: open session.
        filters: the list's filters (all reports when None).
    """
    filters = filters or ReportFilter()
    total = session.exec(filtered_reports(select(func.count()).select_from(StoredReport), filters)).one()

    status = _status_case().label("bucket")
    by_status = dict(_counts(session, status, report_conditions(filters.model_copy(update={"status": None}))))
    status_counts = [FacetCount(value=s.value, count=int(by_status.get(s.value, 0))) for s in VERDICTS]
    year_col = col(StoredReport.year)
    rows_y = _counts(session, year_col, report_conditions(filters.model_copy(update={"year": None})))
    years = sorted(rows_y, key=lambda r: (r[0] is None, -(r[0] or 0)))
    tpl_col = col(StoredReport.template)
    rows_t = _counts(session, tpl_col, report_conditions(filters.model_copy(update={"template": None})))
    templates = sorted(rows_t, key=lambda r: (-int(r[1]), str(r[0])))
    return ReportFacets(
        total=int(total),
        status=status_counts,
        years=[FacetCount(value="" if y is None else str(y), count=int(n)) for y, n in years],
        templates=[FacetCount(value=str(t), count=int(n)) for t, n in templates],
    )
