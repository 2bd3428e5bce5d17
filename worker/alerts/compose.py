"""Compose alert messages once, channel-neutral, in Chinese: report, update, resolved, quarantine, digest, test.

The result is an ``AlertMessage`` (worker/alerts/message.py); each channel renders it (email: plain text and
HTML through the autoescaping templates in worker/alerts/templates). Locations are worded by
``Location.describe_zh()``, the one home of those labels; only the severity words live here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from worker.alerts.message import (
    AlertMessage,
    DigestLine,
    Fact,
    FindingGroup,
    FindingItem,
    MessageType,
    QuarantineLine,
    Section,
)
from worker.alerts.models import MessageKind, QuarantineAlert, ReportAlert, finding_label
from worker.rules.base import Finding, Severity
from worker.settings import Settings

SEVERITY_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警告"}
NOT_ASSESSABLE_ZH = "无法判定"
KIND_ZH: dict[str, str] = {"new": "", "update": "（更新）", "resolved": "（已更正）"}
REPORT_TYPES: dict[str, MessageType] = {
    "new": MessageType.REPORT_NEW,
    "update": MessageType.REPORT_UPDATE,
    "resolved": MessageType.REPORT_RESOLVED,
}
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class DigestEntry:
    """One line of a digest: a report version (or a quarantined file) and its error count."""

    kind: str  # "report" | "quarantine"
    name: str  # body name, or the file name of a quarantined file
    year: int | None
    file_name: str
    error_count: int
    message_kind: str = "new"
    reason: str | None = None  # quarantine reason
    stored_at: str | None = None


def _value(v: Any) -> str:
    if v is None:
        return "（空）"
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, int | float):
        return str(v)
    return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)


def _item(f: Finding, *, is_new: bool) -> FindingItem:
    compared = f.expected is not None or f.actual is not None
    return FindingItem(
        rule=f.rule,
        severity=f.severity,
        title=f.title,
        message=f.message,
        location=f.location.describe_zh() if f.location else "—",
        expected=_value(f.expected) if compared else None,
        actual=_value(f.actual) if compared else None,
        has_comparison=compared,
        is_new=is_new,
    )


def _groups(findings: Iterable[Finding], *, added: set[str]) -> list[FindingGroup]:
    """Numbered groups by severity, errors first; not-assessable findings last under their own heading."""
    items = list(findings)
    grouped: list[tuple[str, list[Finding]]] = []
    for sev in (Severity.ERROR, Severity.WARNING):
        fs = [f for f in items if f.severity == sev and f.status == "fail"]
        if fs:
            grouped.append((SEVERITY_ZH[sev], fs))
    na = [f for f in items if f.status != "fail"]
    if na:
        grouped.append((NOT_ASSESSABLE_ZH, na))
    return [
        FindingGroup(
            title=f"{_NUMERALS[i]}、{heading}（{len(fs)} 项）",
            items=[_item(f, is_new=finding_label(f) in added) for f in fs],
        )
        for i, (heading, fs) in enumerate(grouped)
    ]


def _file_facts(alert: ReportAlert) -> list[Fact]:
    facts = [
        Fact(label="文件", value=alert.file_name),
        Fact(label="现存位置", value=alert.stored_at or "（未归档）"),
    ]
    if alert.identity_key and alert.identity_key != alert.organ:
        facts.insert(0, Fact(label="主体路径", value=alert.identity_key))
    facts.append(Fact(label="内容校验码（SHA-256）", value=alert.sha256))
    return facts


def report_subject(alert: ReportAlert, *, kind: MessageKind, errors: int, warnings: int = 0) -> str:
    """Subject of a report alert: body name, year, error count (warning count when there are no errors)."""
    year = f"{alert.year}年度" if alert.year else "年度"
    if kind == "resolved":
        return f"【年报校验（已更正）】{alert.display_name()} {year}报告：此前的错误已消除"
    count = f"{errors} 项错误" if errors or not warnings else f"{warnings} 项警告"
    return f"【年报校验{KIND_ZH[kind]}】{alert.display_name()} {year}报告：{count}"


def _report_lead(alert: ReportAlert, *, kind: MessageKind, errors: int, warnings: int) -> str:
    year = f"{alert.year}年度" if alert.year else ""
    name = alert.display_name()
    if kind == "resolved":
        return f"{name}{year}政府信息公开工作年度报告经重新校验，此前通报的错误已全部消除。"
    parts = [f"{errors} 项错误"] if errors or not warnings else []
    if warnings:
        parts.append(f"{warnings} 项警告")
    lead = f"{name}{year}政府信息公开工作年度报告校验发现" + "、".join(parts) + "。"
    if kind == "update":
        lead = "校验结论已变化（规则更新或跨年度复核）。" + lead
    hidden = alert.warning_count - warnings
    if hidden > 0:
        lead += f"另有 {hidden} 项警告未列出。"
    return lead


def report_message(
    alert: ReportAlert,
    *,
    findings: list[Finding],
    kind: MessageKind = "new",
    previous: list[Finding] | None = None,
) -> AlertMessage:
    """The message for one report version.

    Args:
        alert: the report version.
        findings: the findings to list (the alertable ones).
        kind: ``new``, ``update`` (verdict changed since a message was sent) or ``resolved``.
        previous: for updates, the findings of the message sent before, to list what was resolved.
    """
    errors = sum(1 for f in findings if f.is_error)
    warnings = sum(1 for f in findings if f.is_warning)
    prev_labels = {finding_label(f) for f in previous or []}
    cur_labels = {finding_label(f) for f in findings}
    resolved = sorted(prev_labels - cur_labels)
    added = cur_labels - prev_labels if previous is not None else set()
    return AlertMessage(
        type=REPORT_TYPES[kind],
        subject=report_subject(alert, kind=kind, errors=errors, warnings=warnings),
        lead=_report_lead(alert, kind=kind, errors=errors, warnings=warnings),
        facts=_file_facts(alert),
        groups=_groups(findings, added=added),
        resolved=Section[str](title=f"已消除（{len(resolved)} 项）", lines=resolved) if resolved else None,
    )


def quarantine_message(alert: QuarantineAlert) -> AlertMessage:
    """The message for a file that was quarantined, with the reason."""
    facts = [
        Fact(label="文件", value=alert.file_name),
        Fact(label="原因", value=alert.reason),
        Fact(label="现存位置", value=alert.stored_at or "（未知）"),
    ]
    if alert.sha256:
        facts.append(Fact(label="内容校验码（SHA-256）", value=alert.sha256))
    return AlertMessage(
        type=MessageType.QUARANTINE,
        subject=f"【年报隔离】{alert.file_name}：无法处理，已隔离",
        lead="以下文件无法读取或解析，未进入校验，已移至隔离目录。请核对文件后重新提交。",
        facts=facts,
    )


def digest_message(entries: Sequence[DigestEntry], *, window_end: dt.datetime) -> AlertMessage:
    """One summary listing every report version (and quarantined file) that fell due in a window."""
    reports = [e for e in entries if e.kind == "report"]
    quarantined = [e for e in entries if e.kind == "quarantine"]
    total_errors = sum(e.error_count for e in reports)
    subject = f"【年报校验汇总】{len(reports)} 份报告共 {total_errors} 项错误"
    if quarantined:
        subject += f"，{len(quarantined)} 个文件被隔离"
    when = window_end.strftime("%Y-%m-%d %H:%M UTC")
    lead = f"截至 {when}，短时间内到达的告警较多（{len(entries)} 条），合并为本汇总。逐份明细可用 nianbao reports 查看。"
    report_section = quarantine_section = None
    if reports:
        report_section = Section[DigestLine](
            title=f"一、报告（{len(reports)} 份）",
            lines=[
                DigestLine(
                    name=e.name,
                    year=str(e.year) if e.year else "—",
                    file_name=e.file_name,
                    error_count=e.error_count,
                    kind_label=KIND_ZH.get(e.message_kind, "").strip("（）") or "新",
                )
                for e in reports
            ],
        )
    if quarantined:
        quarantine_section = Section[QuarantineLine](
            title=f"{'二' if reports else '一'}、隔离文件（{len(quarantined)} 个）",
            lines=[QuarantineLine(file_name=e.file_name, reason=e.reason or "") for e in quarantined],
        )
    return AlertMessage(
        type=MessageType.DIGEST,
        subject=subject,
        lead=lead,
        reports=report_section,
        quarantined=quarantine_section,
    )


def settings_check_message(settings: Settings) -> AlertMessage:
    """A test message showing the delivery settings in use (no secrets)."""
    return AlertMessage(
        type=MessageType.TEST,
        subject="【年报校验】测试邮件",
        lead="这是一封测试邮件：能收到即说明告警邮件的发送配置可用。",
        facts=[
            Fact(label="SMTP 服务器", value=f"{settings.smtp_host}:{settings.smtp_port}"),
            Fact(label="加密方式", value=settings.smtp_security),
            Fact(label="认证用户", value=settings.smtp_user or "（无）"),
            Fact(label="发件人", value=settings.mail_from),
            Fact(label="默认收件人", value=", ".join(settings.alert_recipients)),
        ],
    )
