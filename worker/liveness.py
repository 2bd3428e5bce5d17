"""Is the supervised Celery worker still answering? (``nianbao worker`` and ``nianbao run``)

A Celery worker can stay alive without working: after a broker outage it has been seen logging
``Unrecoverable error: AttributeError("'NoneType' object has no attribute 'hostname'")`` (kombu closing a
channel whose connection is gone) and then neither consuming nor exiting, so the supervisor, which restarts a
worker that exits, waited for ever. Every ``worker_ping_interval`` seconds the supervisor pings its worker's
node through the broker; when the broker answers and the worker has not, ``PING_MISSES`` times in a row, the
worker is unresponsive and is killed (its whole process group) to be started again. While the broker itself
does not answer nothing is counted: the worker is waiting for it like everyone else.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from worker.logging import get_logger

log = get_logger(__name__)

PING_MISSES = 3  # unanswered pings in a row (with the broker up) before a worker counts as unresponsive
PING_TIMEOUT_S = 2.0
STARTUP_GRACE_S = 10.0  # a worker just started is not pinged before this (imports, pool start)


def node_name(argv: list[str]) -> str | None:
    """The worker's node name from its command line (``--hostname nianbao-<pid>@%h``), None when not given."""
    for flag in ("--hostname", "-n"):
        if flag in argv[:-1]:
            return argv[argv.index(flag) + 1].replace("%h", socket.gethostname())
    return None


class Liveness:
    """Counts the worker's unanswered pings (see module doc); ``check`` says when to restart it."""

    def __init__(self, app: Any, broker_url: str, node: str | None, *, interval: float) -> None:
        self.app, self.broker_url, self.node, self.interval = app, broker_url, node, interval
        self.started()

    def started(self) -> None:
        """A new worker process: give it time to come up."""
        self.misses = 0
        self.next_at = time.monotonic() + max(self.interval, STARTUP_GRACE_S)

    def check(self) -> bool:
        """True when the worker is unresponsive (and the count starts again)."""
        if self.node is None or self.interval <= 0 or time.monotonic() < self.next_at:
            return False
        self.next_at = time.monotonic() + self.interval
        from worker.broker import ping_url

        if not ping_url(self.broker_url):
            self.misses = 0
            return False
        try:
            replies = self.app.control.ping(destination=[self.node], timeout=PING_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - the broker went away between the two calls
            log.warning("worker_ping_failed", node=self.node, error=f"{type(exc).__name__}: {exc}")
            return False
        if any(self.node in reply for reply in replies):
            self.misses = 0
            return False
        self.misses += 1
        log.warning("worker_did_not_answer", node=self.node, misses=self.misses)
        if self.misses >= PING_MISSES:
            self.misses = 0
            return True
        return False
