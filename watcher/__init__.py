"""nianbao watcher: observe the inbox and enqueue ``nianbao.ingest`` for every file that has settled.

It sends tasks by name and never imports the parsing, extraction, rules or task code.
"""

from __future__ import annotations

__all__ = [
    # Running
    "run_watcher",
    "InboxWatcher",
    "make_celery_app",
    # Health (read by ``nianbao status``/``health``)
    "watcher_state",
    "WatcherState",
    # Building blocks
    "StabilityTracker",
    "FileState",
    "PathFilter",
    "scan",
    "RedisInflight",
    "LocalInflight",
    "inflight_key",
    "open_for_writing",
]

from watcher.health import WatcherState, watcher_state
from watcher.inflight import LocalInflight, RedisInflight, inflight_key
from watcher.scanner import PathFilter, scan
from watcher.sender import make_celery_app
from watcher.service import InboxWatcher, run_watcher
from watcher.stability import FileState, StabilityTracker
from watcher.writers import open_for_writing
