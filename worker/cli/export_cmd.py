"""``nianbao export reports | findings | roster | rollup``: spreadsheets for offices (XLSX or CSV with BOM).

The sheets come from worker/exports (the web serves the same); the data from the read layer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from worker.exports import ExportFormat, findings_sheet, reports_sheet, rollup_sheets, roster_sheet, write
from worker.exports.rollup import cells_sheet
from worker.exports.sheets import Sheet
from worker.registry.bodies import today_in
from worker.settings import get_settings
from worker.store import queries
from worker.store.db import read_scope

_FORMAT = click.option("--format", "fmt", type=click.Choice([f.value for f in ExportFormat]), default=None,
                       help="xlsx 或 csv（默认按文件后缀）。")  # fmt: skip
_OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
                       help="输出文件。")  # fmt: skip


def _filters(body: str | None, region: str | None, year: int | None, status: str | None, rule: str | None
             ) -> queries.ReportFilter:  # fmt: skip
    return queries.ReportFilter(body=body, path_prefix=region, year=year, rule=rule,
                                status=queries.ReportStatus(status) if status else None)  # fmt: skip


def _report_filters(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed([
        click.option("--body", default=None, help="报告主体名称或路径包含的文字。"),
        click.option("--region", default=None, help="行政区划路径前缀，如 福建省/三明市/将乐县。"),
        click.option("--year", type=int, default=None, help="报告年度。"),
        click.option("--status", type=click.Choice([s.value for s in queries.ReportStatus]), default=None,
                     help="ok / errors / warnings。"),
        click.option("--rule", default=None, metavar="RULE_ID", help="校验规则编号。"),
    ]):  # fmt: skip
        func = option(func)
    return func


def _write(output: Path, fmt: str | None, sheets: list[Sheet], rows: int) -> None:
    try:
        used = write(output, sheets, ExportFormat(fmt) if fmt else None, zone=ZoneInfo(get_settings().timezone))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"已导出 {rows} 行到 {output}（{used.value}）")


@click.group("export")
def export_group() -> None:
    """导出为电子表格：报告列表、校验结果、报送情况、区域汇总（XLSX 或 CSV）。"""


@export_group.command("reports")
@_report_filters
@_FORMAT
@_OUTPUT
def export_reports(body: str | None, region: str | None, year: int | None, status: str | None, rule: str | None,
                   fmt: str | None, output: Path) -> None:  # fmt: skip
    """导出符合条件的报告列表。"""
    filters = _filters(body, region, year, status, rule)
    items: list[queries.ReportSummary] = []
    with read_scope() as session:
        page = 1
        while True:
            result = queries.list_reports(session, filters=filters, sort=queries.ReportSort.BODY, page=page,
                                          per_page=500)  # fmt: skip
            items += result.items
            if page >= result.pages:
                break
            page += 1
    _write(output, fmt, [reports_sheet(items)], len(items))


@export_group.command("findings")
@_report_filters
@click.option("--failing", is_flag=True, help="不含无法判定的结果。")
@_FORMAT
@_OUTPUT
def export_findings(body: str | None, region: str | None, year: int | None, status: str | None, rule: str | None,
                    failing: bool, fmt: str | None, output: Path) -> None:  # fmt: skip
    """导出符合条件的报告的全部校验结果。"""
    with read_scope() as session:
        rows = queries.list_findings(session, filters=_filters(body, region, year, status, rule), only_failing=failing)
    _write(output, fmt, [findings_sheet(rows)], len(rows))


@export_group.command("roster")
@click.option("--region", required=True, help="行政区划。")
@click.option("--year", type=int, required=True, help="报告年度。")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="计算距截止天数的日期。")
@_FORMAT
@_OUTPUT
def export_roster(region: str, year: int, today: dt.datetime | None, fmt: str | None, output: Path) -> None:
    """导出某地区某年度的报送情况。"""
    day = today.date() if today else today_in(get_settings().timezone)
    with read_scope() as session:
        roster = queries.roster(session, region=region, year=year, today=day)
    _write(output, fmt, [roster_sheet(roster)], roster.total)


@export_group.command("rollup")
@click.option("--region", required=True, help="行政区划。")
@click.option("--year", type=int, required=True, help="报告年度。")
@_FORMAT
@_OUTPUT
def export_rollup(region: str, year: int, fmt: str | None, output: Path) -> None:
    """导出某地区某年度的汇总（XLSX 为官方表格样式；CSV 为逐格合计）。"""
    with read_scope() as session:
        rollup = queries.rollup(session, region=region, year=year)
    chosen = ExportFormat(fmt) if fmt else None
    try:
        chosen = chosen or ExportFormat.of(output)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    sheets = [cells_sheet(rollup)] if chosen is ExportFormat.CSV else rollup_sheets(rollup)
    _write(output, chosen.value, sheets, len(rollup.cells))


COMMANDS: list[click.Command] = [export_group]
