"""Factories for alert tests: stored reports with findings, quarantine records (real rows, real database)."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Severity
from worker.settings import Settings
from worker.store import crud
from worker.store.db import session_scope
from worker.store.models import QuarantineRecord, SourceFile, StoredFinding, StoredReport

_seq = itertools.count(1)


def finding(
    rule: str = "T3_BALANCE",
    *,
    severity: Severity = Severity.ERROR,
    title: str = "申请情况表勾稽关系不平",
    message: str = "新收申请 + 上年结转 ≠ 办理结果总计 + 结转下年度继续办理",
    row: str | None = "granted",
    col: str | None = "total",
    line: int | None = 30,
    expected: Any = 5,
    actual: Any = 4,
) -> Finding:
    loc = Location(table="applications", row=row, col=col, line=line) if (row or col or line) else None
    return Finding(
        rule=rule,
        severity=severity,
        title=title,
        message=message,
        location=loc,
        expected=expected,
        actual=actual,
    )


def warning(rule: str = "BLANK_CELL", **kw: Any) -> Finding:
    kw.setdefault("title", "空白单元格")
    kw.setdefault("message", "单元格为空，按 0 计算")
    kw.setdefault("expected", None)
    kw.setdefault("actual", None)
    return finding(rule, severity=Severity.WARNING, **kw)


def sha(label: str | None = None) -> str:
    return hashlib.sha256((label or f"report-{next(_seq)}").encode()).hexdigest()


def store_report(
    settings: Settings,
    findings: list[Finding],
    *,
    organ: str = "将乐县南口镇人民政府",
    organ_path: list[str] | None = None,
    year: int = 2023,
    content_sha: str | None = None,
    file_name: str | None = None,
    archived_path: str | None = "/srv/nianbao/archive/2023/report.txt",
) -> int:
    """Insert a report row, its findings and an archived arrival; return the report id."""
    path = ["福建省", "三明市", "将乐县", "南口镇人民政府"] if organ_path is None else organ_path
    digest = content_sha or sha()
    name = file_name or f"{organ}{year}年报-{digest[:6]}.txt"
    report = Report(organ=organ, organ_path=path, year=year, source=name)
    errors = sum(1 for f in findings if f.severity == Severity.ERROR)
    with session_scope(settings) as s:
        row = StoredReport(
            sha256=digest,
            file_name=name,
            organ=organ,
            identity_key=report.identity_key,
            year=year,
            template="2021",
            status="failed" if errors else "ok",
            error_count=errors,
            warning_count=len(findings) - errors,
            report_json=report.model_dump_json(),
        )
        s.add(row)
        s.flush()
        assert row.id is not None
        crud.add_findings(s, row.id, findings)
        s.add(
            SourceFile(
                sha256=digest,
                name=name,
                original_path=f"/inbox/{name}",
                size=100,
                status="ingested",
                report_id=row.id,
                archived_path=archived_path,
            )
        )
        return row.id


def replace_findings(settings: Settings, report_id: int, findings: list[Finding]) -> None:
    """A re-check: the stored report's findings become ``findings``."""
    from sqlmodel import col, delete

    with session_scope(settings) as s:
        s.exec(delete(StoredFinding).where(col(StoredFinding.report_id) == report_id))
        crud.add_findings(s, report_id, findings)


def store_quarantine(
    settings: Settings, *, name: str = "扫描件.pdf", reason: str = "扫描版 PDF，无文本层"
) -> int:
    with session_scope(settings) as s:
        rec = QuarantineRecord(
            sha256=sha(),
            name=name,
            original_path=f"/inbox/{name}",
            quarantine_path=f"/srv/nianbao/quarantine/{name}",
            stage="extract",
            reason=reason,
        )
        s.add(rec)
        s.flush()
        assert rec.id is not None
        return rec.id
