"""``nianbao bodies import | export | list | match | unmatched | resolve``: the registry of bodies.

Writes go through worker/registry (import, matching, resolutions); reads through the read layer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from worker.cli.display import echo_table
from worker.exports import bodies_sheet, write
from worker.exports.tables import LEVEL_ZH
from worker.registry.assign import match_all, resolve
from worker.registry.bodies import ChangeKind, ImportResult, import_bodies, parse_file
from worker.settings import get_settings
from worker.store import queries
from worker.store.db import read_scope, session_scope


@click.group("bodies")
def bodies_group() -> None:
    """年报主体名录：导入、导出、列出，报告与主体的匹配。"""


def _print_import(result: ImportResult, *, dry_run: bool) -> None:
    for change in result.changes:
        fields = f"（{'、'.join(change.fields)}）" if change.fields else ""
        click.echo(f"  第 {change.line} 行 {change.kind.label_zh}：{change.path} {change.name}{fields}")
    for error in result.errors:
        click.echo(f"  {error}", err=True)
    counts = "，".join(f"{k.label_zh} {result.count(k)}" for k in ChangeKind)
    if dry_run:
        click.echo(f"试运行，未写入：{counts}")
    elif result.applied:
        click.echo(f"已导入：{counts}" + (f"；跳过错误行 {len(result.errors)} 行" if result.errors else ""))
    else:
        click.echo(f"有 {len(result.errors)} 行错误，未导入任何主体（改正后重试，或用 --skip-bad 跳过错误行）", err=True)


@bodies_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只显示将新增、更新、不变的主体，不写入。")
@click.option("--skip-bad", is_flag=True, help="跳过错误行，导入其余各行。")
def import_command(file: Path, dry_run: bool, skip_bad: bool) -> None:
    """从 CSV 或 XLSX 导入主体名录（按行政区划路径和名称识别，可重复导入）。"""
    rows, errors = parse_file(file)
    with session_scope() as session:
        result = import_bodies(session, rows, errors, dry_run=dry_run, skip_bad=skip_bad)
    _print_import(result, dry_run=dry_run)
    if result.errors and not result.applied and not dry_run:
        sys.exit(2)


@bodies_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_command(file: Path) -> None:
    """导出主体名录（.csv 或 .xlsx，与导入格式相同）。"""
    with read_scope() as session:
        bodies = queries.list_bodies(session)
    try:
        write(file, [bodies_sheet(bodies)])
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"已导出 {len(bodies)} 个主体到 {file}")


@bodies_group.command("list")
@click.option("--region", default=None, help="行政区划，如 将乐县 或 福建省/三明市。")
@click.option("--year", type=int, default=None, help="只列该年度在册的主体。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def list_command(region: str | None, year: int | None, as_json: bool) -> None:
    """列出名录中的主体。"""
    with read_scope() as session:
        bodies = queries.list_bodies(session, region=region, year=year)
    if as_json:
        click.echo(json.dumps([b.model_dump(mode="json") for b in bodies], ensure_ascii=False, indent=2))
        return
    if not bodies:
        click.echo("名录中没有符合条件的主体")
        return
    echo_table(["编号", "名称", "行政区划路径", "层级", "简称", "联系邮箱"], [
        [str(b.id), b.name, b.path, LEVEL_ZH.get(b.level, b.level), "、".join(b.short_names) or "-",
         ";".join(b.contact_emails) or "-"]
        for b in bodies
    ])  # fmt: skip


@bodies_group.command("match")
def match_command() -> None:
    """将全部已入库报告与名录中的主体重新匹配（人工指定的保持不变）。"""
    with session_scope() as session:
        summary = match_all(session, settings=get_settings())
    click.echo(f"已匹配 {summary.matched}，无法确定 {summary.ambiguous}，未匹配 {summary.unmatched}")


@bodies_group.command("unmatched")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def unmatched_command(as_json: bool) -> None:
    """列出未匹配到主体或匹配到多个主体的报告（用 nianbao bodies resolve 指定）。"""
    with read_scope() as session:
        items = queries.unmatched_reports(session)
    if as_json:
        click.echo(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo("所有报告均已匹配到主体")
        return
    echo_table(["报告编号", "报告主体", "年度", "情况", "候选主体"], [
        [str(i.report_id), i.organ or i.identity_key or "-", str(i.year or "-"),
         "多个候选" if i.state == "ambiguous" else "未匹配",
         "；".join(f"#{c.id} {c.name}" for c in i.candidates) or "-"]
        for i in items
    ])  # fmt: skip


@bodies_group.command("resolve")
@click.argument("report_id", type=int)
@click.argument("body_id", type=int)
def resolve_command(report_id: int, body_id: int) -> None:
    """指定报告 REPORT_ID 属于主体 BODY_ID（同一主体以后的版本沿用）。"""
    with session_scope() as session:
        count = resolve(session, report_id, body_id)
    click.echo(f"已指定：报告 #{report_id} 属于主体 #{body_id}（共 {count} 份报告）")


COMMANDS: list[click.Command] = [bodies_group]
