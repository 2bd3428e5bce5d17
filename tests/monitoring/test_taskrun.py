"""The task-run table from Celery signals on a real worker: failures recorded with error and duration (retries: tests/alerts/test_tasks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.alerts.factories import finding, store_report
from tests.alerts.test_tasks import _start
from tests.utils.smtp import SmtpSink
from worker import monitoring
from worker.monitoring import short_args
from worker.store.ops_models import TaskRun

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")]


def test_failed_task_is_recorded_with_error_and_duration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, broker_url: str
) -> None:
    bad_routes = [{"organ_prefx": "福建省", "recipients": ["x@example.gov.cn"]}]  # a typo in the config
    for e in _start(monkeypatch, tmp_path, smtp_sink, broker_url, alert_routes=bad_routes):
        rid = store_report(e.settings, [finding()])
        res = e.app.send_task("nianbao.alert_report", args=[rid])
        with pytest.raises(Exception, match="unknown key"):
            res.get(timeout=30)
        ok = e.app.send_task("nianbao.alert_quarantine", args=[12345])  # record gone: succeeds, nothing sent
        ok.get(timeout=30)
        assert monitoring.drain()
        runs = {r.task_id: r for r in e.rows(TaskRun)}
        failed = runs[res.id]
        assert failed.state == "failed" and failed.name == "nianbao.alert_report"
        assert failed.error and failed.error.startswith("ConfigError: alert_routes[0]: unknown key")
        assert failed.runtime_s is not None and failed.runtime_s >= 0 and failed.finished_at is not None
        assert runs[ok.id].state == "succeeded" and runs[ok.id].args == "[12345]"


def test_short_args_names_the_file_and_bounds_the_rest() -> None:
    assert short_args("nianbao.ingest", ["/srv/inbox/2023/将乐县南口镇.docx"]) == "将乐县南口镇.docx"
    assert short_args("nianbao.alert_report", [7], "[7]") == "[7]"
    long = short_args("nianbao.alert_flush", ["x" * 500])
    assert len(long) == 200 and long.endswith("…")
