"""InboxWatcher driven step by step with an injected clock and send: backfill, rescan, no double enqueue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from watcher import InboxWatcher, LocalInflight
from worker.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Sent(list[str]):
    fail = False

    def __call__(self, path: str) -> None:
        if self.fail:
            raise ConnectionError("broker down")
        self.append(path)


@pytest.fixture
def rig(make_settings: Callable[..., Settings]) -> tuple[InboxWatcher, Clock, Sent, Path]:
    settings = make_settings(stable_seconds=2.0, rescan_interval=30.0)
    settings.inbox_path.mkdir(parents=True)
    clock, sent = Clock(), Sent()
    watcher = InboxWatcher(settings, sent, LocalInflight(), clock=clock)
    return watcher, clock, sent, settings.inbox_path


def test_loop_backfills_existing_files_once_stable(rig: Any) -> None:
    watcher, clock, sent, inbox = rig
    (inbox / "old.txt").write_text("report")
    (inbox / "sub").mkdir()
    (inbox / "sub" / "older.txt").write_text("report")
    (inbox / "skip.part").write_text("partial")
    assert watcher.step() == []  # first step scans; nothing is stable yet
    clock.advance(2.1)
    watcher.step()
    assert sorted(sent) == [str(inbox / "old.txt"), str(inbox / "sub" / "older.txt")]


def test_loop_sleeps_until_a_file_falls_due_not_a_whole_tick(rig: Any) -> None:
    """A file is queued ``stable_seconds`` after its last change: the loop wakes when it falls due instead of
    at its next tick (a tick is up to ``poll_interval``, 1 s by default, later)."""
    watcher, clock, sent, inbox = rig
    watcher.step()
    assert watcher._wait(1.0) == 1.0  # nothing tracked: the tick
    (inbox / "new.txt").write_text("report")
    watcher.tracker.touch(inbox / "new.txt")  # its event
    clock.advance(1.5)
    assert watcher._wait(1.0) == pytest.approx(0.5)
    clock.advance(0.5)
    assert watcher._wait(1.0) == pytest.approx(0.02)  # due now: the next step finds it ready at once
    watcher.step()
    assert sent == [str(inbox / "new.txt")] and watcher._wait(1.0) == 1.0
    # a backlog settling keeps the tick: its files fall due together into one step, and go in batches
    from watcher.service import BACKLOG_FILES

    for i in range(BACKLOG_FILES):
        (inbox / f"b{i:02d}.txt").write_text("report")
        watcher.tracker.touch(inbox / f"b{i:02d}.txt")
    clock.advance(1.9)
    assert watcher._wait(1.0) == 1.0


def test_loop_rescan_finds_files_that_produced_no_event(rig: Any) -> None:
    watcher, clock, sent, inbox = rig
    watcher.step()
    (inbox / "late.txt").write_text("report")  # no observer running: only a rescan can see it
    clock.advance(10)
    watcher.step()
    assert sent == []
    clock.advance(21)  # rescan due (30 s)
    watcher.step()
    clock.advance(2.1)
    watcher.step()
    assert sent == [str(inbox / "late.txt")]


def test_loop_never_enqueues_twice_while_in_flight(rig: Any) -> None:
    watcher, clock, sent, inbox = rig
    f = inbox / "a.txt"
    f.write_text("report")
    for _ in range(5):  # several rescans and events while the file waits for a worker
        watcher.step()
        watcher.handler.tracker.touch(f)
        clock.advance(31)
    watcher.step()
    assert sent == [str(f)]


def test_loop_new_version_or_reappearing_file_enqueued_again(rig: Any) -> None:
    watcher, clock, sent, inbox = rig
    f = inbox / "a.txt"
    f.write_text("v1")
    watcher.step()
    clock.advance(2.1)
    watcher.step()
    assert sent == [str(f)]
    # the worker claims it (moves it away); a rescan notices it is gone
    f.rename(inbox.parent / "claimed.txt")
    clock.advance(31)
    watcher.step()
    # a new file with the same name arrives
    f.write_text("version two")
    clock.advance(31)
    watcher.step()
    clock.advance(2.1)
    watcher.step()
    assert sent == [str(f), str(f)]


def test_loop_send_failure_retried_on_next_rescan(rig: Any) -> None:
    watcher, clock, sent, inbox = rig
    (inbox / "a.txt").write_text("report")
    sent.fail = True
    watcher.step()
    clock.advance(2.1)
    watcher.step()
    assert sent == [] and not watcher.inflight.is_inflight(inbox / "a.txt", _state(inbox / "a.txt"))
    sent.fail = False
    clock.advance(31)
    watcher.step()
    clock.advance(2.1)
    watcher.step()
    assert sent == [str(inbox / "a.txt")]


def test_loop_ignores_excluded_dirs_under_inbox(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    settings = make_settings(
        stable_seconds=0.0,
        archive_dir=inbox / "archive",
        quarantine_dir=inbox / "quarantine",
        processing_dir=inbox / "processing",
    )
    for d in ("archive", "quarantine", "processing"):
        (inbox / d).mkdir(parents=True)
        (inbox / d / "r.txt").write_text("done")
    (inbox / "new.txt").write_text("new")
    sent = Sent()
    watcher = InboxWatcher(settings, sent, LocalInflight(), clock=Clock())
    watcher.step()
    assert sent == [str(inbox / "new.txt")]


def _state(path: Path) -> Any:
    from watcher import FileState

    return FileState.of(path)


class ChangesDuringClaim(LocalInflight):
    """An in-flight record whose first claim coincides with a last write to the file."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.claims = 0

    def claim(self, path: Path, state: Any) -> bool:
        self.claims += 1
        if self.claims == 1:
            with open(self.path, "a") as fh:
                fh.write(" late tail")
        return super().claim(path, state)


