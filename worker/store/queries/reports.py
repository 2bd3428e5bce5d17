"""Report queries: a filtered, sorted, paginated list; one report with its cells, findings and versions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from worker.parse.models import Location
from worker.rules.base import Severity
from worker.store.models import CellValue, SourceFile, StoredFinding, StoredReport
from worker.store.queries.review import review_condition
from worker.store.queries.views import (
    CellView,
    ReportDetail,
    ReportFilter,
    ReportFinding,
    ReportPage,
    ReportSort,
    ReportStatus,
    ReportSummary,
    ReportVersion,
)

MAX_PER_PAGE = 500


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def report_conditions(filters: ReportFilter) -> list[sa.ColumnElement[bool]]:
    """The WHERE conditions on ``report`` selecting the reports that match ``filters`` (all of them hold)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.body:
        pattern = f"%{_like_escape(filters.body)}%"
        conditions.append(
            sa.or_(col(StoredReport.organ).like(pattern, escape="\\"),
                   col(StoredReport.identity_key).like(pattern, escape="\\"))
        )  # fmt: skip
    if filters.path_prefix:
        prefix = filters.path_prefix.strip("/")  # whole path segments: "将乐县" is not a prefix of "将乐县城"
        key = col(StoredReport.identity_key)
        conditions.append(sa.or_(key == prefix, key.like(f"{_like_escape(prefix)}/%", escape="\\")))
    if filters.year is not None:
        conditions.append(col(StoredReport.year) == filters.year)
    if filters.template:
        conditions.append(col(StoredReport.template) == filters.template)
    if filters.status is ReportStatus.ERRORS:  # the four partition the reports (ReportStatus)
        conditions.append(col(StoredReport.status) == "failed")
    elif filters.status is ReportStatus.NEEDS_REVIEW:
        conditions.append(col(StoredReport.status) == "needs_review")
    elif filters.status is ReportStatus.WARNINGS:
        conditions += [col(StoredReport.status) == "ok", col(StoredReport.warning_count) > 0]
    elif filters.status is ReportStatus.OK:
        conditions += [col(StoredReport.status) == "ok", col(StoredReport.warning_count) == 0]
    if filters.rule:
        failing = select(StoredFinding.report_id).where(
            StoredFinding.rule == filters.rule, StoredFinding.status == "fail"
        )  # the finding index (rule, status, report_id) answers this alone
        conditions.append(col(StoredReport.id).in_(failing))
    if filters.review is not None:
        conditions.append(review_condition(filters.review))
    return conditions


def filtered_reports(stmt: SelectOfScalar[Any], filters: ReportFilter) -> SelectOfScalar[Any]:
    """``stmt`` (a select over ``report``) narrowed to the reports matching ``filters``."""
    conditions = report_conditions(filters)
    return stmt.where(*conditions) if conditions else stmt


_ORDER: dict[ReportSort, tuple[Any, ...]] = {
    ReportSort.NEWEST: (col(StoredReport.id).desc(),),
    ReportSort.OLDEST: (col(StoredReport.id),),
    ReportSort.BODY: (col(StoredReport.identity_key), col(StoredReport.year), col(StoredReport.id).desc()),
    ReportSort.YEAR: (col(StoredReport.year).desc(), col(StoredReport.identity_key), col(StoredReport.id).desc()),
    ReportSort.ERRORS: (
        col(StoredReport.error_count).desc(),
        col(StoredReport.warning_count).desc(),
        col(StoredReport.id).desc(),
    ),
}


def _summary(row: StoredReport) -> ReportSummary:
    return ReportSummary.model_validate(row, from_attributes=True)


