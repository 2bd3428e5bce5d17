"""The registry pages (issue 14): the roster, the regional roll-up, unmatched reports, spreadsheet downloads.

    GET  /roster?region=&year=&today=      every registered body with its state, counts, received-over-time plot
    GET  /rollup?region=&year=             三 and 四 summed in the official layout, members, checks, figures by year
    GET  /bodies/unmatched                 reports whose body is unknown or ambiguous, with a resolve form
    POST /bodies/unmatched/{id}/resolve    operators: ``worker.registry.assign.resolve`` (audit-logged)
    GET  /exports/{roster|rollup|reports|findings}.{xlsx|csv}   the same sheets as ``nianbao export``
         (reports and findings: the report list's filters ``q path year template status rule review sort``,
         or ``region`` for ``path``; the file is named in Chinese by RFC 5987 ``filename*``)

Everything is read through ``worker.store.queries`` and written as sheets by ``worker.exports``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from openpyxl.utils.cell import range_boundaries
from sqlmodel import Session

from worker.exports import (
    ExportFormat,
    Sheet,
    findings_sheet,
    reports_sheet,
    rollup_sheets,
    roster_sheet,
    to_bytes,
)
from worker.exports.rollup import applications_sheet, reviews_sheet
from worker.registry.assign import ResolveError, resolve
from worker.registry.bodies import today_in
from worker.settings import Settings
from worker.store import queries
from worker.store.web_models import AuditAction, AuditOutcome
from worker.web.audit import record_action
from worker.web.deps import CurrentUser, OperatorUser, SessionDep, SettingsDep
from worker.web.pages import flash, render
from worker.web.routes.reports import list_filter, list_sort
from worker.web.svg import Marker, Series, line_chart

router = APIRouter()
MAX_EXPORT_REPORTS = 100_000
EXPORT_PAGE = 500  # the read layer's largest page


@dataclass(frozen=True)
class GridCell:
    """One header cell of a sheet drawn as HTML (merged cells become row and column spans)."""

    text: str
    rowspan: int = 1
    colspan: int = 1


def header_grid(sheet: Sheet) -> list[list[GridCell]]:
    """The header rows of ``sheet`` (``extra_header`` + ``headers``) with its XLSX merges as spans."""
    rows = [*sheet.extra_header, sheet.headers]
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for merge in sheet.merges:
        c1, r1, c2, r2 = range_boundaries(merge)
        assert c1 is not None and r1 is not None and c2 is not None and r2 is not None
        spans[(r1 - 1, c1 - 1)] = (r2 - r1 + 1, c2 - c1 + 1)
        covered |= {(r, c) for r in range(r1 - 1, r2) for c in range(c1 - 1, c2)} - {(r1 - 1, c1 - 1)}
    grid = []
    for r, row in enumerate(rows):
        cells = []
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            cells.append(GridCell(text=text, rowspan=rowspan, colspan=colspan))
        grid.append(cells)
    return grid


def _year(year: int | None, today: dt.date) -> int:
    return year or today.year - 1


def _region(region: str | None, settings: Settings) -> str:
    return (region if region is not None else settings.default_region) or ""


def region_path(roster: queries.Roster) -> str | None:
    """The region's full administrative path ("将乐县" -> "福建省/三明市/将乐县") as its bodies' paths name it,
    for the report list's ``path`` filter (a prefix); None when they disagree or there are none."""
    segments = roster.region.split("/") if roster.region else []
    n, found = len(segments), set()
    for entry in roster.entries:
        parts = entry.body.path.split("/")
        found |= {"/".join(parts[: i + n]) for i in range(len(parts) - n + 1) if parts[i : i + n] == segments}
    return found.pop() if len(found) == 1 else None


def _query(**params: object) -> str:
    return "&".join(f"{k}={quote(str(v))}" for k, v in params.items() if v not in (None, ""))


@router.get("/roster")
def roster_page(request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
                region: str | None = None, year: int | None = None, today: dt.date | None = None,
                state: str | None = None) -> Response:  # fmt: skip
    """Who has reported for a region and year."""
    day = today or today_in(settings.timezone)
    name, wanted = _region(region, settings), _year(year, day)
    roster = queries.roster(session, region=name, year=wanted, today=day)
    shown = [e for e in roster.entries if not state or e.state.value == state]
    received = queries.received_over_time(session, region=name, year=wanted)
    deadlines = sorted({e.deadline for e in roster.entries})
    points = [(p[0], p[1]) for p in received]
    chart = line_chart(
        [Series("已收到报告的主体（累计）", points, step=True),
         Series("应报送主体", [(points[0][0], roster.total), (max([points[-1][0], *deadlines]), roster.total)]
                if points else [], css="series-total")],
        title=f"{roster.region or '全部'} {wanted}年度：收到报告的主体数", y_label="主体数",
        markers=[Marker(d, f"截止 {d.month}月{d.day}日") for d in deadlines],
    ) if roster.entries else Markup("")  # fmt: skip
    query = _query(region=name, year=wanted, today=today.isoformat() if today else None)
    list_query = _query(path=region_path(roster) or name, year=wanted)  # the report list's filters
    return render(request, "roster/roster.html", {"list_query": list_query,
        "roster": roster, "entries": shown, "state": state or "", "states": list(queries.RosterState),
        "region": name, "year": wanted, "query": query, "chart": chart,
    }, user=user, nav="roster")  # fmt: skip


