"""Translate watchdog filesystem events into stability-tracker updates.

Writes, creations, attribute changes, write-closes and moves *into* the inbox (re)start a file's timer;
deletions and moves *out of* it stop tracking it and tell the watcher the path is gone (so its in-flight
record can be dropped). Opening or reading a file (``opened``, ``closed_no_write``) is not activity.
Events for ignored or excluded paths are dropped here. Whatever goes wrong with one event is logged with
its path and contained: an exception escaping ``dispatch`` would end watchdog's observer thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import structlog
from watchdog.events import FileSystemEvent, FileSystemEventHandler

from watcher.scanner import PathFilter, scan
from watcher.stability import StabilityTracker

log = structlog.get_logger("watcher")

_ACTIVITY = {"created", "modified", "closed", "attrib"}


def _as_path(raw: bytes | str) -> Path:
    return Path(os.fsdecode(raw))


class InboxEventHandler(FileSystemEventHandler):
    """Feed events below the inbox into a ``StabilityTracker``.

    Args:
        tracker: where candidate files wait until stable.
        path_filter: decides which paths count at all.
        on_gone: called with ``(path, is_directory)`` for a candidate path that left the inbox
            (deleted or moved away).
        on_event: called for every event received (the health heartbeat's ``last_event_at``).
        on_error: called with a one-line description of an event that could not be handled.
    """

    def __init__(
        self,
        tracker: StabilityTracker,
        path_filter: PathFilter,
        on_gone: Callable[[Path, bool], None] | None = None,
        *,
        on_event: Callable[[], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.tracker = tracker
        self.filter = path_filter
        self.on_gone = on_gone or (lambda _path, _is_dir: None)
        self.on_event = on_event or (lambda: None)
        self.on_error = on_error or (lambda _message: None)

    def dispatch(self, event: FileSystemEvent) -> None:
        """Handle one event (called from the observer thread; never raises)."""
        try:
            self.on_event()
            self._handle(event)
        except Exception as exc:  # contained per event: the observer thread must live on
            path = os.fsdecode(event.src_path)
            log.exception("watcher_event_failed", path=path, event=event.event_type, error=str(exc))
            try:
                self.on_error(f"{event.event_type} {path}: {type(exc).__name__}: {exc}")
            except Exception:  # reporting must not be what kills the thread
                log.exception("watcher_error_report_failed", path=path)

    def _handle(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        src = _as_path(event.src_path)
        if kind == "moved":
            self._left(src, event.is_directory)
            self._arrived(_as_path(event.dest_path), event.is_directory)
        elif kind == "deleted":
            self._left(src, event.is_directory)
        elif kind in _ACTIVITY:
            if event.is_directory:
                if kind == "created":
                    self._arrived(src, True)
            else:
                self._arrived(src, False)

    def _arrived(self, path: Path, is_directory: bool) -> None:
        if not self.filter.accepts(path):
            return
        if not is_directory:
            self.tracker.touch(path)
            return
        # A directory created or moved in: its files may produce no events of their own.
        sub = PathFilter(path, self.filter.patterns, self.filter.excluded)
        for file in scan(sub):
            if self.filter.accepts(file):
                self.tracker.touch(file)

    def _left(self, path: Path, is_directory: bool) -> None:
        if is_directory:
            self.tracker.discard_under(path)
        else:
            self.tracker.discard(path)
        if self.filter.accepts(path):
            self.on_gone(path, is_directory)
