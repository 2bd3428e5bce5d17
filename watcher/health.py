"""The watcher's health: a heartbeat file that ``nianbao status``/``health`` read with ``watcher_state``.

The running watcher counts observer restarts, keeps the last error (with the path it concerned) and the
time of the last filesystem event, and writes them every few seconds to
``<data_dir>/watcher/state.json`` (within a second of a change; owner-only, replaced atomically). ``watcher_state(settings)`` reads
that file from any process on the host: the watcher is *alive* when its last heartbeat is recent and it
did not stop. Several watchers sharing one data directory overwrite each other's file (last one wins).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from worker.settings import Settings

#: seconds between heartbeats of a running watcher
HEARTBEAT_SECONDS = 5.0
#: changes (an event, an error) are written at most this often
CHANGE_SECONDS = 1.0
#: a heartbeat older than this means the watcher is not running (or hangs)
STALE_AFTER_SECONDS = 30.0


def state_path(settings: Settings) -> Path:
    """Where the watcher writes its heartbeat: ``<data_dir>/watcher/state.json``."""
    return settings.data_dir.resolve() / "watcher" / "state.json"


@dataclass(frozen=True)
class WatcherState:
    """What ``status``/``health`` show about the inbox watcher.

    Attributes:
        alive: a watcher is running: recent heartbeat, not stopped.
        restarts: how often the watcher restarted its observer (it died, or the inbox vanished).
        last_error: the last error the watcher contained, with the path it concerned; None if none.
        last_event_at: when the observer last delivered a filesystem event (UTC); None if never.
        heartbeat_at: the last heartbeat (UTC); None if no watcher ever ran with this data directory.
        stopped: the watcher stopped cleanly (an old heartbeat without it means killed or hung).
    """

    alive: bool
    restarts: int
    last_error: str | None
    last_event_at: datetime | None
    heartbeat_at: datetime | None
    stopped: bool = False


def _when(raw: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def watcher_state(settings: Settings, *, now: datetime | None = None) -> WatcherState:
    """Read the heartbeat of the watcher using ``settings.data_dir`` (never raises)."""
    try:
        raw = json.loads(state_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    heartbeat = _when(raw.get("heartbeat_at"))
    now = now or datetime.now(UTC)
    fresh = heartbeat is not None and (now - heartbeat).total_seconds() <= STALE_AFTER_SECONDS
    error = raw.get("last_error")
    return WatcherState(
        alive=fresh and not raw.get("stopped", False),
        restarts=int(raw.get("restarts") or 0),
        last_error=error if isinstance(error, str) else None,
        last_event_at=_when(raw.get("last_event_at")),
        heartbeat_at=heartbeat,
        stopped=bool(raw.get("stopped", False)),
    )


class Health:
    """The running watcher's side: counters updated from any thread, written by ``beat``.

    Args:
        path: the state file (``state_path(settings)``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.restarts = 0
        self.last_error: str | None = None
        self.last_event_at: datetime | None = None
        self.changed = False  # something to write since the last beat
        self._lock = threading.Lock()

    def event_seen(self) -> None:
        """The observer delivered an event."""
        with self._lock:
            self.last_event_at = datetime.now(UTC)
            self.changed = True

    def error(self, message: str) -> None:
        """Remember ``message`` as the last contained error."""
        with self._lock:
            self.last_error = message
            self.changed = True

    def restarted(self, reason: str) -> None:
        """The observer was restarted because of ``reason``."""
        with self._lock:
            self.restarts += 1
            self.last_error = reason
            self.changed = True

    def beat(self, *, stopped: bool = False) -> None:
        """Write the state file now (errors are ignored: health reporting must not stop the watcher)."""
        with self._lock:
            self.changed = False
            state = {
                "pid": os.getpid(),
                "heartbeat_at": datetime.now(UTC).isoformat(),
                "stopped": stopped,
                "restarts": self.restarts,
                "last_error": self.last_error,
                "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
            }
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(state, fh)
            os.replace(tmp, self.path)
        except OSError:
            pass
