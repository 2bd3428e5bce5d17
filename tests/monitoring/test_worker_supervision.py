"""``nianbao worker`` for real (issue 10 items 16 and 19): unique node names, and a Celery worker that exits is
started again by the ``nianbao worker`` process, as ``nianbao run`` does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

from tests.utils.services import make_settings, settings_env, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


def _celery_child(pid: int) -> int | None:
    return next((c for c in _children(pid) if "celery" in _cmdline(c)), None)


@pytest.fixture
def two_workers(tmp_path: Path, broker_url: str) -> Iterator[tuple[list[subprocess.Popen[bytes]], Celery]]:
    from worker.app import celery_config

    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'nianbao.sqlite'}", broker_url, worker_ping_interval=2)
    env = settings_env(settings)
    exe = Path(sys.executable).with_name("nianbao")
    logs = [open(tmp_path / f"worker{i}.log", "wb") for i in range(2)]  # noqa: SIM115
    procs = [subprocess.Popen([str(exe), "worker", "-c", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)
             for log in logs]
    app = Celery("nianbao-supervision-test")
    app.conf.update(celery_config(settings))
    try:
        yield procs, app
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in logs:
            log.close()
        app.close()


def _diagnosis(procs: list[subprocess.Popen[bytes]], logs: list[Path]) -> str:
    """What each ``nianbao worker`` did: its return code (None: running), its Celery child, its log's tail."""
    parts = []
    for i, (proc, log) in enumerate(zip(procs, logs, strict=True)):
        try:
            tail = log.read_bytes()[-3000:].decode(errors="replace")
        except OSError as exc:
            tail = f"<{exc}>"
        parts.append(
            f"--- worker{i}: pid {proc.pid}, returncode {proc.poll()}, celery child {_celery_child(proc.pid)},"
            f" log {log}:\n{tail}"
        )
    return "\n".join(parts)


def _wait(
    app: Celery, procs: list[subprocess.Popen[bytes]], logs: list[Path], predicate: Any, timeout: float, what: str
) -> Any:
    """``wait_until``; on timeout the assertion message has both workers' return codes and log tails, and
    whether the broker still answers and which nodes do answer a ping."""
    from worker.broker import ping_url

    try:
        return wait_until(predicate, timeout, what)
    except AssertionError as exc:
        broker = str(app.conf.broker_url)
        try:
            answering = sorted(name for reply in app.control.ping(timeout=1.0) for name in reply)
        except Exception as ping_exc:  # the diagnosis must not hide the timeout
            answering = [f"<{type(ping_exc).__name__}: {ping_exc}>"]
        raise AssertionError(
            f"{exc}\nbroker {broker} answers PING: {ping_url(broker)}; nodes answering a ping: {answering}\n"
            f"{_diagnosis(procs, logs)}"
        ) from None


def _nodes(app: Celery, pids: list[int]) -> set[str]:
    names = {name for reply in app.control.ping(timeout=1.0) for name in reply}
    return {n for n in names if any(n.startswith(f"nianbao-{pid}@") for pid in pids)}


def test_two_workers_on_one_host_have_their_own_names_and_are_restarted(
    two_workers: tuple[list[subprocess.Popen[bytes]], Celery], tmp_path: Path
) -> None:
    procs, app = two_workers
    logs = [tmp_path / f"worker{i}.log" for i in range(len(procs))]
    pids = [p.pid for p in procs]
    def both() -> set[str] | None:
        found = _nodes(app, pids)
        return found if len(found) == 2 else None

    nodes = _wait(app, procs, logs, both, 60, "both workers to answer a ping")
    assert nodes == {f"nianbao-{pid}@{os.uname().nodename}" for pid in pids}

    # the Celery main process of the first worker dies (as with WorkerLostError at pool start): started again
    first = _celery_child(pids[0])
    assert first is not None
    os.kill(first, signal.SIGKILL)
    def restarted() -> int | None:
        child = _celery_child(pids[0])
        return child if child not in (None, first) else None

    again = _wait(app, procs, logs, restarted, 30, "nianbao worker to start the Celery worker again")
    assert again != first and procs[0].poll() is None
    assert _wait(app, procs, logs, both, 60, "the restarted worker to answer a ping") == nodes

    # a Celery worker that stops answering while the broker answers (frozen here; seen hung after an
    # "Unrecoverable error" following a broker outage) is killed and started again (worker/liveness.py)
    frozen = _celery_child(pids[1])
    assert frozen is not None
    os.kill(frozen, signal.SIGSTOP)

    def replaced() -> int | None:
        child = _celery_child(pids[1])
        return child if child not in (None, frozen) else None

    _wait(app, procs, logs, replaced, 60, "the unresponsive worker to be replaced")
    assert procs[1].poll() is None and not Path(f"/proc/{frozen}").exists()
    assert _wait(app, procs, logs, both, 60, "the replacement to answer a ping") == nodes
