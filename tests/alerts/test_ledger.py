"""The ledger over a real database and a real SMTP server: never twice, updates, digests, failures kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from tests.alerts.conftest import configure, smtp_overrides
from tests.alerts.factories import finding, replace_findings, store_quarantine, store_report, warning
from tests.utils.smtp import SmtpSink
from worker.alerts.digest import flush_recipient
from worker.alerts.ledger import record_quarantine, record_report
from worker.alerts.source import load_quarantine_alert, load_report_alert
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.ops_models import AlertDelivery, AlertLedger, utcnow

RCPT = "zwgk@example.gov.cn"


@pytest.fixture
def alert_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, database_url: str
) -> Iterator[Settings]:
    """The ledger runs on SQLite and PostgreSQL alike (``database_url`` is parametrised)."""
    from worker.settings import get_settings

    yield configure(monkeypatch, tmp_path, database_url, **smtp_overrides(smtp_sink))
    get_settings.cache_clear()


def _record(settings: Settings, report_id: int, now: dt.datetime | None = None) -> int:
    with session_scope(settings) as s:
        alert = load_report_alert(s, report_id)
        assert alert is not None
        return len(record_report(s, alert, settings=settings, now=now).rows)


def _flush(settings: Settings, now: dt.datetime | None = None, rcpt: str = RCPT) -> None:
    flush_recipient(rcpt, settings=settings, now=now)


def _ledger(settings: Settings) -> list[AlertLedger]:
    with session_scope(settings) as s:
        return list(s.exec(select(AlertLedger).order_by(AlertLedger.id)))  # type: ignore[arg-type]


def test_reingest_with_same_findings_sends_nothing(alert_settings: Settings, smtp_sink: SmtpSink) -> None:
    rid = store_report(alert_settings, [finding(), warning()])
    assert _record(alert_settings, rid) == 1
    _flush(alert_settings)
    assert len(smtp_sink.wait_for(1)) == 1
    # the same version again (re-ingest, redelivered task, a second arrival under another name)
    assert _record(alert_settings, rid) == 0
    _flush(alert_settings)
    # a warning-only change does not alter the verdict of an error alert
    replace_findings(alert_settings, rid, [finding(), warning("SEC6_FEE")])
    assert _record(alert_settings, rid) == 0
    _flush(alert_settings)
    assert len(smtp_sink.messages) == 1
    assert [r.status for r in _ledger(alert_settings)] == ["sent"]


def test_changed_verdict_sends_an_update(alert_settings: Settings, smtp_sink: SmtpSink) -> None:
    rid = store_report(alert_settings, [finding(), finding("T3_COL_TOTAL", title="合计列不等")])
    _record(alert_settings, rid)
    _flush(alert_settings)
    # a cross-year re-check adds XY_CARRYOVER and a rule change drops T3_COL_TOTAL
    replace_findings(
        alert_settings, rid, [finding(), finding("XY_CARRYOVER", title="结转不一致", expected=3, actual=2)]
    )
    assert _record(alert_settings, rid) == 1
    _flush(alert_settings)
    first, update = smtp_sink.wait_for(2)
    assert str(first["Subject"]).startswith("【年报校验】") and "2 项错误" in str(first["Subject"])
    assert str(update["Subject"]).startswith("【年报校验（更新）】")
    text = update.get_body(("plain",)).get_content()
    assert "【新】[XY_CARRYOVER]" in text and "[T3_COL_TOTAL] 合计列不等" in text.split("已消除")[1]
    rows = _ledger(alert_settings)
    assert [(r.message_kind, r.status) for r in rows] == [("new", "sent"), ("update", "sent")]
    assert rows[1].previous_id == rows[0].id


def test_errors_fixed_by_recheck_send_resolved_once(alert_settings: Settings, smtp_sink: SmtpSink) -> None:
    rid = store_report(alert_settings, [finding()])
    _record(alert_settings, rid)
    _flush(alert_settings)
    replace_findings(alert_settings, rid, [warning()])
    assert _record(alert_settings, rid) == 1
    _flush(alert_settings)
    assert _record(alert_settings, rid) == 0  # told once
    msgs = smtp_sink.wait_for(2)
    assert "已更正" in str(msgs[1]["Subject"]) and "此前的错误已消除" in str(msgs[1]["Subject"])
    # a clean report that was never alerted says nothing
    clean = store_report(alert_settings, [warning()])
    assert _record(alert_settings, clean) == 0


def test_back_to_an_earlier_verdict_is_an_update_again(alert_settings: Settings, smtp_sink: SmtpSink) -> None:
    a, b = [finding()], [finding(expected=6, actual=4)]
    rid = store_report(alert_settings, a)
    for findings in (a, b, a):
        replace_findings(alert_settings, rid, findings)
        assert _record(alert_settings, rid) == 1
        _flush(alert_settings)
    assert len(smtp_sink.wait_for(3)) == 3
    assert "更新" in str(smtp_sink.messages[2]["Subject"])


def test_newer_verdict_supersedes_one_still_waiting(alert_settings: Settings, smtp_sink: SmtpSink) -> None:
    s = alert_settings.model_copy(update={"digest_window_seconds": 60.0})
    now = utcnow()
    rid = store_report(s, [finding()])
    _record(s, rid, now=now)
    replace_findings(s, rid, [finding(expected=7, actual=1)])
    assert _record(s, rid, now=now + dt.timedelta(seconds=5)) == 1
    _flush(s, now=now + dt.timedelta(seconds=30))  # window still open: nothing goes out
    assert smtp_sink.messages == []
    _flush(s, now=now + dt.timedelta(seconds=61))
    (msg,) = smtp_sink.wait_for(1)
    assert "应为：7；实际：1" in msg.get_body(("plain",)).get_content()
    assert "更新" not in str(msg["Subject"])  # the recipient never saw the first verdict
    assert [r.status for r in _ledger(s)] == ["superseded", "sent"]


def test_burst_of_50_failing_reports_yields_one_digest_per_recipient(
    alert_settings: Settings, smtp_sink: SmtpSink
) -> None:
    rcpts = ["zwgk@example.gov.cn", "lead@example.gov.cn"]
    s = alert_settings.model_copy(
        update={"digest_window_seconds": 120.0, "digest_threshold": 10, "alert_recipients": rcpts}
    )
    start = utcnow()
    ids = [
        store_report(s, [finding()] * (1 + i % 3), organ=f"第{i:02d}镇人民政府", organ_path=[])
        for i in range(50)
    ]
    for i, rid in enumerate(ids):
        _record(s, rid, now=start + dt.timedelta(seconds=i))  # all inside one window
    end = start + dt.timedelta(seconds=121)
    for r in rcpts:
        _flush(s, now=end, rcpt=r)
    msgs = smtp_sink.wait_for(2)
    assert len(msgs) == 2
    assert sorted(e["to"][0] for e in smtp_sink.envelopes) == sorted(rcpts)
    total = sum(1 + i % 3 for i in range(50))
    for m in msgs:
        assert str(m["Subject"]) == f"【年报校验汇总】50 份报告共 {total} 项错误"
        text = m.get_body(("plain",)).get_content()
        for i in range(50):
            assert f"第{i:02d}镇人民政府  2023年度" in text and f"错误 {1 + i % 3} 项" in text
    rows = _ledger(s)
    assert len(rows) == 100 and {r.status for r in rows} == {"digested"}
    with session_scope(s) as sess:
        deliveries = list(sess.exec(select(AlertDelivery)))
    assert [(d.kind, d.items, d.status) for d in deliveries] == [("digest", 50, "sent")] * 2


def test_few_alerts_in_a_window_go_out_singly(alert_settings: Settings, smtp_sink: SmtpSink) -> None:
    s = alert_settings.model_copy(update={"digest_window_seconds": 60.0, "digest_threshold": 3})
    now = utcnow()
    for i in range(3):
        _record(s, store_report(s, [finding()], organ=f"第{i}镇人民政府", organ_path=[]), now=now)
    with session_scope(s) as sess:
        q = load_quarantine_alert(sess, store_quarantine(s))
        assert q is not None
        record_quarantine(sess, q, settings=s, now=now)
    _flush(s, now=now + dt.timedelta(seconds=61))  # 4 due > threshold 3: a digest
    (digest,) = smtp_sink.wait_for(1)
    assert "1 个文件被隔离" in str(digest["Subject"])
    for i in range(3, 5):
        _record(
            s,
            store_report(s, [finding()], organ=f"第{i}镇人民政府", organ_path=[]),
            now=now + dt.timedelta(seconds=70),
        )
    _flush(s, now=now + dt.timedelta(seconds=140))
    msgs = smtp_sink.wait_for(3)
    assert sorted(str(m["Subject"]) for m in msgs[1:]) == [
        f"【年报校验】第{i}镇人民政府 2023年度报告：1 项错误" for i in (3, 4)
    ]


def test_file_archived_after_the_alert_fell_due_shows_its_place(
    alert_settings: Settings, smtp_sink: SmtpSink
) -> None:
    rid = store_report(alert_settings, [finding()], archived_path=None)
    _record(alert_settings, rid)
    from worker.store.models import SourceFile

    with session_scope(alert_settings) as s:
        sf = s.exec(select(SourceFile).where(SourceFile.report_id == rid)).one()
        sf.archived_path = "/srv/archive/late.txt"
        s.add(sf)
    _flush(alert_settings)
    assert "现存位置：/srv/archive/late.txt" in smtp_sink.wait_for(1)[0].get_body(("plain",)).get_content()


def test_warnings_alert_only_when_configured(alert_settings: Settings, smtp_sink: SmtpSink) -> None:
    rid = store_report(alert_settings, [warning(), warning("SEC6_FEE", title="未说明信息处理费")])
    assert _record(alert_settings, rid) == 0
    loud = alert_settings.model_copy(update={"alert_on_warnings": True})
    with session_scope(loud) as s:
        alert = load_report_alert(s, rid)
        assert alert is not None
        assert len(record_report(s, alert, settings=loud).rows) == 1
    _flush(loud)
    (msg,) = smtp_sink.wait_for(1)
    assert str(msg["Subject"]) == "【年报校验】将乐县南口镇人民政府 2023年度报告：2 项警告"
    text = msg.get_body(("plain",)).get_content()
    assert (
        "校验发现2 项警告。" in text and "一、警告（2 项）" in text and "[SEC6_FEE] 未说明信息处理费" in text
    )
