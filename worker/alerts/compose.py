"""Compose alert messages once, channel-neutral, in Chinese: report, update, resolved, quarantine, digest, test.

A report whose alerted findings hold no error but a table not read with certainty (status ``needs_review``,
``models.is_review_request``) gets a request for the original (``review_*``): which tables could not be read
and why, and the ask for the .docx/.pdf original or a check by hand; never the error wording. Digests list
such reports in their own group (待人工复核).

The result is an ``AlertMessage`` (worker/alerts/message.py); each channel renders it (email: plain text and
HTML through the autoescaping templates in worker/alerts/templates). Locations are worded by
``Location.describe_zh()``, the one home of those labels; only the severity words live here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from worker.alerts.message import (
    AlertMessage,
    DigestLine,
    Fact,
    FindingGroup,
    FindingItem,
    Link,
    MessageType,
    QuarantineLine,
    Section,
)
from worker.alerts.models import MessageKind, QuarantineAlert, ReportAlert, finding_label, is_review_request
from worker.parse.labels import (
    LIST_NUMERALS_ZH,
    MESSAGE_KIND_ZH,
    NOT_ASSESSABLE_ZH,
    REPORT_STATUS_ZH,
    SEVERITY_ZH,
    table_name_zh,
)
from worker.rules.base import Finding, Severity
from worker.settings import Settings

REPORT_TYPES: dict[str, MessageType] = {
    "new": MessageType.REPORT_NEW,
    "update": MessageType.REPORT_UPDATE,
    "resolved": MessageType.REPORT_RESOLVED,
}
DEFAULT_ZONE = "Asia/Shanghai"
REVIEW_ZH = REPORT_STATUS_ZH["needs_review"]  # 待人工复核
REVIEW_GROUP_ZH = "无法可靠读取的表格"
ASK_ORIGINAL_ZH = "请提供该报告的 .docx/.pdf 原件（表格为真实单元格的文件），或由人工核对这些表格"
ZONE_LABELS = {"Asia/Shanghai": "北京时间"}


def local_time(when: dt.datetime, zone: str = DEFAULT_ZONE) -> str:
    """``when`` (UTC; naive values from SQLite are UTC) in ``zone``, e.g. ``2026-12-01 18:45（北京时间）``."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    local = aware.astimezone(ZoneInfo(zone))
    label = ZONE_LABELS.get(zone)
    if label is None:
        offset = local.strftime("%z")
        label = f"UTC{offset[:3]}:{offset[3:]}" if offset else zone
    return f"{local:%Y-%m-%d %H:%M}（{label}）"


def report_url(base_url: str, report_id: int | None) -> str | None:
    """The report's page in the web application (``{public_base_url}/reports/{id}``), when one is configured."""
    if not base_url or report_id is None:
        return None
    return f"{base_url.rstrip('/')}/reports/{report_id}"


def version_label(version: int, message_kind: str = "new") -> str:
    """新 for the first version of a body and year, 第n版（更正版） for a later one; plus 更新 / 已更正."""
    if version <= 1:
        return {"update": "更新", "resolved": "已更正"}.get(message_kind, "新")
    label = f"第{version}版（更正版）"
    return label + {"update": "·结论更新", "resolved": "·错误已消除"}.get(message_kind, "")


def rules_summary(rule_counts: Mapping[str, int]) -> str:
    """``T3_BALANCE ×2、XY_CARRYOVER``: each failing rule once, with its count when above one."""
    return "、".join(f"{rule} ×{n}" if n > 1 else rule for rule, n in sorted(rule_counts.items()))


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
    report_id: int | None = None
    version: int = 1  # of this body and year (see ReportAlert.version)
    rules: dict[str, int] = field(default_factory=dict)  # failing error rule -> count
    at: dt.datetime | None = None  # when it fell due (UTC)
    review_tables: list[str] = field(default_factory=list)  # needs review: tables not read with certainty (zh)

    @property
    def needs_review(self) -> bool:
        """A request for the original (no error, a table not read with certainty), listed in its own group."""
        return self.kind == "report" and self.message_kind != "resolved" and not self.error_count and bool(
            self.review_tables
        )


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
    # a review finding's expected/actual are a certainty code, not figures: its message says it all
    compared = (f.expected is not None or f.actual is not None) and not f.needs_review
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


