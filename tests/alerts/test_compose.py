"""Alert emails as a mail client sees them: sent over real SMTP (aiosmtpd on loopback) and parsed back."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from typing import Any

from tests.alerts.factories import finding, sha, warning
from tests.utils.smtp import SmtpSink
from worker.alerts.channels.email import email_message
from worker.alerts.compose import DigestEntry, digest_message, quarantine_message, report_message
from worker.alerts.models import QuarantineAlert, ReportAlert
from worker.alerts.smtp import send_message
from worker.settings import Settings
from worker.store.ops_models import utcnow


def compose_report(alert: ReportAlert, *, to: list[str], settings: Settings, **kw: Any) -> EmailMessage:
    return email_message(report_message(alert, **kw), to=to, settings=settings)


def compose_quarantine(alert: QuarantineAlert, *, to: list[str], settings: Settings) -> EmailMessage:
    return email_message(quarantine_message(alert), to=to, settings=settings)


def compose_digest(
    entries: list[DigestEntry], *, to: list[str], settings: Settings, window_end: dt.datetime
) -> EmailMessage:
    return email_message(digest_message(entries, window_end=window_end), to=to, settings=settings)


def _alert(**kw: object) -> ReportAlert:
    base: dict[str, object] = {
        "report_id": 7,
        "organ": "将乐县南口镇人民政府",
        "organ_path": ["福建省", "三明市", "将乐县", "南口镇人民政府"],
        "identity_key": "福建省/三明市/将乐县/南口镇人民政府",
        "year": 2023,
        "file_name": "南口镇2023年报.docx",
        "stored_at": "/srv/archive/南口镇2023年报.docx",
        "sha256": sha(),
        "findings": [
            finding(),
            finding("T3_COL_TOTAL", title="申请情况表合计列不等", expected=9, actual=8),
            warning(),
        ],
    }
    base.update(kw)
    return ReportAlert.model_validate(base)


def _roundtrip(
    sink: SmtpSink, msg: email.message.EmailMessage, settings: Settings
) -> email.message.EmailMessage:
    reply = send_message(msg, to=["zwgk@example.gov.cn"], settings=settings)
    assert reply.code == 250
    return sink.wait_for(1)[-1]


def test_report_mail_is_multipart_alternative_in_chinese(
    smtp_sink: SmtpSink, alert_settings: Settings
) -> None:
    alert = _alert()
    msg = compose_report(
        alert,
        findings=alert.alertable(include_warnings=False),
        to=["zwgk@example.gov.cn"],
        settings=alert_settings,
    )
    got = _roundtrip(smtp_sink, msg, alert_settings)

    assert got.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in got.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in got.iter_parts())
    # the raw subject is RFC 2047 encoded ASCII; decoded it names body, year and error count
    raw = smtp_sink.messages[0].get("Subject")
    assert str(make_header(decode_header(raw))) == "【年报校验】将乐县南口镇人民政府 2023年度报告：2 项错误"
    assert got["Reply-To"] == "office@example.gov.cn"
    assert got["From"].addresses[0].addr_spec == "nianbao@example.gov.cn"
    assert got["Auto-Submitted"] == "auto-generated"

    text = got.get_body(("plain",)).get_content()
    assert "南口镇2023年报.docx" in text and "/srv/archive/南口镇2023年报.docx" in text
    assert "一、错误（2 项）" in text
    assert "[T3_BALANCE] 申请情况表勾稽关系不平" in text
    assert "应为：5；实际：4" in text and "应为：9；实际：8" in text
    assert f"位置：{finding().location.describe_zh()}" in text  # type: ignore[union-attr]
    assert "另有 1 项警告未列出" in text and "BLANK_CELL" not in text


def test_warnings_listed_in_their_own_group_when_configured(alert_settings: Settings) -> None:
    alert = _alert()
    msg = compose_report(
        alert, findings=alert.alertable(include_warnings=True), to=["a@b"], settings=alert_settings
    )
    text = msg.get_body(("plain",)).get_content()
    assert text.index("一、错误（2 项）") < text.index("二、警告（1 项）") < text.index("[BLANK_CELL]")
    assert "未列出" not in text


def test_untrusted_text_is_escaped_in_html(smtp_sink: SmtpSink, alert_settings: Settings) -> None:
    evil = '<script>alert("x")</script>镇人民政府'
    alert = _alert(
        organ=evil,
        file_name="<img src=x onerror=alert(1)>.txt",
        findings=[finding(message="说明 <b>粗体</b> & 更多", expected="<i>5</i>", actual=4)],
    )
    msg = compose_report(alert, findings=alert.findings, to=["zwgk@example.gov.cn"], settings=alert_settings)
    got = _roundtrip(smtp_sink, msg, alert_settings)
    html = got.get_body(("html",)).get_content()
    assert "<script>" not in html and "<img" not in html and "<b>粗体" not in html and "<i>5" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;镇人民政府" in html
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    assert "说明 &lt;b&gt;粗体&lt;/b&gt; &amp; 更多" in html
    # as a mail client renders it: no script or img element, the hostile text shown as text
    import lxml.html

    doc = lxml.html.document_fromstring(html)
    assert doc.xpath("//script") == [] and doc.xpath("//img") == [] and doc.xpath("//b[text()='粗体']") == []
    assert evil in doc.text_content() and "<img src=x onerror=alert(1)>.txt" in doc.text_content()
    # the plain part keeps the text as printed, and the subject carries it decoded
    assert evil in got.get_body(("plain",)).get_content()
    assert evil in str(got["Subject"])


def test_update_mail_lists_new_and_resolved(alert_settings: Settings) -> None:
    before = [finding(), finding("T3_COL_TOTAL", title="合计列不等", expected=9, actual=8)]
    now = [finding(), finding("XY_CARRYOVER", title="上年结转与上年度结转下年不一致", expected=3, actual=2)]
    alert = _alert(findings=now)
    msg = compose_report(
        alert, findings=now, to=["a@b"], settings=alert_settings, kind="update", previous=before
    )
    assert str(msg["Subject"]).startswith("【年报校验（更新）】")
    text = msg.get_body(("plain",)).get_content()
    assert "校验结论已变化" in text
    assert "【新】[XY_CARRYOVER]" in text and "【新】[T3_BALANCE]" not in text
    assert "已消除（1 项）" in text and "[T3_COL_TOTAL] 合计列不等" in text.split("已消除")[1]


def test_quarantine_mail_gives_reason_and_place(smtp_sink: SmtpSink, alert_settings: Settings) -> None:
    q = QuarantineAlert(
        quarantine_id=3, file_name="扫描<件>.pdf", reason="扫描版 PDF，无文本层", stored_at="/q/扫描<件>.pdf"
    )
    got = _roundtrip(
        smtp_sink, compose_quarantine(q, to=["zwgk@example.gov.cn"], settings=alert_settings), alert_settings
    )
    assert str(got["Subject"]) == "【年报隔离】扫描<件>.pdf：无法处理，已隔离"
    text = got.get_body(("plain",)).get_content()
    assert "原因：扫描版 PDF，无文本层" in text and "现存位置：/q/扫描<件>.pdf" in text
    assert "扫描&lt;件&gt;.pdf" in got.get_body(("html",)).get_content()


def test_digest_lists_every_report_with_its_error_count(alert_settings: Settings) -> None:
    entries = [
        DigestEntry(kind="report", name=f"第{i}镇人民政府", year=2023, file_name=f"r{i}.txt", error_count=i)
        for i in range(1, 13)
    ]
    entries.append(
        DigestEntry(
            kind="quarantine", name="x.pdf", year=None, file_name="x.pdf", error_count=0, reason="加密 PDF"
        )
    )
    msg = compose_digest(entries, to=["a@b"], settings=alert_settings, window_end=utcnow())
    assert str(msg["Subject"]) == "【年报校验汇总】12 份报告共 78 项错误，1 个文件被隔离"
    text = msg.get_body(("plain",)).get_content()
    for i in range(1, 13):
        assert f"第{i}镇人民政府  2023年度  r{i}.txt  错误 {i} 项" in text
    assert "x.pdf：加密 PDF" in text


def test_raw_message_parses_identically(alert_settings: Settings) -> None:
    alert = _alert()
    msg = compose_report(alert, findings=alert.findings, to=["a@b"], settings=alert_settings)
    again = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert str(again["Subject"]) == str(msg["Subject"])
    assert again.get_body(("plain",)).get_content() == msg.get_body(("plain",)).get_content()
