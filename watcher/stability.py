"""Decide when a file in the inbox has finished being written.

Modelled on paperless-ngx's consumer ``FileStabilityTracker``: every filesystem event for a path restarts
its timer, and each ``poll`` re-stats the tracked files. A file is *ready* once neither an event has been
seen nor its ``(size, mtime)`` has changed for ``stable_seconds``. A file written in two parts with a pause
shorter than ``stable_seconds`` is therefore never reported in between.

The clock is injectable (``clock=``) so the logic can be tested deterministically.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileState:
    """What a file looked like when last seen: size in bytes and mtime in nanoseconds.

    A symbolic link is never followed: its state is that of the link itself (``link=True``), whatever it
    points to (a file, a directory, nothing, or itself in a loop). The watcher hands it over as a file.
    """

    size: int
    mtime_ns: int
    link: bool = False

    @classmethod
    def of(cls, path: Path) -> FileState | None:
        """``lstat`` ``path``; ``None`` if it is gone, unreadable, or neither a regular file nor a symlink."""
        try:
            st = os.lstat(path)
        except (OSError, ValueError):  # gone, permission, name too long ...; ValueError: NUL in a name
            return None
        if stat.S_ISLNK(st.st_mode):
            return cls(size=st.st_size, mtime_ns=st.st_mtime_ns, link=True)
        if not stat.S_ISREG(st.st_mode):
            return None
        return cls(size=st.st_size, mtime_ns=st.st_mtime_ns)


@dataclass
class _Entry:
    state: FileState
    last_change: float


@dataclass(frozen=True)
class ReadyFile:
    """A file that has been stable long enough to be enqueued."""

    path: Path
    state: FileState


class StabilityTracker:
    """Track candidate files until their size and mtime stop changing.

    Thread-safe: the observer thread calls ``touch``/``discard`` while the watcher loop calls ``poll``.

    Args:
        stable_seconds: how long a file must go without events and without a size/mtime change.
        clock: monotonic clock returning seconds (``time.monotonic`` by default).
    """

    def __init__(self, stable_seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if stable_seconds < 0:
            raise ValueError("stable_seconds must be >= 0")
        self.stable_seconds = stable_seconds
        self._clock = clock
        self._entries: dict[Path, _Entry] = {}
        self._lock = threading.Lock()

    def touch(self, path: Path) -> bool:
        """Record activity on ``path`` (an event, or a scan finding it): its timer starts again.

        Returns:
            True when the path is now tracked, False when it is not a regular file (or vanished).
        """
        state = FileState.of(path)
        with self._lock:
            if state is None:
                self._entries.pop(path, None)
                return False
            self._entries[path] = _Entry(state=state, last_change=self._clock())
            return True

    def discard(self, path: Path) -> None:
        """Stop tracking ``path`` (it was deleted or moved away)."""
        with self._lock:
            self._entries.pop(path, None)

    def discard_under(self, directory: Path) -> None:
        """Stop tracking every path below ``directory`` (a directory was removed or moved away)."""
        with self._lock:
            for path in [p for p in self._entries if directory in p.parents]:
                del self._entries[path]

    def is_tracked(self, path: Path) -> bool:
        """Whether ``path`` is currently waiting to become stable."""
        with self._lock:
            return path in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def seconds_until_due(self) -> float | None:
        """Seconds until the earliest tracked file has been quiet for ``stable_seconds`` (0 when one already
        has), or None when nothing is tracked: when the next ``poll`` may find a file ready."""
        with self._lock:
            if not self._entries:
                return None
            earliest = min(entry.last_change for entry in self._entries.values())
        return max(0.0, earliest + self.stable_seconds - self._clock())

    def poll(self) -> list[ReadyFile]:
        """Re-stat every tracked file and return (and stop tracking) those that are stable.

        A file whose size or mtime changed since it was last seen has its timer restarted; a file that
        disappeared is dropped silently.
        """
        now = self._clock()
        with self._lock:
            paths = list(self._entries)
        ready: list[ReadyFile] = []
        for path in paths:
            state = FileState.of(path)
            with self._lock:
                entry = self._entries.get(path)
                if entry is None:  # discarded meanwhile
                    continue
                if state is None:
                    del self._entries[path]
                elif state != entry.state:
                    entry.state = state
                    entry.last_change = now
                elif now - entry.last_change >= self.stable_seconds:
                    del self._entries[path]
                    ready.append(ReadyFile(path=path, state=state))
        ready.sort(key=lambda r: str(r.path))
        return ready
