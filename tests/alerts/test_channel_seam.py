"""A second alert channel plugs in through the public API alone: a test-only channel that records messages,
driven by the real alert flow (real database, ledger, routing, digest) next to email."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlmodel import select

from tests.alerts.conftest import configure, smtp_overrides
from tests.alerts.factories import finding, store_quarantine, store_report
from tests.utils.smtp import SmtpSink
from worker.alerts import channels
from worker.alerts.channels import DeliveryResult, Outcome
from worker.alerts.digest import flush_recipient
from worker.alerts.ledger import record_quarantine, record_report
from worker.alerts.message import AlertMessage, MessageType
from worker.alerts.source import load_quarantine_alert, load_report_alert
from worker.settings import Settings, get_settings
from worker.store.db import session_scope
from worker.store.ops_models import AlertDelivery, AlertLedger


class RecordingChannel:
    """Delivers by appending to a list; ``fail`` makes the next deliveries fail the given way."""

    name = "recording"

    def __init__(self) -> None:
        self.received: list[tuple[AlertMessage, list[str]]] = []
        self.fail: Outcome | None = None

    def default_recipients(self, settings: Settings) -> Sequence[str]:
        return ["ops-room"]

    def deliver(self, message: AlertMessage, recipients: Sequence[str], *, settings: Settings) -> DeliveryResult:
        if self.fail is not None:
            return DeliveryResult(self.fail, "recorder unavailable")
        self.received.append((message, list(recipients)))
        return DeliveryResult(Outcome.SENT, f"recorded #{len(self.received)}", f"rec-{len(self.received)}")


@pytest.fixture
def recording() -> Iterator[RecordingChannel]:
    channel = RecordingChannel()
    channels.register(channel)
    yield channel
    channels.unregister(channel.name)


@pytest.fixture
def alert_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, database_url: str
) -> Iterator[Settings]:
    yield configure(monkeypatch, tmp_path, database_url, **smtp_overrides(smtp_sink))
    get_settings.cache_clear()


def test_a_registered_channel_gets_the_composed_message_beside_email(
    alert_settings: Settings, smtp_sink: SmtpSink, recording: RecordingChannel
) -> None:
    rid = store_report(alert_settings, [finding()])
    with session_scope(alert_settings) as s:
        alert = load_report_alert(s, rid)
        assert alert is not None
        rec = record_report(s, alert, settings=alert_settings)
    assert sorted((r.channel, r.recipient) for r in rec.rows) == [
        ("email", "zwgk@example.gov.cn"),
        ("recording", "ops-room"),
    ]
    assert flush_recipient("ops-room", settings=alert_settings, channel="recording").sent == 1
    assert flush_recipient("zwgk@example.gov.cn", settings=alert_settings).sent == 1

    ((message, to),) = recording.received
    assert to == ["ops-room"]
    assert message.type is MessageType.REPORT_NEW
    assert message.subject == "【年报校验】将乐县南口镇人民政府 2023年度报告：1 项错误"
    (group,) = message.groups
    assert group.title == "一、错误（1 项）"
    assert [(i.rule, i.expected, i.actual) for i in group.items] == [("T3_BALANCE", "5", "4")]
    # the same composed message went out by email
    (mail,) = smtp_sink.wait_for(1)
    assert str(mail["Subject"]) == message.subject
    assert "一、错误（1 项）" in mail.get_body(("plain",)).get_content()

    with session_scope(alert_settings) as s:
        rows = s.exec(select(AlertLedger).order_by(AlertLedger.channel)).all()  # type: ignore[arg-type]
        deliveries = s.exec(select(AlertDelivery).order_by(AlertDelivery.channel)).all()  # type: ignore[arg-type]
    assert [(r.channel, r.status) for r in rows] == [("email", "sent"), ("recording", "sent")]
    assert [(d.channel, d.status, d.smtp_reply) for d in deliveries][1] == ("recording", "sent", "recorded #1")
    assert deliveries[1].message_id == "rec-1"

    # never twice, per channel
    with session_scope(alert_settings) as s:
        again = load_report_alert(s, rid)
        assert again is not None
        assert record_report(s, again, settings=alert_settings).rows == []


def test_routes_name_their_channel_and_failures_are_classified(
    alert_settings: Settings, recording: RecordingChannel
) -> None:
    routed = alert_settings.model_copy(
        update={"alert_routes": [{"kind": "quarantine", "channel": "recording", "recipients": ["it-desk"]}]}
    )
    with session_scope(routed) as s:
        q = load_quarantine_alert(s, store_quarantine(routed, reason="文件已加密"))
        assert q is not None
        rec = record_quarantine(s, q, settings=routed)
    assert sorted((r.channel, r.recipient) for r in rec.rows) == [
        ("email", "zwgk@example.gov.cn"),  # the route names another channel: email keeps its default
        ("recording", "it-desk"),
    ]
    recording.fail = Outcome.TRANSIENT
    with pytest.raises(channels.TransientDeliveryError):
        flush_recipient("it-desk", settings=routed, channel="recording")
    recording.fail = Outcome.PERMANENT
    assert flush_recipient("it-desk", settings=routed, channel="recording").failed == 1
    with session_scope(routed) as s:
        row = s.exec(select(AlertLedger).where(AlertLedger.channel == "recording")).one()
    assert (row.status, row.attempts, row.last_error) == ("failed", 2, "recorder unavailable")
    assert recording.received == []
