"""Re-check runs (SQLite and PostgreSQL) from the operations page and ``nianbao recheck``: the run recorded,
one ``nianbao.recheck`` task per chunk on a real broker, the progress counted by the re-check itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kombu import Connection

from tests.alerts.conftest import configure
from tests.utils.stored import store_seeds
from tests.web.conftest import web_settings_for
from tests.web.test_review_routes import audit, client_for, login
from worker import tasknames
from worker.recheck import recheck_one
from worker.settings import Settings, get_settings
from worker.store import queries
from worker.store.db import session_scope
from worker.store.web_models import AuditAction


def queued(broker_url: str, queue_name: str) -> list[list[Any]]:
    """The args of every task message waiting in ``queue_name`` (consumed)."""
    out: list[list[Any]] = []
    with Connection(broker_url) as conn:
        queue = conn.SimpleQueue(queue_name)
        while True:
            try:
                message = queue.get(timeout=1)
            except queue.Empty:
                break
            assert message.headers["task"] == tasknames.RECHECK
            out.append(message.decode()[0])
            message.ack()
        queue.close()
    return out


def test_operator_starts_a_recheck_and_sees_its_progress(
    tmp_path: Path, database_url: str, broker_url: str
) -> None:
    settings = web_settings_for(tmp_path, database_url, broker_url=broker_url)
    ids = store_seeds(settings)
    viewer = client_for(settings)
    viewer_csrf = login(viewer, "li")
    page = viewer.get("/ops").text
    assert "http://127.0.0.1:5555/" in page and "recheck-form" not in page and "还没有重新校验过" in page
    assert viewer.post("/ops/recheck", data={"csrf_token": viewer_csrf}).status_code == 403

    operator = client_for(settings)
    csrf = login(operator, "zhang")
    bad = operator.post("/ops/recheck", data={"csrf_token": csrf, "year": "去年"})
    assert "年度格式有误" in bad.text
    answer = operator.post(
        "/ops/recheck", data={"csrf_token": csrf, "year": "2023", "path_prefix": "将乐县/"}
    )
    assert "已开始重新校验" in answer.text and "recheck-form" in answer.text
    wanted = sorted([ids["000"], ids["corrected"]])  # 将乐县/南口镇 2023, two versions
    [(run_id, chunk)] = queued(broker_url, settings.task_queue)
    assert sorted(chunk) == wanted
    progress = operator.get("/ops/rechecks.json").json()["runs"]
    assert progress == [{"id": run_id, "state": "running", "total": 2, "done": 0, "failed": 0, "finished": 0,
                         "percent": 0}]  # fmt: skip

    for report_id in chunk:
        assert recheck_one(settings, run_id, report_id)
    progress = operator.get("/ops/rechecks.json").json()["runs"][0]
    assert (progress["state"], progress["finished"], progress["percent"]) == ("done", 2, 100)
    page = operator.get("/ops").text
    assert "已完成" in page and "2 / 2" in page and "将乐县" in page
    assert audit(settings) == [("zhang", AuditAction.RECHECK, f"recheck:{run_id}", "year=2023 path=将乐县")]


@pytest.fixture
def cli_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, broker_url: str
) -> Iterator[Settings]:
    yield configure(monkeypatch, tmp_path, database_url, broker_url)
    get_settings.cache_clear()


def test_cli_enqueues_the_same_run(cli_settings: Settings, broker_url: str) -> None:
    from worker.cli import main

    ids = store_seeds(cli_settings)
    runner = CliRunner()
    result = runner.invoke(main, ["recheck", "--region", "岚皋县"])
    assert result.exit_code == 0, result.output
    assert "re-check run 1: 1 report(s) queued" in result.output
    assert queued(broker_url, cli_settings.task_queue) == [[1, [ids["001"]]]]
    assert recheck_one(cli_settings, 1, ids["001"])
    status = runner.invoke(main, ["recheck", "--status", "1"])
    assert status.exit_code == 0 and "run 1: done, 1/1 re-checked, 0 failed" in status.output

    everything = runner.invoke(main, ["recheck"])
    assert "re-check run 2: 7 report(s) queued" in everything.output
    assert [len(args[1]) for args in queued(broker_url, cli_settings.task_queue)] == [7]
    with session_scope(cli_settings) as s:
        runs = queries.recheck_runs(s)
    assert [(r.id, r.requested_by, r.path_prefix, r.state) for r in runs] == [
        (2, "cli", None, "running"), (1, "cli", "岚皋县", "done"),
    ]  # fmt: skip


def test_the_operations_page_lists_the_live_workers_and_whether_their_settings_agree(
    tmp_path: Path, database_url: str
) -> None:
    from worker.peers import Presence

    settings = web_settings_for(tmp_path, database_url)
    viewer = client_for(settings)
    login(viewer, "li")
    assert "最近没有运行中的处理进程" in viewer.get("/ops").text

    def worker_on(host: str, **overrides: Any) -> None:
        changed = settings.model_copy(update={"data_dir": tmp_path / host, **overrides})
        Presence(changed, f"nianbao-1@{host}", host=host).announce()

    worker_on("host-a")
    worker_on("host-b", worker_concurrency=8)  # host-local: not a verdict setting
    page = viewer.get("/ops").text
    assert "2 个处理进程的校验与告警设置相同" in page and "settings-differ" not in page
    assert "nianbao-1@host-a" in page and "nianbao-1@host-b" in page

    worker_on("<host-c>", rule_severity={"BLANK_CELL": "error"})  # a host name is shown escaped
    page = viewer.get("/ops").text
    assert "2 组处理进程的校验与告警设置不同：rule_severity" in page
    assert "&lt;host-c&gt;" in page and "<host-c>" not in page
    assert page.count('data-group="1"') == 2 and page.count('data-group="2"') == 1
