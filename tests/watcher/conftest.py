"""Fixtures for the watcher tests: a real broker, settings for a temporary inbox, queue inspection."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection

from worker.settings import Settings

QUEUE = str(getattr(Settings(), "task_queue", None) or "celery")  # the queue workers consume


class Queue:
    """Read-only view of the Celery default queue (a Redis list), limited to messages for one inbox."""

    def __init__(self, url: str, inbox: Path) -> None:
        self.conn = Connection(url)
        self.client: Any = self.conn.default_channel.client
        self.inbox = str(inbox)

    def _mine(self) -> list[tuple[bytes, dict[str, Any]]]:
        out = []
        for raw in self.client.lrange(QUEUE, 0, -1):
            msg = json.loads(raw)
            args = json.loads(base64.b64decode(msg["body"]))[0]
            first = args[0][0][0] if args and isinstance(args[0], list) and args[0] else (args[0] if args else "")
            if str(first).startswith(self.inbox):  # a file's path, or a batch's first [file, arrival]
                out.append((raw, msg))
        return out

    def messages(self) -> list[tuple[str, list[Any]]]:
        """``(task name, args)`` of each queued message for a file of this inbox, oldest first."""
        found = []
        for _raw, msg in reversed(self._mine()):  # LPUSH: newest first in the list
            args = json.loads(base64.b64decode(msg["body"]))[0]
            found.append((msg["headers"]["task"], args))
        return found

    def paths(self) -> list[str]:
        """The queued files, a batch's one by one."""
        out: list[str] = []
        for _task, args in self.messages():
            if isinstance(args[0], list):  # nianbao.ingest_batch: [[file, arrival], ...]
                out.extend(item[0] for item in args[0])
            else:
                out.append(args[0])
        return out

    def wait_for(self, count: int, timeout: float = 10.0) -> list[str]:
        """Wait until at least ``count`` messages are queued; return their paths."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            paths = self.paths()
            if len(paths) >= count:
                return paths
            time.sleep(0.05)
        return self.paths()

    def clear(self) -> None:
        for raw, _msg in self._mine():
            self.client.lrem(QUEUE, 0, raw)

    def close(self) -> None:
        """Remove this inbox's messages and in-flight records (the broker may be a shared Redis)."""
        from watcher import inflight_key

        paths = {Path(p) for p in self.paths()}
        inbox = Path(self.inbox)
        if inbox.is_dir():
            paths.update(p for p in inbox.rglob("*") if p.is_file())
        for path in paths:
            self.client.delete(inflight_key(path))
        self.clear()
        self.conn.release()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a temporary inbox and data dir, fast timings; keyword arguments override."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "inbox": tmp_path / "inbox",
            "data_dir": tmp_path / "data",
            "stable_seconds": 0.4,
            "poll_interval": 0.1,
            "rescan_interval": 60.0,
            "visibility_timeout": 60,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def queue(broker_url: str, tmp_path: Path) -> Iterator[Queue]:
    q = Queue(str(broker_url), tmp_path / "inbox")
    yield q
    q.close()


class Running:
    """A watcher running ``run_watcher`` in a thread; ``stop()`` ends it."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        from watcher import run_watcher

        self.stop_event = threading.Event()
        self.error: BaseException | None = None

        def target() -> None:
            try:
                run_watcher(settings, self.stop_event, **kwargs)
            except BaseException as exc:  # surfaced by stop()
                self.error = exc

        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "watcher did not stop"
        if self.error is not None:
            raise self.error


@pytest.fixture
def start_watcher() -> Iterator[Callable[..., Running]]:
    running: list[Running] = []

    def start(settings: Settings, **kwargs: Any) -> Running:
        r = Running(settings, **kwargs)
        running.append(r)
        return r

    yield start
    for r in running:
        if r.thread.is_alive():
            r.stop()
