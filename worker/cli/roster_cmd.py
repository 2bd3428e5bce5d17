"""``nianbao roster`` (who has reported for a region and year) and ``nianbao rollup`` (the region's sums).

Both format what the read layer returns (``queries.roster``, ``queries.rollup``); ``--today`` moves the clock
the deadlines are counted from, so tests and offices can ask "how would it stand on 1 February".
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from worker.cli.display import echo_table, finding_kind_zh, value_zh
from worker.exports import ExportFormat, rollup_sheets, roster_sheet, to_bytes, write
from worker.exports.rollup import cells_sheet
from worker.parse.labels import row_zh
from worker.registry.bodies import today_in
from worker.settings import get_settings
from worker.store import queries
from worker.store.db import read_scope


def _today(value: dt.datetime | None) -> dt.date:
    return value.date() if value else today_in(get_settings().timezone)


def _days_zh(days: int) -> str:
    return f"剩 {days} 天" if days > 0 else ("今日截止" if days == 0 else f"逾期 {-days} 天")


def roster_json(roster: queries.Roster) -> dict[str, Any]:
    """The ``roster --json`` shape."""
    return {
        "region": roster.region, "year": roster.year, "today": roster.today.isoformat(),
        "counts": {state.value: n for state, n in roster.counts.items()},
        "bodies": [
            {"body_id": e.body.id, "name": e.body.name, "path": e.body.path, "level": e.body.level,
             "state": e.state.value, "state_zh": e.state.label_zh, "report_id": e.report_id, "versions": e.versions,
             "received_at": e.received_at.isoformat() if e.received_at else None,
             "deadline": e.deadline.isoformat(), "days_left": e.days_left}
            for e in roster.entries
        ],
    }  # fmt: skip


def _output(out: Path | None, fmt: ExportFormat | None, sheets: list[Any], csv_sheets: list[Any]) -> bool:
    """Write an export to ``out`` or CSV to stdout; True when something was written."""
    if fmt is None:
        return False
    chosen = csv_sheets if fmt is ExportFormat.CSV else sheets
    if out is None:
        if fmt is ExportFormat.XLSX:
            raise click.UsageError("--xlsx 需要文件名")
        click.echo(to_bytes(chosen, fmt, zone=ZoneInfo(get_settings().timezone)).decode("utf-8-sig"), nl=False)
    else:
        write(out, chosen, fmt, zone=ZoneInfo(get_settings().timezone))
        click.echo(f"已导出到 {out}", err=True)
    return True


_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("roster")
@click.option("--region", required=True, help="行政区划，如 将乐县 或 福建省/三明市。")
@click.option("--year", type=int, required=True, help="报告年度。")
@click.option("--today", type=_DATE, default=None, help="按此日期计算距截止天数（默认今天）。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.option("--csv", "as_csv", is_flag=True, help="输出 CSV（配合 -o 写入文件）。")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None, help="写入 XLSX 文件。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="CSV 输出文件。")
def roster_command(region: str, year: int, today: dt.datetime | None, as_json: bool, as_csv: bool,
                   xlsx: Path | None, output: Path | None) -> None:  # fmt: skip
    """某地区某年度各主体的报送情况：未收到 / 已收到·未通过 / 已收到·通过 / 更正后通过。"""
    with read_scope() as session:
        roster = queries.roster(session, region=region, year=year, today=_today(today))
    if as_json:
        click.echo(json.dumps(roster_json(roster), ensure_ascii=False, indent=2))
        return
    fmt = ExportFormat.XLSX if xlsx else (ExportFormat.CSV if as_csv else None)
    if _output(xlsx or output, fmt, [roster_sheet(roster)], [roster_sheet(roster)]):
        return
    if not roster.entries:
        click.echo(f"名录中没有 {region} 在 {year} 年度在册的主体（先用 nianbao bodies import 导入名录）")
        return
    echo_table(["编号", "名称", "状态", "最新接收", "截止日期", "距截止"], [
        [str(e.body.id), e.body.name, e.state.label_zh,
         e.received_at.date().isoformat() if e.received_at else "-", e.deadline.isoformat(), _days_zh(e.days_left)]
        for e in roster.entries
    ])  # fmt: skip
    counts = "，".join(f"{s.label_zh} {n}" for s, n in roster.counts.items())
    click.echo(f"{roster.region} {year}年度：共 {roster.total} 个主体；{counts}（截至 {roster.today.isoformat()}）")


def rollup_json(rollup: queries.Rollup) -> dict[str, Any]:
    """The ``rollup --json`` shape."""
    return {
        "region": rollup.region, "year": rollup.year, "template": rollup.template,
        "included": [{"body_id": m.body.id, "name": m.body.name, "report_id": m.report_id,
                      "latest_report_id": m.latest_report_id, "latest_fails": m.latest_fails} for m in rollup.included],
        "missing": [{"body_id": m.body.id, "name": m.body.name, "latest_report_id": m.latest_report_id}
                    for m in rollup.missing],
        "cells": [c.model_dump(mode="json") for c in rollup.cells],
        "findings": [f.model_dump(mode="json", exclude_none=True) for f in rollup.findings],
    }  # fmt: skip


@click.command("rollup")
@click.option("--region", required=True, help="行政区划，如 将乐县 或 福建省/三明市。")
@click.option("--year", type=int, required=True, help="报告年度。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.option("--csv", "as_csv", is_flag=True, help="输出 CSV（逐格合计；配合 -o 写入文件）。")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写入 XLSX 文件（官方表格样式）。")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="CSV 输出文件。")
def rollup_command(region: str, year: int, as_json: bool, as_csv: bool, xlsx: Path | None, output: Path | None) -> None:
    """某地区某年度的汇总：各主体最新通过版本的二、三、四表合计，纳入与缺报情况，汇总校验。"""
    with read_scope() as session:
        rollup = queries.rollup(session, region=region, year=year)
    if as_json:
        click.echo(json.dumps(rollup_json(rollup), ensure_ascii=False, indent=2))
        return
    fmt = ExportFormat.XLSX if xlsx else (ExportFormat.CSV if as_csv else None)
    if _output(xlsx or output, fmt, rollup_sheets(rollup), [cells_sheet(rollup)]):
        return
    click.echo(f"{rollup.region} {year}年度汇总：纳入 {len(rollup.included)} 个主体，未纳入 {len(rollup.missing)} 个")
    for m in rollup.warnings:
        click.echo(f"  提示：{m.body.name} 最新版本 #{m.latest_report_id} 未通过，汇总使用此前通过的版本 #{m.report_id}")
    for m in rollup.missing:
        click.echo(f"  未纳入：{m.body.name}（{'最新版本未通过' if m.latest_report_id else '未收到报告'}）")
    for row in ("new", "carried_over", "granted", "total", "carried_forward") if rollup.included else ():
        click.echo(f"  {row_zh('applications', row)}·总计：{value_zh(rollup.value('applications', row, 'total'))}")
    if rollup.findings:
        click.echo(f"汇总校验（{len(rollup.findings)} 项）")
        for f in rollup.findings:
            click.echo(f"  [{finding_kind_zh(f)}] {f.rule} {f.message}")
    else:
        click.echo("汇总校验：无问题")


COMMANDS: list[click.Command] = [roster_command, rollup_command]
