"""Issue 10, item 6: an alert task that meets an unavailable database retries until it answers, however long
the outage, and the alert is then sent. Real worker and broker, real SMTP; the outage is real too: a SQLite
write lock held by another connection, or a TCP gate in front of PostgreSQL that refuses connections."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from tests.alerts.conftest import configure, smtp_overrides
from tests.alerts.factories import finding, store_quarantine, store_report
from tests.utils.outage import Outage
from tests.utils.smtp import SmtpSink
from worker import monitoring
from worker.settings import get_settings

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(120),
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]
OUTAGE_S = 4.0


@pytest.fixture
def outage(database_url: str) -> Iterator[Outage]:
    out = Outage(database_url)
    yield out
    out.close()


def test_alerts_are_sent_after_a_database_outage(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, broker_url: str, outage: Outage
) -> None:
    from worker.app import celery_config
    from worker.store.db import dispose_engines

    settings = configure(
        monkeypatch, tmp_path, outage.url, broker_url, **smtp_overrides(smtp_sink, db_busy_timeout=0.2)
    )
    rid = store_report(settings, [finding()])
    qid = store_quarantine(settings, name="加密.pdf", reason="文件已加密")
    app = Celery("nianbao-outage-test", include=["worker.alerts.task"])
    app.conf.update(celery_config(settings))
    app.set_current()
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[settings.task_queue], shutdown_timeout=30):
        outage.begin()
        try:
            results = [
                app.send_task("nianbao.alert_report", args=[rid]),
                app.send_task("nianbao.alert_quarantine", args=[qid]),
            ]
            time.sleep(OUTAGE_S)
            assert smtp_sink.messages == []
        finally:
            outage.end()
        assert results[0].get(timeout=90)["sent"] == 1
        assert results[1].get(timeout=90)["sent"] == 1
        subjects = sorted(str(m["Subject"]) for m in smtp_sink.wait_for(2))
        assert subjects[0].startswith("【年报校验】") and subjects[1].startswith("【年报隔离】加密.pdf")
        del results
        gc.collect()
    app.close()
    monitoring.drain()
    dispose_engines()
    get_settings.cache_clear()
