"""Issue 10, items 22 and 23: digests carry per-report details in the configured time zone, with versions and
report links; alerts are routed by the settings in force when they are sent. Real SMTP, real database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.alerts.conftest import configure, smtp_overrides
from tests.alerts.factories import finding, store_quarantine, store_report
from tests.utils.smtp import SmtpSink
from worker.alerts.digest import flush_recipient
from worker.alerts.ledger import record_quarantine, record_report
from worker.alerts.source import load_quarantine_alert, load_report_alert
from worker.cli import main
from worker.settings import Settings, get_settings
from worker.store.db import session_scope
from worker.store.ops_models import utcnow

pytestmark = pytest.mark.integration
BASE = "https://nianbao.example.gov.cn/"


def _record(settings: Settings, report_ids: list[int], quarantine_ids: tuple[int, ...] = ()) -> None:
    with session_scope(settings) as s:
        for rid in report_ids:
            record_report(s, load_report_alert(s, rid), settings=settings)  # type: ignore[arg-type]
        for qid in quarantine_ids:
            record_quarantine(s, load_quarantine_alert(s, qid), settings=settings)  # type: ignore[arg-type]


def test_digest_lists_rules_versions_local_times_and_report_links(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, database_url: str
) -> None:
    settings = configure(monkeypatch, tmp_path, database_url, **smtp_overrides(
        smtp_sink, digest_window_seconds=60, digest_threshold=2, public_base_url=BASE))
    first = store_report(settings, [finding(), finding(row="refused"), finding("XY_CARRYOVER")], organ="甲镇人民政府",
                         file_name="甲镇2023.txt")
    second = store_report(settings, [finding()], organ="甲镇人民政府", file_name="甲镇2023更正.txt")
    other = store_report(settings, [finding()], organ="乙镇人民政府", organ_path=["乙镇人民政府"], file_name="乙镇.txt")
    qid = store_quarantine(settings, name="扫描.pdf")
    before = utcnow()
    _record(settings, [first, second, other], (qid,))
    flush_recipient("zwgk@example.gov.cn", settings=settings, now=before + dt.timedelta(seconds=61))
    (msg,) = smtp_sink.wait_for(1)
    assert str(msg["Subject"]).startswith("【年报校验汇总】3 份报告共 5 项错误")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "nianbao reports" not in text  # no command to run to see the details
    lines = text.split("\n")
    at = lines.index(next(line for line in lines if "甲镇2023.txt" in line))
    assert lines[at].endswith("错误 3 项  [新]")
    assert lines[at + 1] == "   错误规则：T3_BALANCE ×2、XY_CARRYOVER"
    shanghai = (before + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:")
    assert lines[at + 2].startswith(f"   时间：{shanghai}") and lines[at + 2].endswith("（北京时间）")
    assert lines[at + 3] == f"   查看报告：https://nianbao.example.gov.cn/reports/{first}"
    assert next(line for line in lines if "甲镇2023更正.txt" in line).endswith("[第2版（更正版）]")
    assert next(line for line in lines if "乙镇.txt" in line).endswith("[新]")
    assert f"截至 {(before + dt.timedelta(hours=8, seconds=61)).strftime('%Y-%m-%d %H:')}" in text
    assert f'<a href="https://nianbao.example.gov.cn/reports/{second}">' in html and "第2版（更正版）" in html


def test_a_single_report_mail_links_the_report_and_names_its_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, database_url: str
) -> None:
    settings = configure(monkeypatch, tmp_path, database_url, **smtp_overrides(
        smtp_sink, public_base_url=BASE, timezone="Europe/Berlin"))
    store_report(settings, [finding()], organ="甲镇人民政府")
    rid = store_report(settings, [finding()], organ="甲镇人民政府")
    _record(settings, [rid])
    flush_recipient("zwgk@example.gov.cn", settings=settings)
    text = smtp_sink.wait_for(1)[0].get_body(("plain",)).get_content()
    assert f"查看报告：https://nianbao.example.gov.cn/reports/{rid}" in text
    assert "版本：第2版（同一主体同一年度报告的更正版）" in text


def test_unknown_time_zone_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        Settings(timezone="Mars/Olympus", data_dir=tmp_path)


def test_alerts_recorded_before_a_recipient_change_go_to_the_new_recipient(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, database_url: str
) -> None:
    old = configure(monkeypatch, tmp_path, database_url, **smtp_overrides(
        smtp_sink, alert_recipients=["old@example.gov.cn"]))
    _record(old, [store_report(old, [finding()])], (store_quarantine(old),))
    # the configuration changes and the worker restarts before the alerts are sent
    monkeypatch.setenv("NIANBAO_ALERT_RECIPIENTS", '["new@example.gov.cn"]')
    get_settings.cache_clear()
    out = CliRunner().invoke(main, ["alerts", "flush"], catch_exceptions=False).output
    assert "new@example.gov.cn: 2 sent" in out, out
    smtp_sink.wait_for(2)
    assert [e["to"] for e in smtp_sink.envelopes] == [["new@example.gov.cn"]] * 2
    # never twice: recording the same verdicts again sends nothing to anyone
    new = get_settings()
    _record(new, [1], (1,))
    assert "nothing due" in CliRunner().invoke(main, ["alerts", "flush"], catch_exceptions=False).output
    get_settings.cache_clear()
