"""`nianbao watch` as a real process (SIGTERM stops it cleanly), and the watcher's import hygiene."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("worker.parse", "worker.extract", "worker.rules", "worker.tasks", "worker.app", "worker.store")


def test_import_watcher_does_not_import_parsing_or_tasks() -> None:
    code = (
        "import sys, threading\n"
        "import watcher, watcher.cli, watcher.handler, watcher.scanner, watcher.stability\n"
        "from watcher import run_watcher, InboxWatcher, make_celery_app\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r}))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "", f"watcher imported {out.stdout.strip()}"


def test_watcher_sources_do_not_reference_parsing_packages() -> None:
    for src in (ROOT / "watcher").glob("*.py"):
        text = src.read_text(encoding="utf-8")
        for mod in FORBIDDEN:
            assert f"import {mod}" not in text and f"from {mod}" not in text, (src.name, mod)


@pytest.mark.integration
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cli_watch_enqueues_and_stops_on_signal(
    broker_url: str, queue: Any, tmp_path: Path, sig: int
) -> None:
    inbox = tmp_path / "inbox"
    env = {
        **os.environ,
        "NIANBAO_BROKER_URL": str(broker_url),
        "NIANBAO_DATA_DIR": str(tmp_path / "data"),
        "NIANBAO_STABLE_SECONDS": "0.3",
        "NIANBAO_POLL_INTERVAL": "0.1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from worker.cli import main; main()", "watch", "--inbox", str(inbox)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not inbox.is_dir() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        (inbox / "dropped.txt").write_text("report")
        assert queue.wait_for(1, timeout=15) == [str(inbox / "dropped.txt")]
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "file_enqueued" in err and "watcher_stopped" in err
