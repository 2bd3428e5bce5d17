"""Reports: the list with filters, counts and pages; one report; its original file; its versions.

    GET /                          the report list
    GET /reports                   ?q= &path= &year= &template= &status= &rule= &sort= &page=
    GET /reports/{id}              header facts, tables 二 三 四 with flagged cells, findings, sections' text
    GET /reports/{id}/file         the archived original (attachment; only from under the archive dir)
    GET /reports/{id}/versions     ?a= &b=  the versions of the same body and year, and what changed

Everything is read through the read layer (``worker.store.queries``); report content is untrusted and only
ever autoescaped by the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from worker.parse.labels import NOT_ASSESSABLE_ZH, REPORT_STATUS_ZH, SEVERITY_ZH, cell_zh
from worker.store import queries
from worker.store.queries import ReportFilter, ReportSort, ReportStatus
from worker.web.deps import CurrentUser, SessionDep, SettingsDep
from worker.web.pages import render
from worker.web.report_tables import (
    CellIndex,
    application_grid,
    disclosure_grids,
    review_cells,
    review_columns,
)

router = APIRouter()
PER_PAGE = 50
STATUS_ZH = {s.value: s.label for s in ReportStatus}  # the list's filter: 通过 / 有错误 / 仅有警告 / 待人工复核
VERDICT_ZH = REPORT_STATUS_ZH  # a stored report's status: 通过 / 未通过 / 待人工复核
SORT_ZH = {
    ReportSort.NEWEST: "最新收到", ReportSort.OLDEST: "最早收到", ReportSort.BODY: "报告主体",
    ReportSort.YEAR: "报告年度", ReportSort.ERRORS: "错误最多",
}  # fmt: skip
FILTER_PARAMS = ("q", "path", "year", "template", "status", "rule", "review")
_R = queries.ReviewState
REVIEW_STATES = (_R.UNREVIEWED, _R.CONFIRMED, _R.NOT_ERROR, _R.REVIEWED)  # the list's review filter, in this order


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _year(value: str | None) -> int | None:
    value = _text(value)
    return int(value) if value is not None and value.isdigit() and len(value) == 4 else None


def _status(value: str | None) -> ReportStatus | None:
    return next((s for s in ReportStatus if s.value == value), None)


def _review(value: str | None) -> queries.ReviewState | None:
    return next((s for s in queries.ReviewState if s.value == value), None)


def _sort(value: str | None) -> ReportSort:
    return next((s for s in ReportSort if s.value == value), ReportSort.NEWEST)


def list_filter(query: Mapping[str, str]) -> ReportFilter:
    """The report list's filters from a query string (``q path year template status rule review``): what the
    list page shows and what its export buttons download."""
    return ReportFilter(
        body=_text(query.get("q")), path_prefix=_text(query.get("path")), year=_year(query.get("year")),
        template=_text(query.get("template")), status=_status(query.get("status")), rule=_text(query.get("rule")),
        review=_review(query.get("review")),
    )  # fmt: skip


def list_sort(query: Mapping[str, str]) -> ReportSort:
    """The report list's order from a query string (``sort``)."""
    return _sort(query.get("sort"))


def export_query(params: Mapping[str, str]) -> str:
    """The query string of the export links for the list shown with ``params`` (its filters and order)."""
    return urlencode({k: v for k, v in params.items() if v and (k in FILTER_PARAMS or k == "sort")})


def body_url(identity_key: str) -> str:
    """The URL of a body's years page (each path segment percent-encoded, the slashes kept)."""
    return f"/bodies/{quote(identity_key, safe='/')}/years"


