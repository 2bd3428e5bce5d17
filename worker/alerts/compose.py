"""Compose alert emails: multipart/alternative (plain text + HTML), in Chinese, everything HTML-escaped.

Organ names, file names, finding messages and quarantine reasons come from untrusted files, so every value
that goes into the HTML part passes through ``html.escape``; the subject is folded and RFC 2047-encoded by
the ``email`` package (UTF-8).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from html import escape
from typing import Any

from worker.alerts.models import MessageKind, QuarantineAlert, ReportAlert, finding_label
from worker.rules.base import Finding, Severity
from worker.settings import Settings

SEVERITY_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警告"}
KIND_ZH: dict[str, str] = {"new": "", "update": "（更新）", "resolved": "（已更正）"}
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


def _location(f: Finding) -> str:
    return f.location.describe_zh() if f.location else "—"


def _has_comparison(f: Finding) -> bool:
    return f.expected is not None or f.actual is not None


def _group(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Group by severity, errors first; not-assessable findings last under their own heading."""
    groups: list[tuple[str, list[Finding]]] = []
    items = list(findings)
    for sev in (Severity.ERROR, Severity.WARNING):
        fs = [f for f in items if f.severity == sev and f.status == "fail"]
        if fs:
            groups.append((SEVERITY_ZH[sev], fs))
    na = [f for f in items if f.status != "fail"]
    if na:
        groups.append(("无法判定", na))
    return groups


def _envelope(subject: str, text: str, html_body: str, *, to: Sequence[str], settings: Settings, kind: str) -> EmailMessage:
    msg = EmailMessage()
    _, from_addr = parseaddr(settings.mail_from)
    from_addr = from_addr or settings.mail_from
    user, _, domain = from_addr.partition("@")
    msg["From"] = Address(display_name=settings.mail_from_name, username=user, domain=domain or "localhost")
    msg["To"] = ", ".join(to)
    if settings.mail_reply_to:
        msg["Reply-To"] = settings.mail_reply_to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(idstring="nianbao", domain=domain or "localhost")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    msg["X-Nianbao-Kind"] = kind
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(html_body, subtype="html", charset="utf-8", cte="base64")
    return msg


def _html_page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>"
        '<body style="font-family:sans-serif;font-size:14px;color:#222">'
        f"{body}"
        '<p style="color:#888;font-size:12px">本邮件由 nianbao 自动发送，请勿直接回复至发件地址。</p>'
        "</body></html>"
    )


def _file_facts(alert: ReportAlert) -> list[tuple[str, str]]:
    facts = [("文件", alert.file_name), ("现存位置", alert.stored_at or "（未归档）")]
    if alert.identity_key and alert.identity_key != alert.organ:
        facts.insert(0, ("主体路径", alert.identity_key))
    facts.append(("内容校验码（SHA-256）", alert.sha256))
    return facts


def report_subject(alert: ReportAlert, *, kind: MessageKind, errors: int, warnings: int = 0) -> str:
    """Subject of a report alert: body name, year, error count (warning count when there are no errors)."""
    year = f"{alert.year}年度" if alert.year else "年度"
    if kind == "resolved":
        return f"【年报校验（已更正）】{alert.display_name()} {year}报告：此前的错误已消除"
    count = f"{errors} 项错误" if errors or not warnings else f"{warnings} 项警告"
    return f"【年报校验{KIND_ZH[kind]}】{alert.display_name()} {year}报告：{count}"


