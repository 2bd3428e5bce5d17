"""Issue 10, item 2: hostile report content never breaks a mail, and one bad message never poisons its window.

Real SMTP (aiosmtpd), real database (SQLite and PostgreSQL), the real flush and ``nianbao alerts flush``.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from click.testing import CliRunner
from sqlmodel import select

from tests.alerts.conftest import configure, smtp_overrides
from tests.alerts.factories import finding, store_quarantine, store_report
from tests.alerts.test_channel_seam import RecordingChannel, recording  # noqa: F401
from tests.utils.smtp import SmtpSink, _Handler
from worker.alerts.digest import flush_recipient
from worker.alerts.ledger import record_quarantine, record_report
from worker.alerts.source import load_quarantine_alert, load_report_alert
from worker.cli import main
from worker.cli.ops import collect_status
from worker.settings import Settings, get_settings
from worker.store.db import session_scope
from worker.store.ops_models import AlertLedger, utcnow

pytestmark = pytest.mark.integration
HOSTILE = "r\r\nBcc: victim@evil.example\r\n\x07\x1b[31m\u2028.txt"
REJECTED = "拒收"  # the relay refuses any message mentioning it, for good


class _RefuseMarked(_Handler):
    """The sink, but a message whose subject or text mentions ``REJECTED`` gets 554 (content refused)."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = str(msg["Subject"]) + msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        if REJECTED in text:
            return "554 5.6.0 content refused"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink._controller = Controller(_RefuseMarked(sink), hostname="127.0.0.1", port=sink.port)
    with sink:
        yield sink


def _settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db: str, sink: SmtpSink, **kw: object) -> Settings:
    return configure(monkeypatch, tmp_path, db, **smtp_overrides(sink, **kw))


def _record(settings: Settings, report_ids: list[int], quarantine_ids: tuple[int, ...] = ()) -> None:
    with session_scope(settings) as s:
        for rid in report_ids:
            record_report(s, load_report_alert(s, rid), settings=settings)  # type: ignore[arg-type]
        for qid in quarantine_ids:
            record_quarantine(s, load_quarantine_alert(s, qid), settings=settings)  # type: ignore[arg-type]


def _ledger(settings: Settings) -> list[AlertLedger]:
    with session_scope(settings) as s:
        return list(s.exec(select(AlertLedger).order_by(AlertLedger.id)))  # type: ignore[arg-type]


def test_cr_lf_and_control_characters_in_report_content_never_reach_a_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, database_url: str
) -> None:
    settings = _settings(monkeypatch, tmp_path, database_url, smtp_sink, mail_from_name="年报\r\nX-Evil: 1")
    rid = store_report(settings, [finding()], organ="南口镇\n人民政府\r", file_name=HOSTILE)
    qid = store_quarantine(settings, name=HOSTILE, reason="无法识别\r\n的格式")
    _record(settings, [rid], (qid,))
    res = flush_recipient("zwgk@example.gov.cn", settings=settings)
    assert (res.sent, res.failed) == (2, 0)
    msgs = smtp_sink.wait_for(2)
    assert [e["to"] for e in smtp_sink.envelopes] == [["zwgk@example.gov.cn"]] * 2
    for msg in msgs:
        assert msg["Bcc"] is None and msg["X-Evil"] is None
        for key, value in msg.items():
            assert not any(ord(ch) < 32 or ch == "\u2028" for ch in str(value)), (key, value)
    subjects = sorted(str(m["Subject"]) for m in msgs)
    assert subjects[0] == "【年报校验】南口镇 人民政府 2023年度报告：1 项错误"
    assert subjects[1].startswith("【年报隔离】r Bcc: victim@evil.example [31m .txt：")
    assert {r.status for r in _ledger(settings)} == {"sent"}


def test_a_message_refused_for_good_does_not_poison_its_digest_window(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, refusing_sink: SmtpSink, database_url: str
) -> None:
    settings = _settings(
        monkeypatch, tmp_path, database_url, refusing_sink, digest_window_seconds=60, digest_threshold=2
    )
    ids = [store_report(settings, [finding()], organ=f"第{i}镇人民政府", organ_path=[]) for i in range(3)]
    ids.append(store_report(settings, [finding()], organ=f"{REJECTED}镇人民政府", organ_path=[]))
    _record(settings, ids)
    res = flush_recipient("zwgk@example.gov.cn", settings=settings, now=utcnow() + dt.timedelta(seconds=61))
    # the digest naming the refused report was refused; each report then went on its own
    assert (res.digests, res.sent, res.failed) == (0, 3, 1)
    subjects = sorted(str(m["Subject"]) for m in refusing_sink.wait_for(3))
    assert subjects == [f"【年报校验】第{i}镇人民政府 2023年度报告：1 项错误" for i in range(3)]
    rows = _ledger(settings)
    assert [r.status for r in rows] == ["sent", "sent", "sent", "failed"]
    assert "554" in (rows[-1].last_error or "")
    status = collect_status(settings)["alerts"]
    assert (status["due"], status["failed"]) == (0, 1)


def test_a_stale_sending_row_is_taken_back_by_the_next_flush(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, database_url: str
) -> None:
    settings = _settings(monkeypatch, tmp_path, database_url, smtp_sink)
    rids = [store_report(settings, [finding()], organ=f"第{i}镇人民政府", organ_path=[]) for i in range(2)]
    _record(settings, rids)
    with session_scope(settings) as s:  # a flush claimed them, then its worker died
        for row in s.exec(select(AlertLedger)):
            row.status, row.claim, row.claimed_at = "sending", "dead-worker", utcnow() - dt.timedelta(hours=1)
            s.add(row)
    assert collect_status(settings)["alerts"]["due"] == 2
    out = CliRunner().invoke(main, ["alerts", "flush"], catch_exceptions=False).output
    assert "zwgk@example.gov.cn: 2 sent" in out, out
    assert len(smtp_sink.wait_for(2)) == 2
    assert {r.status for r in _ledger(settings)} == {"sent"}
    assert collect_status(settings)["alerts"]["due"] == 0


def test_alerts_flush_sends_every_channel(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    smtp_sink: SmtpSink,
    database_url: str,
    recording: RecordingChannel,  # noqa: F811
) -> None:
    settings = _settings(monkeypatch, tmp_path, database_url, smtp_sink)
    _record(settings, [store_report(settings, [finding()])])
    out = CliRunner().invoke(main, ["alerts", "flush"], catch_exceptions=False).output
    assert "zwgk@example.gov.cn: 1 sent" in out and "recording:ops-room: 1 sent" in out, out
    assert len(recording.received) == 1 and len(smtp_sink.wait_for(1)) == 1
    assert {(r.channel, r.status) for r in _ledger(settings)} == {("email", "sent"), ("recording", "sent")}
    get_settings.cache_clear()