@router.get("/rollup")
def rollup_page(request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
                region: str | None = None, year: int | None = None) -> Response:  # fmt: skip
    """The region's sums in the official layout, with its members and checks, and its figures over the years."""
    name, wanted = _region(region, settings), _year(year, today_in(settings.timezone))
    rollup = queries.rollup(session, region=name, year=wanted)
    tables = [(sheet, header_grid(sheet)) for sheet in (applications_sheet(rollup), reviews_sheet(rollup))]
    history = queries.rollup_history(session, region=name)
    series = [Series(label, [(h.year, h.values[label]) for h in history]) for label, *_ in queries.ROLLUP_FIGURES]
    chart = line_chart(series, title=f"{rollup.region or '全部'}：主要数据历年汇总", y_label="件", x_ticks=len(history))
    return render(request, "roster/rollup.html", {
        "rollup": rollup, "tables": tables, "history": history, "figures": [f[0] for f in queries.ROLLUP_FIGURES],
        "chart": chart, "region": name, "year": wanted, "query": _query(region=name, year=wanted),
    }, user=user, nav="rollup")  # fmt: skip


@router.get("/bodies/unmatched")
def unmatched_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Reports waiting for a person to name their body."""
    items = queries.unmatched_reports(session)
    bodies = queries.list_bodies(session)
    return render(request, "roster/unmatched.html", {"items": items, "bodies": bodies}, user=user, nav="unmatched")


@router.post("/bodies/unmatched/{report_id}/resolve")
def resolve_report(request: Request, report_id: int, session: SessionDep, user: OperatorUser,
                   body_id: Annotated[int, Form()]) -> Response:  # fmt: skip
    """Record which body the report is (and every version of its identity)."""
    target = f"report:{report_id}"
    try:
        count = resolve(session, report_id, body_id)
    except ResolveError as exc:
        record_action(session, request, user=user, action=AuditAction.BODY_RESOLVE, outcome=AuditOutcome.FAILED,
                      target=target, detail=str(exc))  # fmt: skip
        flash(request, f"无法指定报告主体：{exc}")
        return RedirectResponse("/bodies/unmatched", status_code=303)
    record_action(session, request, user=user, action=AuditAction.BODY_RESOLVE, target=target,
                  detail=f"body:{body_id}")  # fmt: skip
    flash(request, f"已为报告 #{report_id} 指定报告主体（共 {count} 份报告）")
    return RedirectResponse("/bodies/unmatched", status_code=303)


def _report_rows(session: Session, query: Mapping[str, str]) -> list[queries.ReportSummary]:
    """Every report of the list the query string shows (up to MAX_EXPORT_REPORTS), in its order."""
    filters, order = list_filter(query), list_sort(query)
    items: list[queries.ReportSummary] = []
    page = 1
    while len(items) < MAX_EXPORT_REPORTS:
        result = queries.list_reports(session, filters=filters, sort=order, page=page, per_page=EXPORT_PAGE)
        items += result.items
        if page >= result.pages:
            break
        page += 1
    return items[:MAX_EXPORT_REPORTS]


def _list_label(query: Mapping[str, str]) -> str:
    """What a report-list export holds, for its file name: the region and year filtered on, if any."""
    parts = [(query.get("path") or "").strip("/").replace("/", "-"), (query.get("year") or "").strip()]
    return "".join(f"-{p}" for p in parts if p)


def _sheets(kind: str, session: Session, settings: Settings, *, region: str | None, year: int | None,
            today: dt.date | None, query: Mapping[str, str]) -> tuple[list[Sheet], str]:  # fmt: skip
    day = today or today_in(settings.timezone)
    name, wanted = _region(region, settings), _year(year, day)
    label = (name.replace("/", "-") or "全部") + f"-{wanted}"
    if kind == "roster":
        return [roster_sheet(queries.roster(session, region=name, year=wanted, today=day))], f"报送情况-{label}"
    if kind == "rollup":
        return rollup_sheets(queries.rollup(session, region=name, year=wanted)), f"区域汇总-{label}"
    if region and not query.get("path"):  # the roster's links name the region
        query = {**query, "path": region}
    label = _list_label(query)
    if kind == "findings":
        return [findings_sheet(queries.list_findings(session, filters=list_filter(query)))], f"校验结果{label}"
    return [reports_sheet(_report_rows(session, query))], f"报告列表{label}"


@router.get("/exports/{kind}.{fmt}")
def export(request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser, kind: str, fmt: str,
           region: str | None = None, year: int | None = None, today: dt.date | None = None) -> Response:  # fmt: skip
    """A spreadsheet of the roster, the roll-up, the report list or the findings (XLSX, or CSV with BOM)."""
    if kind not in ("roster", "rollup", "reports", "findings") or fmt not in {f.value for f in ExportFormat}:
        raise HTTPException(status_code=404)
    form = ExportFormat(fmt)
    sheets, stem = _sheets(kind, session, settings, region=region, year=year, today=today,
                           query=request.query_params)  # fmt: skip
    if form is ExportFormat.CSV and kind == "rollup":
        sheets = sheets[-1:]  # the long form: every summed cell
    name = quote(f"{stem}.{form.value}")
    return Response(to_bytes(sheets, form, zone=ZoneInfo(settings.timezone)), media_type=form.media_type,
                    headers={"Content-Disposition": f"attachment; filename=\"{kind}.{form.value}\"; "
                                                    f"filename*=UTF-8''{name}"})  # fmt: skip