def list_reports(
    session: Session,
    *,
    filters: ReportFilter | None = None,
    sort: ReportSort = ReportSort.NEWEST,
    page: int = 1,
    per_page: int = 50,
) -> ReportPage:
    """The stored reports matching ``filters``, one page of them in ``sort`` order, and the total.

    Args:
        session: open session.
        filters: what to show (all reports when None).
        sort: order of the rows.
        page: 1-based page number.
        per_page: rows per page (at most ``MAX_PER_PAGE``).
    """
    filters = filters or ReportFilter()
    page, per_page = max(1, page), min(max(1, per_page), MAX_PER_PAGE)
    total = session.exec(filtered_reports(select(func.count()).select_from(StoredReport), filters)).one()
    stmt = filtered_reports(select(StoredReport), filters).order_by(*_ORDER[sort])
    rows = session.exec(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return ReportPage(items=[_summary(r) for r in rows], total=int(total), page=page, per_page=per_page)


def report_ids(session: Session, filters: ReportFilter | None = None) -> list[int]:
    """The ids of every stored report matching ``filters``, oldest first (what a re-check run covers)."""
    stmt = filtered_reports(select(StoredReport.id), filters or ReportFilter()).order_by(col(StoredReport.id))
    return [int(rid) for rid in session.exec(stmt) if rid is not None]


def _json(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def finding_view(row: StoredFinding) -> ReportFinding:
    """A stored finding row as the rule's ``Finding`` with its ids."""
    loc = Location(
        table=row.table_key, row=row.row_key, col=row.col_key, section=row.section, line=row.line, page=row.page
    )
    has_loc = any(v is not None for v in loc.model_dump().values())
    assert row.id is not None
    return ReportFinding(
        id=row.id,
        rule=row.rule,
        severity=Severity(row.severity),
        status=row.status,  # type: ignore[arg-type]
        title=row.title,
        message=row.message,
        location=loc if has_loc else None,
        expected=_json(row.expected),
        actual=_json(row.actual),
        compared_with=row.compared_with,
        compared_report_id=row.compared_report_id,
    )


def report_findings(session: Session, report_id: int) -> list[ReportFinding]:
    """The findings of one report in the order the checks produced them."""
    rows = session.exec(
        select(StoredFinding).where(StoredFinding.report_id == report_id).order_by(col(StoredFinding.id))
    )
    return [finding_view(r) for r in rows]


def archived_path(session: Session, report_id: int) -> str | None:
    """Where the report's file lies now (the latest archived arrival), if archived yet."""
    return session.exec(
        select(SourceFile.archived_path)
        .where(SourceFile.report_id == report_id, col(SourceFile.archived_path).is_not(None))
        .order_by(col(SourceFile.id).desc())
        .limit(1)
    ).first()


def received_at(session: Session, report_id: int) -> dt.datetime | None:
    """When the report's file first arrived in the inbox (None when no arrival was recorded)."""
    return session.exec(
        select(SourceFile.received_at)
        .where(SourceFile.report_id == report_id)
        .order_by(col(SourceFile.id))
        .limit(1)
    ).first()


def report_versions(session: Session, identity_key: str | None, year: int | None) -> list[ReportVersion]:
    """Every stored report of one body and year, oldest first (empty when either is unknown)."""
    if not identity_key or year is None:
        return []
    rows = session.exec(
        select(StoredReport)
        .where(StoredReport.identity_key == identity_key, StoredReport.year == year)
        .order_by(col(StoredReport.id))
    )
    return [ReportVersion.model_validate(r, from_attributes=True) for r in rows]


def _organ_path(row: StoredReport) -> list[str]:
    """The report's administrative path, read from its stored JSON alone (every alert and report page asks:
    validating the whole report for it took ~2 ms, this ~0.3)."""
    try:
        path = json.loads(row.report_json).get("organ_path") or []  # left out of the JSON when empty
    except (ValueError, AttributeError):
        return []  # an unreadable blob must not hide the report; the name and key still say who it is
    return [str(part) for part in path] if isinstance(path, list) else []


def get_report(session: Session, report_id: int, *, with_cells: bool = True) -> ReportDetail | None:
    """One stored report: header facts, cells (unless ``with_cells=False``), findings, versions; None if gone."""
    row = session.get(StoredReport, report_id)
    if row is None:
        return None
    cells: list[CellView] = []
    if with_cells:
        cell_rows = session.exec(
            select(CellValue).where(CellValue.report_id == report_id).order_by(col(CellValue.id))
        )
        cells = [
            CellView(table=c.table_key, row=c.row_key, col=c.col_key, value=c.value, raw=c.raw, unit=c.unit,
                     line=c.line, page=c.page)
            for c in cell_rows
        ]  # fmt: skip
    versions = report_versions(session, row.identity_key, row.year)
    return ReportDetail(
        **_summary(row).model_dump(),
        organ_path=_organ_path(row),
        archived_path=archived_path(session, report_id),
        cells=cells,
        findings=report_findings(session, report_id),
        versions=versions or [ReportVersion.model_validate(row, from_attributes=True)],
    )
