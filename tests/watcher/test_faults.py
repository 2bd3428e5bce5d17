"""Issue 10: hostile inbox contents and writers must not stall or fool the watcher (real broker, inotify)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from watcher import InboxWatcher, LocalInflight
from watcher.health import watcher_state
from worker.settings import Settings

pytestmark = pytest.mark.integration


def _wait_dir(path: Path) -> None:
    deadline = time.monotonic() + 5
    while not path.is_dir() and time.monotonic() < deadline:  # the watcher creates it
        time.sleep(0.02)
    time.sleep(0.3)  # let the observer settle


def test_symlink_loop_neither_kills_the_observer_nor_delays_other_files(
    make_settings: Callable[..., Settings], broker_url: str, queue: Any, start_watcher: Any
) -> None:
    # rescan in 60 s: a file that is queued within seconds was seen through the observer's events
    settings = make_settings(broker_url=str(broker_url))
    inbox = settings.inbox_path
    w = start_watcher(settings)
    _wait_dir(inbox)
    (inbox / "loop").symlink_to(inbox / "loop")  # ELOOP on stat
    (inbox / "a").symlink_to(inbox / "b")
    (inbox / "b").symlink_to(inbox / "a")
    time.sleep(0.3)
    after = inbox / "after.txt"
    after.write_text("政府信息公开工作年度报告", encoding="utf-8")
    paths = queue.wait_for(4, timeout=8)
    time.sleep(1.5)  # the heartbeat writes changes within a second
    state = watcher_state(settings)
    w.stop()
    assert str(after) in paths
    # the links themselves are handed over (not followed) for the worker to refuse with a reason
    assert sorted(paths) == sorted(str(inbox / n) for n in ("a", "after.txt", "b", "loop"))
    assert state.alive and state.restarts == 0 and state.last_event_at is not None
    assert not watcher_state(settings).alive  # stopped cleanly


def test_dead_observer_is_restarted_and_reported(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(rescan_interval=60.0)
    sent: list[str] = []
    watcher = InboxWatcher(settings, sent.append, LocalInflight())
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        _wait_dir(settings.inbox_path)
        assert watcher_state(settings).alive
        first = watcher.observer
        first.stop()  # the observer thread ends as if it had died
        first.join(timeout=5)
        deadline = time.monotonic() + 5
        while watcher.observer is first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert watcher.observer is not first and watcher.observer.is_alive()
        time.sleep(0.3)
        late = settings.inbox_path / "late.txt"
        late.write_text("report")  # only the new observer can see it before the 60 s rescan
        deadline = time.monotonic() + 5
        while not sent and time.monotonic() < deadline:
            time.sleep(0.05)
        state = watcher_state(settings)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert sent == [str(late)]
    assert state.alive and state.restarts == 1
    assert state.last_error is not None and "observer" in state.last_error


WRITER = """
import sys, time
path, pause = sys.argv[1], float(sys.argv[2])
with open(path, "w", encoding="utf-8") as fh:
    fh.write("第一部分\\n" * 500)
    fh.flush()
    print("half", flush=True)
    time.sleep(pause)  # longer than stable_seconds, file still open for writing
    fh.write("第二部分\\n" * 500)
"""


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_file_held_open_by_a_pausing_writer_is_queued_only_after_close(
    make_settings: Callable[..., Settings], broker_url: str, queue: Any, start_watcher: Any, polling: bool
) -> None:
    settings = make_settings(broker_url=str(broker_url), stable_seconds=0.4, polling=polling)
    inbox = settings.inbox_path
    w = start_watcher(settings)
    _wait_dir(inbox)
    target = inbox / "slow.txt"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), "2.0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "half"
        time.sleep(1.5)  # well past stable_seconds (0.4 s) while the writer pauses
        assert queue.paths() == [], "queued while a writer still had it open"
        assert writer.wait(timeout=10) == 0
        closed_size = target.stat().st_size
        paths = queue.wait_for(1, timeout=5)
    finally:
        writer.kill()
        w.stop()
    assert paths == [str(target)]
    assert closed_size == len(("第一部分\n" * 500 + "第二部分\n" * 500).encode("utf-8"))
