"""``nianbao run`` as a user starts it: embedded broker, migrations, a worker and the watcher; SIGINT stops all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.utils import store
from tests.utils.services import make_settings, settings_env, wait_until
from worker.store.db import session_scope

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(120)]


def _descendants(pid: int) -> set[int]:
    out: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in out:
                    out.add(child)
                    todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to list child processes")
def test_run_embedded_broker_quarantines_junk_and_stops_cleanly(tmp_path: Path) -> None:
    # a short data dir: the broker's unix socket lives under it
    data = Path(tempfile.mkdtemp(prefix="nb-run-"))
    settings = make_settings(
        tmp_path, f"sqlite:///{tmp_path / 'run.sqlite'}", None, data_dir=data, stable_seconds=0.3
    )
    env = settings_env(settings)
    env.pop("NIANBAO_BROKER_URL", None)  # embedded: `nianbao run` starts the server itself
    env.pop("NIANBAO_INBOX", None)
    inbox = tmp_path / "drop"
    exe = str(Path(sys.executable).with_name("nianbao"))
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [exe, "run", "--inbox", str(inbox)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        socket_path = data / "broker" / "valkey.sock"
        wait_until(lambda: inbox.is_dir() and socket_path.exists(), 30, "broker socket and inbox")
        (inbox / "scan.txt").write_bytes(b"\x00\x01\x02 not a report")
        wait_until(
            lambda: store.quarantined(data / "quarantine", "scan.txt") is not None,
            60,
            "the junk file in quarantine/",
        )
        _, note = store.quarantined(data / "quarantine", "scan.txt") or (None, data)
        assert "reason:" in note.read_text(encoding="utf-8")
        with session_scope(settings) as s:
            (record,) = store.list_quarantine(s)
        assert record.name == "scan.txt" and record.original_path == str(inbox / "scan.txt")

        children = _descendants(proc.pid)
        assert len(children) >= 2  # the broker server and the worker (with its pool)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        wait_until(lambda: not any(_alive(p) for p in children), 10, "every child process to exit")
        assert not socket_path.exists() or not os.path.exists(
            f"/proc/{int((data / 'broker' / 'valkey.pid').read_text())}"
        )
    except BaseException:
        log.flush()
        print((tmp_path / "run.log").read_text(errors="replace")[-6000:])
        raise
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _descendants(proc.pid):
            os.kill(pid, signal.SIGKILL)
        log.close()
