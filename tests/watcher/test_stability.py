"""StabilityTracker: a file is ready only after stable_seconds without events or size/mtime change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watcher.stability import FileState, StabilityTracker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _write(path: Path, data: bytes, mtime_ns: int | None = None) -> None:
    with open(path, "ab") as fh:
        fh.write(data)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


def test_stability_ready_only_after_stable_seconds(tmp_path: Path, clock: Clock) -> None:
    f = tmp_path / "a.txt"
    _write(f, b"abc")
    tracker = StabilityTracker(2.0, clock=clock)
    assert tracker.touch(f)
    clock.advance(1.9)
    assert tracker.poll() == []
    clock.advance(0.2)
    ready = tracker.poll()
    assert [r.path for r in ready] == [f]
    assert ready[0].state == FileState(size=3, mtime_ns=f.stat().st_mtime_ns)
    # reported once, then no longer tracked
    assert tracker.poll() == []
    assert len(tracker) == 0


def test_stability_says_when_the_earliest_file_falls_due(tmp_path: Path, clock: Clock) -> None:
    tracker = StabilityTracker(2.0, clock=clock)
    assert tracker.seconds_until_due() is None  # nothing tracked: nothing can fall due
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    _write(first, b"a")
    _write(second, b"b")
    tracker.touch(first)
    clock.advance(0.5)
    tracker.touch(second)
    assert tracker.seconds_until_due() == pytest.approx(1.5)
    clock.advance(0.5)
    tracker.touch(first)  # activity: its timer starts again, the other file is now the earliest
    assert tracker.seconds_until_due() == pytest.approx(1.5)
    clock.advance(1.6)
    assert tracker.seconds_until_due() == 0.0
    assert [r.path for r in tracker.poll()] == [second]
    assert tracker.seconds_until_due() == pytest.approx(0.4)


def test_stability_size_change_restarts_timer(tmp_path: Path, clock: Clock) -> None:
    f = tmp_path / "half.txt"
    _write(f, b"part one", mtime_ns=1_000_000_000)
    tracker = StabilityTracker(2.0, clock=clock)
    tracker.touch(f)
    clock.advance(1.5)
    # second part written without any event reaching the tracker: poll notices the new size
    _write(f, b" and part two", mtime_ns=1_000_000_000)
    assert tracker.poll() == []
    clock.advance(1.5)  # 3.0 s after first sight, but only 1.5 s after the change
    assert tracker.poll() == []
    clock.advance(0.6)
    assert [r.state.size for r in tracker.poll()] == [len(b"part one and part two")]


def test_stability_mtime_change_alone_restarts_timer(tmp_path: Path, clock: Clock) -> None:
    f = tmp_path / "same-size.txt"
    _write(f, b"xxxx", mtime_ns=1_000_000_000)
    tracker = StabilityTracker(1.0, clock=clock)
    tracker.touch(f)
    clock.advance(0.9)
    os.utime(f, ns=(2_000_000_000, 2_000_000_000))
    assert tracker.poll() == []
    clock.advance(0.9)
    assert tracker.poll() == []
    clock.advance(0.2)
    assert [r.state.mtime_ns for r in tracker.poll()] == [2_000_000_000]


def test_stability_event_restarts_timer_without_change(tmp_path: Path, clock: Clock) -> None:
    f = tmp_path / "a.txt"
    _write(f, b"abc")
    tracker = StabilityTracker(1.0, clock=clock)
    tracker.touch(f)
    clock.advance(0.8)
    tracker.touch(f)  # another event: no events for N s is part of "stable"
    clock.advance(0.8)
    assert tracker.poll() == []
    clock.advance(0.3)
    assert len(tracker.poll()) == 1


def test_stability_vanished_file_dropped(tmp_path: Path, clock: Clock) -> None:
    f = tmp_path / "a.txt"
    _write(f, b"abc")
    tracker = StabilityTracker(1.0, clock=clock)
    tracker.touch(f)
    f.unlink()
    clock.advance(5)
    assert tracker.poll() == []
    assert len(tracker) == 0


def test_stability_discard_and_discard_under(tmp_path: Path, clock: Clock) -> None:
    (tmp_path / "sub").mkdir()
    a, b, c = tmp_path / "a.txt", tmp_path / "sub" / "b.txt", tmp_path / "sub" / "c.txt"
    for f in (a, b, c):
        _write(f, b"x")
    tracker = StabilityTracker(0.5, clock=clock)
    for f in (a, b, c):
        tracker.touch(f)
    tracker.discard(a)
    tracker.discard_under(tmp_path / "sub")
    clock.advance(1)
    assert tracker.poll() == []


def test_stability_directories_and_missing_paths_not_tracked(tmp_path: Path, clock: Clock) -> None:
    tracker = StabilityTracker(0.5, clock=clock)
    assert not tracker.touch(tmp_path)
    assert not tracker.touch(tmp_path / "missing.txt")
    assert len(tracker) == 0


def test_stability_negative_delay_rejected() -> None:
    with pytest.raises(ValueError):
        StabilityTracker(-1)


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.floats(min_value=0.0, max_value=1.5), st.integers(min_value=0, max_value=3)),
        min_size=1,
        max_size=12,
    )
)
def test_stability_never_ready_within_delay_of_last_change(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[float, int]]
) -> None:
    """Whatever the pattern of writes and pauses, a file is reported at most once, never sooner than
    stable_seconds after its last observed change, and with the size it had at that moment."""
    delay = 1.0
    f = tmp_path_factory.mktemp("prop") / "f.bin"
    f.write_bytes(b"")
    clock = Clock()
    tracker = StabilityTracker(delay, clock=clock)
    tracker.touch(f)
    last_change = clock.now
    reported = []
    for pause, nbytes in steps:
        clock.advance(pause)
        if nbytes and not reported:
            _write(f, b"x" * nbytes)
        for r in tracker.poll():
            reported.append((clock.now, r))
        if nbytes and not reported:
            last_change = clock.now
    clock.advance(delay + 0.1)
    reported += [(clock.now, r) for r in tracker.poll()]
    assert len(reported) == 1
    when, ready = reported[0]
    assert when - last_change >= delay
    assert ready.state.size == f.stat().st_size
