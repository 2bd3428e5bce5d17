"""``nianbao status``, ``health``, ``alerts test``, ``flower`` argument checks, on real services."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from click.testing import CliRunner
from sqlmodel import select

from tests.alerts.conftest import configure, smtp_overrides
from tests.alerts.factories import finding, store_quarantine, store_report
from tests.alerts.test_smtp import _Rejecting
from tests.utils.smtp import SmtpSink, free_port
from worker import monitoring
from worker.cli import main
from worker.settings import Settings, get_settings
from worker.store.db import session_scope
from worker.store.ops_models import AlertLedger, TaskRun

pytestmark = pytest.mark.integration


@pytest.fixture
def ops(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, broker_url: str) -> Iterator[Settings]:
    from worker.store.db import dispose_engines

    yield configure(monkeypatch, tmp_path, f"sqlite:///{tmp_path / 'nianbao.sqlite'}", broker_url,
                    **smtp_overrides(smtp_sink))
    monitoring.drain()
    dispose_engines()
    get_settings.cache_clear()


def _invoke(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


def test_status_shows_queue_work_quarantine_and_failed_alerts(ops: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from worker.alerts.digest import flush_recipient
    from worker.alerts.ledger import record_report
    from worker.alerts.source import load_report_alert
    from worker.app import celery_config

    monitoring.connect_signals()  # as worker/app.py does for producers such as the watcher
    # three ingest tasks waiting (no worker consumes this test's queue)
    app = Celery("nianbao-status-test")
    app.conf.update(celery_config(ops))
    for i in range(3):
        app.send_task("nianbao.ingest", args=[f"/srv/inbox/报告{i}.txt"])
    # a file in flight, a quarantined one, an alert sent, an alert refused for good
    claim = ops.processing_path / "task-1"
    claim.mkdir(parents=True)
    (claim / "在办.txt").write_text("x")
    (claim / ".lock").write_text("")
    store_quarantine(ops)
    ok_id = store_report(ops, [finding()], organ="甲镇人民政府")
    bad = ops.model_copy(update={"alert_recipients": ["nobody@example.gov.cn"]})
    bad_id = store_report(ops, [finding(), finding()], organ="乙镇人民政府")
    sink = SmtpSink()
    sink._controller = __import__("aiosmtpd.controller", fromlist=["Controller"]).Controller(
        _Rejecting(sink), hostname="127.0.0.1", port=sink.port)
    with session_scope(ops) as s:
        record_report(s, load_report_alert(s, ok_id), settings=ops)  # type: ignore[arg-type]
        record_report(s, load_report_alert(s, bad_id), settings=bad)  # type: ignore[arg-type]
    flush_recipient("zwgk@example.gov.cn", settings=ops)
    with sink:
        flush_recipient("nobody@example.gov.cn", settings=bad.model_copy(update={"smtp_port": sink.port}))
    assert monitoring.drain()

    code, out = _invoke("status", "--json")
    assert code == 0, out
    st = json.loads(out)
    assert st["errors"] == {}
    assert st["queue"]["waiting"] == 3
    assert st["in_flight"] == 1
    assert st["quarantine"]["records"] == 1 and st["last_hour"]["quarantined"] == 1
    assert st["last_hour"]["reports_failed_checks"] == 2
    assert st["alerts"]["failed"] == 1
    recent = st["alerts"]["recent"]
    assert [(d["to"], d["status"]) for d in recent] == [("nobody@example.gov.cn", "failed"), ("zwgk@example.gov.cn", "sent")]
    assert "550" in recent[0]["error"] and recent[1]["reply"] == "250 OK"

    with session_scope(ops) as s:
        queued = s.exec(select(TaskRun).where(TaskRun.name == "nianbao.ingest").order_by(TaskRun.id)).all()
    # recorded at publish time, with the file name as the readable argument
    assert [(r.state, r.args) for r in queued] == [("queued", f"报告{i}.txt") for i in range(3)]

    # and the message itself carries it, so Flower shows the file name once a worker receives it
    from worker.cli.ops import _broker_url, _redis_client

    raw = _redis_client(_broker_url(ops)).lrange(ops.task_queue, 0, -1)
    argsreprs = sorted(json.loads(m)["headers"]["argsrepr"] for m in raw)
    assert argsreprs == [f"('报告{i}.txt',)" for i in range(3)]

    code, text = _invoke("status")
    assert code == 0
    assert "等待 3" in text and "发送失败 1" in text and "乙镇人民政府" in text
    with session_scope(ops) as s:
        assert {r.status for r in s.exec(select(AlertLedger))} == {"sent", "failed"}


def test_health_exit_codes(ops: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _invoke("health")
    assert code == 0, out
    assert all(line.startswith("正常") for line in out.splitlines()), out
    assert "消息队列" in out and "监视程序：未运行" in out
    # SMTP gone and inbox not a directory: unhealthy, and each failure named
    monkeypatch.setenv("NIANBAO_SMTP_PORT", str(free_port()))
    bogus = tmp_path / "inbox-file"
    bogus.write_text("")
    monkeypatch.setenv("NIANBAO_INBOX", str(bogus))
    get_settings.cache_clear()
    code, out = _invoke("health", "--json")
    assert code == 2
    got = json.loads(out)
    assert got["healthy"] is False
    assert (got["broker"]["ok"], got["database"]["ok"], got["inbox"]["ok"], got["smtp"]["ok"]) == (True, True, False, False)
    assert "ConnectionRefused" in got["smtp"]["detail"]


def test_alerts_test_prints_server_reply(ops: Settings, smtp_sink: SmtpSink) -> None:
    code, out = _invoke("alerts", "test", "--to", "ops@example.gov.cn")
    assert code == 0, out
    assert "250 OK" in out and "ops@example.gov.cn" in out
    (msg,) = smtp_sink.wait_for(1)
    assert str(msg["Subject"]) == "【年报校验】测试邮件" and smtp_sink.envelopes[0]["to"] == ["ops@example.gov.cn"]
    smtp_sink.refuse_next = 1
    code, out = _invoke("alerts", "test")
    assert code == 2 and "451" in out


def test_flower_refuses_public_bind_without_auth(ops: Settings) -> None:
    code, out = _invoke("flower", "--address", "0.0.0.0")
    assert code == 2 and "refusing to start Flower" in out


@pytest.mark.parametrize("auth", ["nocolon", ":pw", "ops:密码"])
def test_flower_rejects_bad_credentials(ops: Settings, monkeypatch: pytest.MonkeyPatch, auth: str) -> None:
    monkeypatch.setenv("NIANBAO_FLOWER_BASIC_AUTH", auth)
    get_settings.cache_clear()
    code, out = _invoke("flower", "--address", "0.0.0.0")
    assert code == 2 and "flower_basic_auth must be" in out
