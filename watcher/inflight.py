"""The in-flight record: which inbox files have been enqueued and not yet claimed by a worker.

It lives in the broker so that a restarted watcher, or several watchers on the same inbox, agree. One
Redis key per path, ``nianbao:inflight:<sha1(path)>``, holds ``"<size>:<mtime_ns>"`` of the version
that was enqueued, with a TTL of about the broker's visibility timeout:

* same path, same size and mtime, key present -> already in flight, do not enqueue again;
* key absent, or present for another version of the file -> record this version and enqueue;
* the path disappears from the inbox (the ingest task moved it away when claiming it) -> the key is
  deleted, so a new file of the same name is enqueued again;
* the message got lost and the file is still there when the key expires -> the next rescan re-enqueues
  it (delivery is at least once; the ingest task is idempotent).

The compare-and-set runs as one Lua script, so two watchers racing on the same file enqueue it once.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any, Protocol

from watcher.stability import FileState

KEY_PREFIX = "nianbao:inflight:"

# KEYS[1] = key, ARGV[1] = "<size>:<mtime_ns>", ARGV[2] = ttl seconds. Returns 1 if claimed, 0 if the
# same version is already in flight.
_CLAIM_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 1
"""


def inflight_key(path: Path) -> str:
    """The broker key recording whether ``path`` is in flight."""
    return KEY_PREFIX + hashlib.sha1(str(path).encode("utf-8", "surrogateescape")).hexdigest()


def _value(state: FileState) -> str:
    return f"{state.size}:{state.mtime_ns}"


class InflightRegistry(Protocol):
    """Where in-flight files are recorded."""

    def claim(self, path: Path, state: FileState) -> bool:
        """Record ``path`` at ``state`` as in flight; False when exactly that version already is."""

    def release(self, path: Path) -> None:
        """Forget ``path`` (it left the inbox, or sending its task failed)."""

    def is_inflight(self, path: Path, state: FileState) -> bool:
        """Whether exactly this version of ``path`` is recorded as in flight."""


class RedisInflight:
    """In-flight record in Redis (the broker), shared by every watcher on the inbox.

    Args:
        client: a ``redis.Redis`` client (e.g. the broker connection's channel client).
        ttl: seconds a record lives; about the broker visibility timeout.
    """

    def __init__(self, client: Any, ttl: int) -> None:
        self.client = client
        self.ttl = max(1, int(ttl))
        self._claim = client.register_script(_CLAIM_LUA)

    def claim(self, path: Path, state: FileState) -> bool:
        """See ``InflightRegistry.claim``."""
        return bool(self._claim(keys=[inflight_key(path)], args=[_value(state), self.ttl]))

    def release(self, path: Path) -> None:
        """See ``InflightRegistry.release``."""
        self.client.delete(inflight_key(path))

    def is_inflight(self, path: Path, state: FileState) -> bool:
        """See ``InflightRegistry.is_inflight``."""
        raw = self.client.get(inflight_key(path))
        if isinstance(raw, bytes):
            raw = raw.decode()
        return bool(raw == _value(state))


class LocalInflight:
    """In-process record, for a watcher given its own ``send`` callable and no broker.

    It does not survive a restart and is not shared: only for tests of the stability logic.
    """

    def __init__(self) -> None:
        self._records: dict[Path, str] = {}
        self._lock = threading.Lock()

    def claim(self, path: Path, state: FileState) -> bool:
        """See ``InflightRegistry.claim``."""
        with self._lock:
            if self._records.get(path) == _value(state):
                return False
            self._records[path] = _value(state)
            return True

    def release(self, path: Path) -> None:
        """See ``InflightRegistry.release``."""
        with self._lock:
            self._records.pop(path, None)

    def is_inflight(self, path: Path, state: FileState) -> bool:
        """See ``InflightRegistry.is_inflight``."""
        with self._lock:
            return self._records.get(path) == _value(state)