def _groups(findings: Iterable[Finding], *, added: set[str], review_first: bool = False) -> list[FindingGroup]:
    """Numbered groups by severity, errors first; not-assessable findings last under their own heading.

    ``review_first``: a request for the original; the tables not read with certainty come first, under their
    own heading, and are left out of the severity groups.
    """
    items = list(findings)
    grouped: list[tuple[str, list[Finding]]] = []
    if review_first:
        review = [f for f in items if f.needs_review]
        items = [f for f in items if not f.needs_review]
        grouped.append((REVIEW_GROUP_ZH, review))
    for sev in (Severity.ERROR, Severity.WARNING):
        fs = [f for f in items if f.severity == sev and f.status == "fail"]
        if fs:
            grouped.append((SEVERITY_ZH[sev], fs))
    na = [f for f in items if f.status != "fail"]
    if na:
        grouped.append((NOT_ASSESSABLE_ZH, na))
    return [
        FindingGroup(
            title=f"{LIST_NUMERALS_ZH[i]}、{heading}（{len(fs)} 项）",
            items=[_item(f, is_new=finding_label(f) in added) for f in fs],
        )
        for i, (heading, fs) in enumerate(grouped)
    ]


def _file_facts(alert: ReportAlert) -> list[Fact]:
    facts = [Fact(label="文件", value=alert.file_name), Fact(label="现存位置", value=alert.stored_at or "（未归档）")]
    if alert.identity_key and alert.identity_key != alert.organ:
        facts.insert(0, Fact(label="主体路径", value=alert.identity_key))
    if alert.version > 1:
        facts.append(Fact(label="版本", value=f"第{alert.version}版（同一主体同一年度报告的更正版）"))
    facts.append(Fact(label="内容校验码（SHA-256）", value=alert.sha256))
    return facts


def report_subject(alert: ReportAlert, *, kind: MessageKind, errors: int, warnings: int = 0) -> str:
    """Subject of a report alert: body name, year, error count (warning count when there are no errors)."""
    year = f"{alert.year}年度" if alert.year else "年度"
    if kind == "resolved":
        return f"【年报校验（已更正）】{alert.display_name()} {year}报告：此前的错误已消除"
    count = f"{errors} 项错误" if errors or not warnings else f"{warnings} 项警告"
    return f"【年报校验{MESSAGE_KIND_ZH[kind]}】{alert.display_name()} {year}报告：{count}"


def _report_lead(alert: ReportAlert, *, kind: MessageKind, errors: int, warnings: int) -> str:
    year = f"{alert.year}年度" if alert.year else ""
    name = alert.display_name()
    if kind == "resolved":
        return f"{name}{year}政府信息公开工作年度报告经重新校验，此前通报的错误已全部消除。"
    parts = [f"{errors} 项错误"] if errors or not warnings else []
    if warnings:
        parts.append(f"{warnings} 项警告")
    lead = f"{name}{year}政府信息公开工作年度报告校验发现" + "、".join(parts) + "。"
    return _lead_context(lead, alert, kind=kind, warnings=warnings)


def _lead_context(lead: str, alert: ReportAlert, *, kind: MessageKind, warnings: int) -> str:
    """``lead`` with what frames it: a changed verdict said first, warnings not listed counted last."""
    if kind == "update":
        lead = "校验结论已变化（规则更新或跨年度复核）。" + lead
    hidden = alert.warning_count - warnings
    if hidden > 0:
        lead += f"另有 {hidden} 项警告未列出。"
    return lead