def compose_report(
    alert: ReportAlert,
    *,
    findings: list[Finding],
    to: Sequence[str],
    settings: Settings,
    kind: MessageKind = "new",
    previous: list[Finding] | None = None,
) -> EmailMessage:
    """The message for one report version.

    Args:
        alert: the report version.
        findings: the findings to list (the alertable ones).
        to: recipients (header only; the envelope is the sender's business).
        settings: sender, reply-to.
        kind: ``new``, ``update`` (verdict changed since a message was sent) or ``resolved``.
        previous: for updates, the findings of the message sent before, to list what was resolved.

    Returns:
        A multipart/alternative ``EmailMessage``.
    """
    errors = sum(1 for f in findings if f.is_error)
    warn = sum(1 for f in findings if f.is_warning)
    subject = report_subject(alert, kind=kind, errors=errors, warnings=warn)
    year = f"{alert.year}年度" if alert.year else ""
    name = alert.display_name()
    if kind == "resolved":
        lead = f"{name}{year}政府信息公开工作年度报告经重新校验，此前通报的错误已全部消除。"
    else:
        parts = [f"{errors} 项错误"] if errors or not warn else []
        if warn:
            parts.append(f"{warn} 项警告")
        lead = f"{name}{year}政府信息公开工作年度报告校验发现" + "、".join(parts) + "。"
        if kind == "update":
            lead = "校验结论已变化（规则更新或跨年度复核）。" + lead
        hidden = alert.warning_count - warn
        if hidden > 0:
            lead += f"另有 {hidden} 项警告未列出。"

    prev_labels = {finding_label(f) for f in previous or []}
    cur_labels = {finding_label(f) for f in findings}
    resolved = sorted(prev_labels - cur_labels)
    added = cur_labels - prev_labels if previous is not None else set()

    text = [lead, ""]
    text += [f"{k}：{v}" for k, v in _file_facts(alert)]
    html = [f"<p>{escape(lead)}</p>", "<table>"]
    html += [f"<tr><th align=left>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in _file_facts(alert)]
    html.append("</table>")

    for gi, (heading, fs) in enumerate(_group(findings)):
        title = f"{_NUMERALS[gi]}、{heading}（{len(fs)} 项）"
        text += ["", title]
        html.append(f"<h3>{escape(title)}</h3><ol>")
        for i, f in enumerate(fs, 1):
            mark = "【新】" if finding_label(f) in added else ""
            text.append(f"{i}. {mark}[{f.rule}] {f.title}".rstrip())
            text.append(f"   位置：{_location(f)}")
            text.append(f"   说明：{f.message}")
            if _has_comparison(f):
                text.append(f"   应为：{_value(f.expected)}；实际：{_value(f.actual)}")
            html.append(
                f"<li><b>{escape(mark)}[{escape(f.rule)}] {escape(f.title)}</b><br>"
                f"位置：{escape(_location(f))}<br>说明：{escape(f.message)}"
                + (
                    f"<br>应为：<code>{escape(_value(f.expected))}</code>；实际：<code>{escape(_value(f.actual))}</code>"
                    if _has_comparison(f)
                    else ""
                )
                + "</li>"
            )
        html.append("</ol>")
    if resolved:
        title = f"已消除（{len(resolved)} 项）"
        text += ["", title] + [f"- {r}" for r in resolved]
        html.append(f"<h3>{escape(title)}</h3><ul>" + "".join(f"<li>{escape(r)}</li>" for r in resolved) + "</ul>")
    return _envelope(subject, "\n".join(text) + "\n", _html_page(subject, "".join(html)), to=to, settings=settings, kind=f"report-{kind}")


def compose_quarantine(alert: QuarantineAlert, *, to: Sequence[str], settings: Settings) -> EmailMessage:
    """The message for a file that was quarantined, with the reason."""
    subject = f"【年报隔离】{alert.file_name}：无法处理，已隔离"
    facts = [("文件", alert.file_name), ("原因", alert.reason), ("现存位置", alert.stored_at or "（未知）")]
    if alert.sha256:
        facts.append(("内容校验码（SHA-256）", alert.sha256))
    lead = "以下文件无法读取或解析，未进入校验，已移至隔离目录。请核对文件后重新提交。"
    text = "\n".join([lead, ""] + [f"{k}：{v}" for k, v in facts]) + "\n"
    html = f"<p>{escape(lead)}</p><table>" + "".join(
        f"<tr><th align=left>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts
    ) + "</table>"
    return _envelope(subject, text, _html_page(subject, html), to=to, settings=settings, kind="quarantine")


def compose_digest(
    entries: Sequence[DigestEntry],
    *,
    to: Sequence[str],
    settings: Settings,
    window_end: dt.datetime,
) -> EmailMessage:
    """One summary listing every report version (and quarantined file) that fell due in a window."""
    reports = [e for e in entries if e.kind == "report"]
    quarantined = [e for e in entries if e.kind == "quarantine"]
    total_errors = sum(e.error_count for e in reports)
    subject = f"【年报校验汇总】{len(reports)} 份报告共 {total_errors} 项错误"
    if quarantined:
        subject += f"，{len(quarantined)} 个文件被隔离"
    when = window_end.strftime("%Y-%m-%d %H:%M UTC")
    lead = f"截至 {when}，短时间内到达的告警较多（{len(entries)} 条），合并为本汇总。逐份明细可用 nianbao reports 查看。"
    text = [lead]
    html = [f"<p>{escape(lead)}</p>"]
    if reports:
        text += ["", f"一、报告（{len(reports)} 份）"]
        html.append(f"<h3>{escape(f'一、报告（{len(reports)} 份）')}</h3>")
        html.append("<table border=1 cellpadding=4 style='border-collapse:collapse'><tr><th>#</th><th>主体</th>"
                    "<th>年度</th><th>文件</th><th>错误数</th><th>类型</th></tr>")
        for i, e in enumerate(reports, 1):
            kind = KIND_ZH.get(e.message_kind, "").strip("（）") or "新"
            year = str(e.year) if e.year else "—"
            text.append(f"{i}. {e.name}  {year}年度  {e.file_name}  错误 {e.error_count} 项  [{kind}]")
            html.append(
                f"<tr><td>{i}</td><td>{escape(e.name)}</td><td>{escape(year)}</td><td>{escape(e.file_name)}</td>"
                f"<td align=right>{e.error_count}</td><td>{escape(kind)}</td></tr>"
            )
        html.append("</table>")
    if quarantined:
        n = "二" if reports else "一"
        title = f"{n}、隔离文件（{len(quarantined)} 个）"
        text += ["", title] + [f"{i}. {e.file_name}：{e.reason}" for i, e in enumerate(quarantined, 1)]
        html.append(f"<h3>{escape(title)}</h3><ol>")
        html += [f"<li>{escape(e.file_name)}：{escape(e.reason or '')}</li>" for e in quarantined]
        html.append("</ol>")
    return _envelope(subject, "\n".join(text) + "\n", _html_page(subject, "".join(html)), to=to, settings=settings, kind="digest")


def compose_test(*, to: Sequence[str], settings: Settings) -> EmailMessage:
    """A test message showing the SMTP settings in use (no secrets)."""
    subject = "【年报校验】测试邮件"
    facts = [
        ("SMTP 服务器", f"{settings.smtp_host}:{settings.smtp_port}"),
        ("加密方式", settings.smtp_security),
        ("认证用户", settings.smtp_user or "（无）"),
        ("发件人", settings.mail_from),
        ("默认收件人", ", ".join(settings.alert_recipients)),
    ]
    lead = "这是一封测试邮件：能收到即说明告警邮件的发送配置可用。"
    text = "\n".join([lead, ""] + [f"{k}：{v}" for k, v in facts]) + "\n"
    html = f"<p>{escape(lead)}</p><table>" + "".join(
        f"<tr><th align=left>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts
    ) + "</table>"
    return _envelope(subject, text, _html_page(subject, html), to=to, settings=settings, kind="test")
