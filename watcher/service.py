"""The watcher loop: observe the inbox, wait for files to settle, enqueue ``nianbao.ingest`` by name.

``run_watcher`` wires a watchdog observer (inotify, or polling for network shares) to a
``StabilityTracker``; a loop polls the tracker, claims each stable file in the broker's in-flight record
and sends the task. Files present at start are backfilled and the inbox is rescanned every
``rescan_interval`` seconds to catch events the observer missed. The parsing code is never imported:
the task is sent by name through a minimal Celery app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from watcher.handler import InboxEventHandler
from watcher.inflight import InflightRegistry, LocalInflight, RedisInflight
from watcher.scanner import PathFilter, scan
from watcher.stability import FileState, ReadyFile, StabilityTracker

if TYPE_CHECKING:
    from celery import Celery

    from worker.settings import Settings

# structlog directly (worker.logging.get_logger is a plain pass-through): importing anything from the
# ``worker`` package runs worker/__init__.py, which pulls in the parse and rules packages.
log = structlog.get_logger("watcher")

INGEST_TASK = "nianbao.ingest"
SendFn = Callable[[str], Any]


def _no_broker() -> None:
    from worker.errors import ConfigError  # imported only here: see the note on ``log`` above

    raise ConfigError("no broker URL configured (set NIANBAO_BROKER_URL or REDIS_URL, or use `nianbao run`)")


def make_celery_app(settings: Settings) -> Celery:
    """A producer-only Celery app for ``settings.broker_url`` that knows no tasks.

    Raises:
        ConfigError: when no broker URL is configured.
    """
    from celery import Celery

    if not settings.broker_url:
        _no_broker()
    app = Celery("nianbao-watcher", broker=settings.broker_url, set_as_current=False)
    opts = {"visibility_timeout": settings.visibility_timeout}
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options=opts,
        task_send_sent_event=True,
        broker_connection_retry_on_startup=True,
    )
    return app


def broker_inflight(app: Celery, ttl: int) -> tuple[InflightRegistry, Any]:
    """The in-flight record in the app's broker, and the connection to close afterwards.

    A non-Redis transport (``memory://`` and the like) has no shared store: the record is then local.
    """
    conn = app.connection_for_write()
    conn.ensure_connection(max_retries=3)
    client = getattr(conn.default_channel, "client", None)
    if client is None or not hasattr(client, "register_script"):
        log.warning("inflight_record_local", transport=conn.transport_cls)
        return LocalInflight(), conn
    return RedisInflight(client, ttl), conn


class InboxWatcher:
    """One watcher over one inbox. ``run`` blocks; ``step`` does one loop iteration (for tests).

    Args:
        settings: nianbao settings (inbox, stable_seconds, polling, intervals, ignore patterns).
        send: callable taking the absolute path (str) of a stable file and enqueuing it.
        inflight: the in-flight record (shared ``RedisInflight`` normally).
        clock: monotonic clock, injectable for tests.
    """

    def __init__(
        self,
        settings: Settings,
        send: SendFn,
        inflight: InflightRegistry,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.inbox = settings.inbox_path
        self.send = send
        self.inflight = inflight
        self.clock = clock
        self.filter = PathFilter(
            self.inbox,
            settings.ignore_patterns,
            [settings.archive_path, settings.quarantine_path, settings.processing_path],
        )
        self.tracker = StabilityTracker(settings.stable_seconds, clock=clock)
        self.handler = InboxEventHandler(self.tracker, self.filter, on_gone=self._gone)
        self._sent: dict[Path, FileState] = {}
        self._sent_lock = threading.Lock()
        self._next_rescan = 0.0
        self.enqueued = 0

    # --- loop pieces -----------------------------------------------------------------------------
    def rescan(self) -> int:
        """Walk the inbox: start tracking new files, forget sent files that are gone. Returns files seen."""
        seen = 0
        present: set[Path] = set()
        for path in scan(self.filter):
            seen += 1
            present.add(path)
            with self._sent_lock:
                sent = self._sent.get(path)
            if sent is not None:
                if sent == FileState.of(path) and self._still_inflight(path, sent):
                    continue  # enqueued, not yet claimed by a worker
                with self._sent_lock:
                    self._sent.pop(path, None)
            if not self.tracker.is_tracked(path):
                self.tracker.touch(path)
        with self._sent_lock:
            gone = [p for p in self._sent if p not in present]
        for path in gone:
            self._gone(path)
        self._next_rescan = self.clock() + self.settings.rescan_interval
        return seen

    def _still_inflight(self, path: Path, state: FileState) -> bool:
        try:
            return self.inflight.is_inflight(path, state)
        except Exception as exc:  # broker unreachable: assume it is, look again next rescan
            log.warning("inflight_lookup_failed", path=str(path), error=str(exc))
            return True

    def step(self) -> list[Path]:
        """One iteration: rescan when due, then enqueue every file that became stable."""
        if self.clock() >= self._next_rescan:
            self.rescan()
        done: list[Path] = []
        for ready in self.tracker.poll():
            if self._enqueue(ready):
                done.append(ready.path)
        return done

    def _enqueue(self, ready: ReadyFile) -> bool:
        path, state = ready.path, ready.state
        try:
            claimed = self.inflight.claim(path, state)
        except Exception as exc:  # broker down: keep the file, try again on the next rescan
            log.error("inflight_claim_failed", path=str(path), error=str(exc))
            return False
        if not claimed:
            log.debug("file_already_in_flight", path=str(path))
            with self._sent_lock:
                self._sent[path] = state
            return False
        try:
            result = self.send(str(path))
        except Exception as exc:
            log.error("enqueue_failed", path=str(path), error=str(exc))
            try:
                self.inflight.release(path)
            except Exception:  # noqa: BLE001 - the broker is what failed; the TTL cleans up
                pass
            return False
        with self._sent_lock:
            self._sent[path] = state
        self.enqueued += 1
        log.info(
            "file_enqueued",
            path=str(path),
            size=state.size,
            task_id=getattr(result, "id", None),
        )
        return True

    def _gone(self, path: Path) -> None:
        """A path (file or directory) left the inbox: drop in-flight records at or below it."""
        with self._sent_lock:
            paths = [p for p in self._sent if p == path or path in p.parents]
            for p in paths:
                del self._sent[p]
        if not paths:
            paths = [path]
        for p in paths:
            try:
                self.inflight.release(p)
            except Exception as exc:
                log.warning("inflight_release_failed", path=str(p), error=str(exc))

    # --- running -------------------------------------------------------------------------------
    def _observer(self) -> Any:
        if self.settings.polling:
            return PollingObserver(timeout=self.settings.poll_interval)
        return Observer()

    def run(self, stop_event: threading.Event) -> None:
        """Observe the inbox and enqueue stable files until ``stop_event`` is set."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        observer = self._observer()
        observer.schedule(self.handler, str(self.inbox), recursive=True)
        try:
            observer.start()
        except OSError as exc:  # e.g. inotify watch limit reached: fall back to polling
            log.warning("inotify_unavailable_polling", error=str(exc))
            observer = PollingObserver(timeout=self.settings.poll_interval)
            observer.schedule(self.handler, str(self.inbox), recursive=True)
            observer.start()
        mode = "polling" if isinstance(observer, PollingObserver) else "inotify"
        log.info(
            "watcher_started",
            inbox=str(self.inbox),
            mode=mode,
            stable_seconds=self.settings.stable_seconds,
            rescan_interval=self.settings.rescan_interval,
        )
        tick = max(0.05, min(self.settings.poll_interval, self.settings.stable_seconds / 2 or 0.05))
        try:
            while not stop_event.is_set():
                try:
                    self.step()
                except Exception as exc:  # one bad iteration must not end the watcher
                    log.exception("watcher_step_failed", error=str(exc))
                stop_event.wait(tick)
        finally:
            observer.stop()
            observer.join(timeout=5)
            log.info("watcher_stopped", inbox=str(self.inbox), enqueued=self.enqueued)


def run_watcher(settings: Settings, stop_event: threading.Event, *, send: SendFn | None = None) -> None:
    """Watch ``settings.inbox_path`` and enqueue ``nianbao.ingest(path)`` for each stable file.

    Blocks until ``stop_event`` is set. Installs no signal handlers (callers may run it in a thread).

    Args:
        settings: nianbao settings; ``broker_url`` is required unless ``send`` is given.
        stop_event: set it to stop the watcher.
        send: optional callable replacing the Celery ``send_task`` (tests of the stability logic).
            With a broker URL configured the in-flight record is still kept in the broker.

    Raises:
        ConfigError: when neither ``send`` nor a broker URL is available.
    """
    if send is None and not settings.broker_url:
        _no_broker()
    inflight: InflightRegistry = LocalInflight()
    app = conn = None
    if settings.broker_url:
        app = make_celery_app(settings)
        inflight, conn = broker_inflight(app, settings.visibility_timeout)
    if send is None:
        assert app is not None
        celery_app = app

        def send(path: str) -> Any:
            return celery_app.send_task(INGEST_TASK, args=[path])

    try:
        InboxWatcher(settings, send, inflight).run(stop_event)
    finally:
        if conn is not None:
            conn.release()
        if app is not None:
            app.close()