def test_loop_file_changed_at_claim_time_waits_again(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(stable_seconds=2.0)
    settings.inbox_path.mkdir(parents=True)
    f = settings.inbox_path / "a.txt"
    f.write_text("body")
    clock, sent = Clock(), Sent()
    inflight = ChangesDuringClaim(f)
    watcher = InboxWatcher(settings, sent, inflight, clock=clock)
    watcher.step()
    clock.advance(2.1)
    watcher.step()
    assert sent == [] and watcher.tracker.is_tracked(f)
    clock.advance(1.0)
    watcher.step()
    assert sent == []
    clock.advance(1.1)
    watcher.step()
    assert sent == [str(f)] and f.read_text() == "body late tail"


class SentBatches(list[list[str]]):
    def __call__(self, paths: list[str]) -> None:
        self.append(list(paths))


def test_a_backlog_settled_at_once_is_sent_in_batches(make_settings: Callable[..., Settings]) -> None:
    from watcher.service import BACKLOG_FILES, BATCH_MAX, BATCH_SPREAD

    settings = make_settings(stable_seconds=2.0, rescan_interval=30.0)
    inbox = settings.inbox_path
    inbox.mkdir(parents=True)
    clock, sent, batches = Clock(), Sent(), SentBatches()
    watcher = InboxWatcher(settings, sent, LocalInflight(), clock=clock, send_batch=batches)
    files = sorted(str(inbox / f"r{i:03d}.txt") for i in range(130))
    for path in files:
        Path(path).write_text("report")
    watcher.step()
    clock.advance(2.1)
    assert sorted(map(str, watcher.step())) == files
    assert sent == []  # none alone
    assert sorted(p for batch in batches for p in batch) == files  # each file in exactly one batch
    assert len(batches) >= BATCH_SPREAD and all(len(b) <= BATCH_MAX for b in batches)
    sent_batches = len(batches)
    clock.advance(60)  # rescans while the batches wait for a worker: nothing is sent twice
    watcher.step()
    assert len(batches) == sent_batches and sent == []

    # a few files settling together are sent one by one, as always
    few = [inbox / f"late{i}.txt" for i in range(BACKLOG_FILES - 1)]
    for path in few:
        path.write_text("report")
    watcher.rescan()
    clock.advance(2.1)
    watcher.step()
    assert sorted(sent) == sorted(map(str, few)) and len(batches) == sent_batches
