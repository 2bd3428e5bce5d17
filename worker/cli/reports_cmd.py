"""``nianbao reports`` (filtered list of stored reports) and ``nianbao show REPORT_ID`` (one report's findings).

Both only format what the read layer (worker/store/queries) returns; the JSON shapes are stable for scripts.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from worker.cli.display import echo_table, finding_kind_zh, report_status_zh, template_zh, value_zh
from worker.store import queries
from worker.store.db import read_scope

REPORT_HEADERS = ["编号", "报告主体", "年度", "格式版本", "错误", "警告", "状态", "文件"]


def _row(r: queries.ReportSummary) -> dict[str, Any]:
    """The ``reports --json`` shape of one report."""
    return {
        "id": r.id, "organ": r.organ, "identity_key": r.identity_key, "year": r.year, "template": r.template,
        "errors": r.error_count, "warnings": r.warning_count, "status": r.status, "file": r.file_name,
        "sha256": r.sha256, "created_at": r.created_at.isoformat(),
    }  # fmt: skip


@click.command("reports")
@click.option("--body", default=None, help="报告主体名称或路径包含的文字。")
@click.option("--region", "--path", "path_prefix", default=None, metavar="PREFIX",
              help="行政区划路径前缀，如 福建省/三明市/将乐县。")  # fmt: skip
@click.option("--year", type=int, default=None, help="报告年度。")
@click.option("--template", type=click.Choice(["2019", "2021", "unknown"]), default=None, help="格式版本。")
@click.option("--status", type=click.Choice([s.value for s in queries.ReportStatus]), default=None,
              help="ok 通过（无错误无警告）/ errors 有错误 / warnings 仅警告 / "
                   "needs_review 待人工复核（表格无法可靠读取，需原件或人工核对）。")  # fmt: skip
@click.option("--rule", default=None, metavar="RULE_ID", help="有该校验规则未通过的报告，如 T3_BALANCE。")
@click.option("--failed", is_flag=True, help="只列有错误的报告（同 --status errors）。")
@click.option("--sort", type=click.Choice([s.value for s in queries.ReportSort]), default="newest",
              help="排序：newest 最新 / oldest 最早 / body 主体 / year 年度。")  # fmt: skip
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True, help="每页条数。")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True, help="页码。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 列表。")
def reports_command(
    body: str | None, path_prefix: str | None, year: int | None, template: str | None, status: str | None,
    rule: str | None, failed: bool, sort: str, limit: int, page: int, as_json: bool,
) -> None:  # fmt: skip
    """列出已入库的年度报告：主体、年度、格式版本、错误与警告数、状态、文件。"""
    if failed and status not in (None, queries.ReportStatus.ERRORS.value):
        raise click.UsageError("--failed 与 --status 冲突")
    filters = queries.ReportFilter(
        body=body, path_prefix=path_prefix, year=year, template=template, rule=rule,
        status=queries.ReportStatus.ERRORS if failed else (queries.ReportStatus(status) if status else None),
    )  # fmt: skip
    with read_scope() as session:
        result = queries.list_reports(
            session, filters=filters, sort=queries.ReportSort(sort), page=page, per_page=limit
        )
    if as_json:
        click.echo(json.dumps([_row(r) for r in result.items], ensure_ascii=False, indent=2))
        return
    if not result.items:
        click.echo("没有符合条件的报告" if result.total == 0 else f"第 {page} 页没有报告（共 {result.total} 份）")
        return
    echo_table(REPORT_HEADERS, [
        [str(r.id), r.organ or r.identity_key or "-", str(r.year or "-"), template_zh(r.template),
         str(r.error_count), str(r.warning_count), report_status_zh(r.status), r.file_name]
        for r in result.items
    ])  # fmt: skip
    if result.pages > 1:
        click.echo(f"共 {result.total} 份，第 {result.page}/{result.pages} 页（--page 翻页）")


def _header_lines(report: queries.ReportDetail) -> list[tuple[str, str]]:
    verdict = f"{report_status_zh(report.status)}（错误 {report.error_count}，警告 {report.warning_count}）"
    return [
        ("报告主体", report.organ or "-"),
        ("主体路径", "/".join(report.organ_path) or report.identity_key or "-"),
        ("报告年度", f"{report.year}年度" if report.year else "-"),
        ("格式版本", template_zh(report.template)),
        ("标题", report.title or "-"),
        ("发布日期", report.published.isoformat() if report.published else "-"),
        ("文件", report.file_name),
        ("归档位置", report.archived_path or "-"),
        ("接收时间", report.created_at.isoformat(sep=" ", timespec="seconds")),
        ("SHA-256", report.sha256),
        ("状态", verdict),
        ("版本", f"第 {report.version_number} 版，共 {report.version_count} 版"),
    ]


def _print_report(report: queries.ReportDetail) -> None:
    click.echo(f"报告 #{report.id}")
    for label, value in _header_lines(report):
        click.echo(f"  {label}：{value}")
    if report.version_count > 1:
        others = [f"#{v.id} {report_status_zh(v.status)}" for v in report.versions if v.id != report.id]
        click.echo(f"  其他版本：{'，'.join(others)}")
    click.echo(f"校验结果（{len(report.findings)} 项）" if report.findings else "校验结果：无问题")
    for n, f in enumerate(report.findings, start=1):
        click.echo(f"{n:>3}. [{finding_kind_zh(f)}] {f.rule} {f.title}".rstrip())
        click.echo(f"     {f.message}")
        if f.location is not None:
            click.echo(f"     位置：{f.location.describe_zh()}")
        if f.expected is not None or f.actual is not None:
            click.echo(f"     应为：{value_zh(f.expected)}；实际：{value_zh(f.actual)}")


def report_json(report: queries.ReportDetail) -> dict[str, Any]:
    """The ``show --json`` shape: header facts, version n of m, findings with their Chinese location."""
    out = report.model_dump(mode="json", exclude={"cells", "findings"})
    out["version_number"], out["version_count"] = report.version_number, report.version_count
    out["findings"] = [
        {**f.model_dump(mode="json", exclude_none=True),
         "location_zh": f.location.describe_zh() if f.location else None}
        for f in report.findings
    ]  # fmt: skip
    return out


@click.command("show")
@click.argument("report_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def show_command(report_id: int, as_json: bool) -> None:
    """显示一份已入库报告的基本信息和全部校验结果（规则、级别、说明、位置、应为、实际）。"""
    with read_scope() as session:
        report = queries.get_report(session, report_id, with_cells=False)
    if report is None:
        click.echo(f"报告 #{report_id} 不存在", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        _print_report(report)


COMMANDS: list[click.Command] = [reports_command, show_command]
