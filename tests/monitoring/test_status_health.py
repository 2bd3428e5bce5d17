"""``nianbao status`` / ``health`` (issue 10 item 18): exit codes on outages, files in flight counted once,
the digest countdown shown apart from reserved work, and the watcher's heartbeat; on real services."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.alerts.conftest import configure, smtp_overrides
from tests.utils.services import wait_until
from tests.utils.smtp import SmtpSink, free_port
from worker import monitoring
from worker.cli import main
from worker.settings import Settings, get_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def ops(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, broker_url: str) -> Iterator[Settings]:
    from worker.store.db import dispose_engines, upgrade

    settings = configure(monkeypatch, tmp_path, f"sqlite:///{tmp_path / 'nianbao.sqlite'}", broker_url,
                         **smtp_overrides(smtp_sink))
    upgrade(settings)
    yield settings
    monitoring.drain()
    dispose_engines()
    get_settings.cache_clear()


def _invoke(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


def _status() -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out = _invoke("status", "--json")
    return code, json.loads(out)


def test_status_exits_2_when_the_broker_is_down(ops: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _status()[0] == 0
    monkeypatch.setenv("NIANBAO_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    get_settings.cache_clear()
    code, st = _status()
    assert code == 2 and "broker" in st["errors"] and "database" not in st["errors"]
    code, text = _invoke("status")
    assert code == 2 and "错误 消息队列" in text


def test_status_exits_2_when_the_database_is_down(ops: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from worker.store.db import dispose_engines

    dispose_engines()
    monkeypatch.setenv("NIANBAO_DATABASE_URL", f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    get_settings.cache_clear()
    code, st = _status()
    assert code == 2 and "database" in st["errors"] and "broker" not in st["errors"]


def test_status_counts_a_claimed_file_once(ops: Settings) -> None:
    claim = ops.processing_path / "task-1"
    claim.mkdir(parents=True)
    (claim / "在办.txt").write_text("x")
    (claim / ".lock").write_text("")
    (claim / ".origin").write_text(str(ops.inbox_path / "在办.txt"))  # what the spool writes beside the claim
    assert _status()[1]["in_flight"] == 1


def test_the_digest_countdown_is_scheduled_not_reserved(
    ops: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, broker_url: str
) -> None:
    """An idle worker holds the digest window's ``alert_flush`` (an ETA task): shown as 定时发送, not 已分配."""
    from tests.alerts.test_tasks import _start

    with SmtpSink() as sink:
        for e in _start(monkeypatch, tmp_path / "w", sink, broker_url):
            before = _status()[1]["queue"]
            e.app.send_task("nianbao.alert_flush", args=["zwgk@example.gov.cn", "email"], countdown=600,
                            queue=e.settings.task_queue)
            want = before["scheduled"] + 1
            wait_until(lambda want=want: _status()[1]["queue"]["scheduled"] == want, 20,
                       "the worker to reserve the countdown task")
            code, st = _status()
            assert code == 0 and st["queue"]["reserved"] == before["reserved"]
            code, text = _invoke("status")
            assert f"定时发送 {before['scheduled'] + 1}" in text


def _heartbeat(settings: Settings, *, age: timedelta, stopped: bool) -> None:
    from watcher.health import state_path

    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "pid": os.getpid(), "heartbeat_at": (datetime.now(UTC) - age).isoformat(), "stopped": stopped,
        "restarts": 2, "last_error": "OSError: [Errno 40] inbox/loop", "last_event_at": None,
    }))


def test_status_and_health_show_the_watcher(ops: Settings) -> None:
    from watcher import InboxWatcher  # noqa: F401 - the real watcher writes this file; see tests/watcher

    st = _status()[1]
    assert st["watcher"]["alive"] is False and st["watcher"]["heartbeat_at"] is None
    assert _invoke("health")[0] == 0  # no watcher on this host (e.g. `nianbao worker` alone): healthy

    _heartbeat(ops, age=timedelta(seconds=1), stopped=False)
    st = _status()[1]
    assert st["watcher"]["alive"] is True and st["watcher"]["restarts"] == 2
    code, text = _invoke("status")
    assert "监视程序    运行中，重启 2 次，最近错误：OSError: [Errno 40] inbox/loop" in text
    assert _invoke("health")[0] == 0

    _heartbeat(ops, age=timedelta(minutes=5), stopped=True)  # stopped cleanly: not a failure
    assert _status()[1]["watcher"]["stale"] is False
    assert _invoke("health")[0] == 0

    _heartbeat(ops, age=timedelta(minutes=5), stopped=False)  # killed or hung
    assert _status()[1]["watcher"]["stale"] is True
    code, out = _invoke("health", "--json")
    got = json.loads(out)
    assert code == 2 and got["watcher"]["ok"] is False and "心跳过期" in got["watcher"]["detail"]
    assert all(got[k]["ok"] for k in ("broker", "database", "inbox", "smtp"))


def test_status_health_and_reports_answer_while_a_worker_holds_the_write_lock(
    ops: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the commands that only read do it beside a writer (WAL), never waiting for its lock (a
    backfill's batch holds it for its whole store transaction), nor holding it against the workers."""
    import sqlite3

    from worker.store.db import dispose_engines

    dispose_engines()
    monkeypatch.setenv("NIANBAO_DB_BUSY_TIMEOUT", "0.3")
    get_settings.cache_clear()
    writer = sqlite3.connect(ops.sqlalchemy_url.split("///", 1)[1], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a worker's store transaction
    try:
        code, st = _status()
        assert "database" not in st["errors"] and st["last_hour"] is not None
        got = json.loads(_invoke("health", "--json")[1])
        assert got["database"]["ok"] is True and got["worker_settings"]["ok"] is True
        code, text = _invoke("reports")
        assert code == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
