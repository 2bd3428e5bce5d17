"""``nianbao parse FILE`` and ``nianbao check FILE...``: work on files directly, no queue, no database.

Exit codes: 0 ok (no error findings), 1 error findings, 2 a file could not be read or parsed (the reason is
printed on stderr).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from worker.errors import NianbaoError
from worker.parse.models import Report
from worker.rules.base import Finding

SEVERITY_ZH = {"error": "错误", "warning": "警告"}


def _read(path: Path) -> Report:
    from worker.parse import read_report

    return read_report(path)


def _summary(report: Report) -> str:
    tables = report.tables
    lines = [
        f"file:      {report.source}",
        f"organ:     {report.organ or '-'}  ({'/'.join(report.organ_path) or '-'}, {report.organ_level})",
        f"year:      {report.year or '-'}  (title {report.title_year or '-'}, period {report.period_year or '-'})",
        f"title:     {report.title or '-'}",
        f"published: {report.published.isoformat() if report.published else '-'}",
        f"template:  {report.template}  {report.template_parts}",
        "sections:  " + (", ".join(f"{s.no} {s.key} (line {s.line})" for s in report.sections) or "-"),
        f"tables:    二 {sum(len(r) for r in tables.disclosure.values())} rows in {len(tables.disclosure)} blocks, "
        f"三 {len(tables.applications)} rows, 四 {sum(len(c) for c in tables.reviews.values())} cells",
    ]
    lines += [
        f"warning:   [{w.code}] {w.message}" + (f" (line {w.line})" if w.line else "")
        for w in report.warnings
    ]
    return "\n".join(lines)


@click.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--json", "as_json", is_flag=True, help="Print the canonical JSON (report-format.md section 5)."
)
def parse_command(file: Path, as_json: bool) -> None:
    """Parse FILE and print what was read (a summary, or the canonical JSON with --json)."""
    try:
        report = _read(file)
    except NianbaoError as exc:
        click.echo(f"{file}: {type(exc).__name__}: {exc}", err=True)
        raise SystemExit(2) from exc
    if as_json:
        click.echo(json.dumps(report.canonical(), ensure_ascii=False, indent=2))
    else:
        click.echo(_summary(report))


def _run_checks(report: Report) -> list[Finding]:
    """Run the rule catalogue with the configured severity overrides."""
    from worker.rules import run_checks
    from worker.rules.base import RuleContext
    from worker.settings import get_settings

    ctx = RuleContext(severity_overrides=dict(get_settings().rule_severity))
    return list(run_checks(report, ctx))


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one entry per file.")
def check_command(files: tuple[Path, ...], as_json: bool) -> None:
    """解析并校验文件（试运行：不入队列、不入库、不发告警）。退出码：0 无错误，1 有错误，2 文件无法读取。"""
    results: list[dict[str, Any]] = []
    failed = errors = False
    for file in files:
        try:
            report = _read(file)
        except (NianbaoError, OSError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            click.echo(f"{file}：无法读取：{reason}", err=True)
            results.append({"file": str(file), "error": reason})
            failed = True
            continue
        findings = _run_checks(report)
        errors |= any(f.is_error for f in findings)
        results.append(
            {
                "file": str(file),
                "organ": report.organ,
                "year": report.year,
                "template": report.template,
                "findings": [f.cli_dict() for f in findings],
            }
        )
        if not as_json:
            click.echo(f"{file}：{report.organ or '?'} {report.year or '?'}年度 格式版本 {report.template}："
                       f"{len(findings)} 个问题")  # fmt: skip
            for f in findings:
                where = f"  位置：{f.location.describe_zh()}" if f.location else ""
                click.echo(f"  {SEVERITY_ZH.get(f.severity.value, f.severity.value)} {f.rule}：{f.message}{where}")
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    raise SystemExit(2 if failed else 1 if errors else 0)


COMMANDS: list[click.Command] = [parse_command, check_command]