def review_tables(findings: Iterable[Finding]) -> list[str]:
    """The tables the review findings name, in Chinese, each once, in the findings' order."""
    names: list[str] = []
    for f in findings:
        if f.needs_review:
            name = table_name_zh(f.location.table) if f.location and f.location.table else "表格"
            if name not in names:
                names.append(name)
    return names


def review_subject(alert: ReportAlert, *, kind: MessageKind, tables: int) -> str:
    """Subject of a request for the original: the report needs review, not an error report."""
    year = f"{alert.year}年度" if alert.year else "年度"
    return (
        f"【年报{REVIEW_ZH}{MESSAGE_KIND_ZH[kind]}】{alert.display_name()} {year}报告："
        f"{tables} 张表格无法可靠读取，请提供原件或人工核对"
    )


def _review_lead(alert: ReportAlert, *, kind: MessageKind, tables: list[str], warnings: int) -> str:
    year = f"{alert.year}年度" if alert.year else ""
    lead = (
        f"{alert.display_name()}{year}政府信息公开工作年度报告中有 {len(tables)} 张表格无法可靠读取："
        f"{'、'.join(tables)}（原因见下）。这些表格未做数字校验，报告状态为“{REVIEW_ZH}”。"
        f"这不是错误通报：{ASK_ORIGINAL_ZH}。"
    )
    return _lead_context(lead, alert, kind=kind, warnings=warnings)


def _resolved_wording(alert: ReportAlert, previous: list[Finding] | None) -> tuple[str, str]:
    """(subject, lead) of a "resolved" message: after a request for the original, or after errors."""
    year = f"{alert.year}年度" if alert.year else ""
    name = alert.display_name()
    if previous and is_review_request(previous):
        return (
            f"【年报{REVIEW_ZH}（已处理）】{name} {year or '年度'}报告：无需再提供原件",
            f"{name}{year}政府信息公开工作年度报告经重新校验或人工复核，此前请求提供原件或人工核对的表格已无需处理。",
        )
    return (
        report_subject(alert, kind="resolved", errors=0),
        _report_lead(alert, kind="resolved", errors=0, warnings=0),
    )


def report_message(
    alert: ReportAlert,
    *,
    findings: list[Finding],
    kind: MessageKind = "new",
    previous: list[Finding] | None = None,
    base_url: str = "",
) -> AlertMessage:
    """The message for one report version.

    Args:
        alert: the report version.
        findings: the findings to list (the alertable ones).
        kind: ``new``, ``update`` (verdict changed since a message was sent) or ``resolved``.
        previous: for updates, the findings of the message sent before, to list what was resolved.
        base_url: ``public_base_url``; when set, the message links the report's page.
    """
    url = report_url(base_url, alert.report_id)
    errors = sum(1 for f in findings if f.is_error)
    warnings = sum(1 for f in findings if f.is_warning)
    prev_labels = {finding_label(f) for f in previous or []}
    cur_labels = {finding_label(f) for f in findings}
    resolved = sorted(prev_labels - cur_labels)
    added = cur_labels - prev_labels if previous is not None else set()
    request = kind != "resolved" and is_review_request(findings)
    if request:
        tables = review_tables(findings)
        subject = review_subject(alert, kind=kind, tables=len(tables))
        lead = _review_lead(alert, kind=kind, tables=tables, warnings=warnings)
    elif kind == "resolved":
        subject, lead = _resolved_wording(alert, previous)
    else:
        subject = report_subject(alert, kind=kind, errors=errors, warnings=warnings)
        lead = _report_lead(alert, kind=kind, errors=errors, warnings=warnings)
    return AlertMessage(
        type=MessageType.REPORT_REVIEW if request else REPORT_TYPES[kind],
        subject=subject,
        lead=lead,
        facts=_file_facts(alert),
        groups=_groups(findings, added=added, review_first=request),
        resolved=Section[str](title=f"已消除（{len(resolved)} 项）", lines=resolved) if resolved else None,
        links=[Link(label="查看报告", url=url)] if url else [],
    )