def show_value(value: object) -> str:
    """A finding's expected or actual value as a clerk reads it (numbers without ".0", lists joined)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return "、".join(show_value(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{show_value(v)}" for k, v in value.items())
    return str(value)


def common_labels() -> dict[str, Any]:
    """Labels and helpers every report template uses (severity, verdict, status, body links)."""
    return {"severity_zh": SEVERITY_ZH, "not_assessable_zh": NOT_ASSESSABLE_ZH, "verdict_zh": VERDICT_ZH,
            "status_zh": STATUS_ZH, "body_url": body_url, "show": show_value, "cell_name": cell_zh}  # fmt: skip


@router.get("/")
def home() -> Response:
    """The start page is the report list."""
    return RedirectResponse("/reports", status_code=303)


@router.get("/reports")
def list_reports(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    q: str | None = None,
    path: str | None = None,
    year: str | None = None,
    template: str | None = None,
    status: str | None = None,
    rule: str | None = None,
    sort: str | None = None,
    page: int = 1,
    review: str | None = None,
) -> Response:
    """The stored reports matching the filters, one page, with counts per status, year and template."""
    filters = ReportFilter(
        body=_text(q), path_prefix=_text(path), year=_year(year), template=_text(template),
        status=_status(status), rule=_text(rule),
    )  # fmt: skip
    filters.review = _review(review)
    order = _sort(sort)
    result = queries.list_reports(session, filters=filters, sort=order, page=page, per_page=PER_PAGE)
    facets = queries.report_facets(session, filters)
    params = {
        "q": filters.body or "", "path": filters.path_prefix or "", "year": str(filters.year or ""),
        "template": filters.template or "", "status": filters.status.value if filters.status else "",
        "rule": filters.rule or "", "sort": order.value if order is not ReportSort.NEWEST else "",
    }  # fmt: skip
    params["review"] = filters.review.value if filters.review else ""

    def url(**changes: object) -> str:
        merged = {**params, "page": "", **{k: "" if v is None else str(v) for k, v in changes.items()}}
        query = urlencode({k: v for k, v in merged.items() if v and not (k == "page" and v == "1")})
        return "/reports" + (f"?{query}" if query else "")

    context = {
        "page": result, "facets": facets, "params": params, "url": url, "sorts": SORT_ZH, "sort": order,
        "statuses": list(ReportStatus), "filtered": any(params[k] for k in FILTER_PARAMS), **common_labels(),
    }  # fmt: skip
    context |= {"review_states": REVIEW_STATES, "exports": export_query(params)}
    return render(request, "reports/list.html", context, user=user, nav="reports")


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """One report: what it is, its tables with the flagged cells, its findings and its text."""
    report = queries.get_report(session, report_id)
    text = queries.report_text(session, report_id)
    if report is None or text is None:
        raise HTTPException(status_code=404)
    index = CellIndex(report.cells, report.findings)
    template = report.template
    located = {f.id for f in report.findings if f.location and f.location.table}
    excerpts = {
        f.id: text.excerpt(f.location.line)
        for f in report.findings
        if f.location and f.location.line and (f.rule.startswith("TXT_") or not f.location.table)
    }
    context = {
        "report": report, "text": text, "excerpts": excerpts, "located": located,
        "disclosure": disclosure_grids(index, template), "applications": application_grid(index, template),
        "reviews": review_cells(index), "review_columns": review_columns(),
        "received": queries.received_at(session, report_id), **common_labels(),
        "finding_reviews": queries.finding_reviews(session, report_id),
    }  # fmt: skip
    return render(request, "reports/one.html", context, user=user, nav="reports")


@router.get("/reports/{report_id}/file")
def report_file(report_id: int, session: SessionDep, settings: SettingsDep, _user: CurrentUser) -> Response:
    """The original file as received, as a download; only a file under the archive directory is served."""
    report = queries.get_report(session, report_id, with_cells=False)
    if report is None or report.archived_path is None:
        raise HTTPException(status_code=404)
    archive = settings.archive_path
    path = Path(report.archived_path).resolve()
    if not path.is_relative_to(archive) or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, filename=report.file_name, content_disposition_type="attachment")


@router.get("/reports/{report_id}/versions")
def report_versions(
    request: Request,
    report_id: int,
    session: SessionDep,
    user: CurrentUser,
    a: int | None = None,
    b: int | None = None,
) -> Response:
    """The versions of this report's body and year; what changed from version ``a`` to ``b``.

    By default: from the version before this one to this one; for the first version, from it to the next.
    """
    report = queries.get_report(session, report_id, with_cells=False)
    if report is None:
        raise HTTPException(status_code=404)
    ids = [v.id for v in report.versions]
    if a not in ids or b not in ids or a == b:
        at = ids.index(report_id) if report_id in ids else 0
        if at > 0:
            a, b = ids[at - 1], ids[at]  # what this version changed
        else:
            a, b = ids[at], (ids[at + 1] if at + 1 < len(ids) else None)  # what the next version changed
    comparison = queries.compare_versions(session, a, b) if a is not None and b is not None else None
    numbers = {v.id: n for n, v in enumerate(report.versions, start=1)}
    context = {"report": report, "comparison": comparison, "numbers": numbers, **common_labels()}
    return render(request, "reports/versions.html", context, user=user, nav="reports")
