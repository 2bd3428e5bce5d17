"""Start, check and stop the watchdog observer (inotify, or polling for network shares)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

log = structlog.get_logger("watcher")


def start_observer(handler: FileSystemEventHandler, inbox: Path, *, polling: bool, interval: float) -> Any:
    """Start an observer feeding ``handler`` with events below ``inbox`` (polling when inotify fails)."""
    if polling:
        observer: Any = PollingObserver(timeout=interval)
    else:
        observer = Observer()
    observer.schedule(handler, str(inbox), recursive=True)
    try:
        observer.start()
    except OSError as exc:  # e.g. the inotify watch limit is reached: fall back to polling
        log.warning("inotify_unavailable_polling", error=str(exc))
        observer = PollingObserver(timeout=interval)
        observer.schedule(handler, str(inbox), recursive=True)
        observer.start()
    return observer


def observer_alive(observer: Any) -> bool:
    """Whether the observer thread and every one of its emitter threads still run."""
    return bool(observer.is_alive()) and all(emitter.is_alive() for emitter in observer.emitters)


def stop_observer(observer: Any) -> None:
    """Stop ``observer`` and wait for it (never raises)."""
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(timeout=5)
    except Exception as exc:  # a dead observer may fail to stop; it is replaced anyway
        log.warning("observer_stop_failed", error=str(exc))