def quarantine_message(alert: QuarantineAlert) -> AlertMessage:
    """The message for a file that was quarantined, with the reason."""
    facts = [
        Fact(label="文件", value=alert.file_name),
        Fact(label="原因", value=alert.reason),
        Fact(label="现存位置", value=alert.stored_at or "（正在移入隔离目录）"),
    ]
    if alert.sha256:
        facts.append(Fact(label="内容校验码（SHA-256）", value=alert.sha256))
    return AlertMessage(
        type=MessageType.QUARANTINE,
        subject=f"【年报隔离】{alert.file_name}：无法处理，已隔离",
        lead="以下文件无法读取或解析，未进入校验，已移至隔离目录。请核对文件后重新提交。",
        facts=facts,
    )


def digest_message(
    entries: Sequence[DigestEntry], *, window_end: dt.datetime, zone: str = DEFAULT_ZONE, base_url: str = ""
) -> AlertMessage:
    """One summary listing every report version (and quarantined file) that fell due in a window.

    Each report line carries its body, year, file, failing error rules with counts, version (新 or
    第n版（更正版）), when it fell due (in ``zone``) and, with ``base_url``, a link to the report's page.
    Reports that need review (a request for the original, ``DigestEntry.needs_review``) have their own group,
    with the tables not read with certainty instead of error rules.
    """
    reviews = [e for e in entries if e.needs_review]
    reports = [e for e in entries if e.kind == "report" and not e.needs_review]
    quarantined = [e for e in entries if e.kind == "quarantine"]
    total_errors = sum(e.error_count for e in reports)
    parts = [f"{len(reports)} 份报告共 {total_errors} 项错误"] if reports or not reviews else []
    if reviews:
        parts.append(f"{len(reviews)} 份报告{REVIEW_ZH}")
    if quarantined:
        parts.append(f"{len(quarantined)} 个文件被隔离")
    subject = "【年报校验汇总】" + "，".join(parts)
    lead = (
        f"截至 {local_time(window_end, zone)}，短时间内到达的告警较多（{len(entries)} 条），合并为本汇总。"
        "逐份明细（错误规则、版本、时间）列于下方" + ("，点击链接可查看报告详情。" if base_url else "。")
    )
    if reviews:
        lead += f"“{REVIEW_ZH}”的报告不是错误通报：其表格无法可靠读取，{ASK_ORIGINAL_ZH}。"

    def line(e: DigestEntry) -> DigestLine:
        url = report_url(base_url, e.report_id)
        return DigestLine(
            name=e.name,
            year=str(e.year) if e.year else "—",
            file_name=e.file_name,
            error_count=e.error_count,
            kind_label=version_label(e.version, e.message_kind),
            rules=rules_summary(e.rules),
            tables="、".join(e.review_tables) if e.needs_review else "",
            at=local_time(e.at, zone) if e.at else "",
            links=[Link(label="查看报告", url=url)] if url else [],
        )

    numerals = iter(LIST_NUMERALS_ZH)
    report_section = review_section = quarantine_section = None
    if reports:
        report_section = Section[DigestLine](
            title=f"{next(numerals)}、报告（{len(reports)} 份）", lines=[line(e) for e in reports]
        )
    if reviews:
        review_section = Section[DigestLine](
            title=f"{next(numerals)}、{REVIEW_ZH}的报告（{len(reviews)} 份，请提供原件或人工核对）",
            lines=[line(e) for e in reviews],
        )
    if quarantined:
        quarantine_section = Section[QuarantineLine](
            title=f"{next(numerals)}、隔离文件（{len(quarantined)} 个）",
            lines=[
                QuarantineLine(file_name=e.file_name, reason=e.reason or "", at=local_time(e.at, zone) if e.at else "")
                for e in quarantined
            ],
        )
    return AlertMessage(
        type=MessageType.DIGEST, subject=subject, lead=lead, reports=report_section, reviews=review_section,
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
