"""The watcher loop: observe the inbox, wait for files to settle, enqueue ``nianbao.ingest`` by name.

``run_watcher`` wires a watchdog observer (inotify, or polling for network shares) to a
``StabilityTracker``; a loop polls the tracker, claims each stable file in the broker's in-flight record
and sends the task. Files present at start are backfilled and the inbox is rescanned every
``rescan_interval`` seconds to catch events the observer missed. The parsing code is never imported:
the task is sent by name through a minimal Celery app.

The loop supervises the observer: when its thread or an emitter has died (or the inbox vanished) it is
started again, the restart is counted and the heartbeat (``watcher.health``) tells ``status``/``health``.
A settled file that some process still holds open for writing (``watcher.writers``) waits longer.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from watchdog.observers.polling import PollingObserver

from watcher.handler import InboxEventHandler
from watcher.health import CHANGE_SECONDS, HEARTBEAT_SECONDS, Health, state_path
from watcher.inflight import InflightRegistry, LocalInflight
from watcher.observing import observer_alive, start_observer, stop_observer
from watcher.scanner import PathFilter, scan
from watcher.sender import INGEST_BATCH_TASK, INGEST_TASK, broker_inflight, make_celery_app, task_queue
from watcher.stability import FileState, ReadyFile, StabilityTracker
from watcher.writers import open_for_writing

if TYPE_CHECKING:
    from worker.settings import Settings

# structlog directly, not worker.logging: see watcher/sender.py
log = structlog.get_logger("watcher")

SendFn = Callable[[str], Any]
SendBatchFn = Callable[[list[str]], Any]

# a backlog: this many files settled at the same moment (a folder copied in, the files found at start) are
# sent as ``nianbao.ingest_batch`` tasks (worker/batch.py: one transaction per step, not three per file)
BACKLOG_FILES = 20
BATCH_MAX = 50  # files per batch task, as ``nianbao import``
BATCH_SPREAD = 8  # a backlog is cut into at least this many batches, so that every pool process gets some
MIN_WAIT_SECONDS = 0.02  # the loop's shortest sleep when a file falls due (its ready poll follows at once)


class InboxWatcher:
    """One watcher over one inbox. ``run`` blocks; ``step`` does one loop iteration (for tests).

    Args:
        settings: nianbao settings (inbox, stable_seconds, polling, intervals, ignore patterns).
        send: callable taking the absolute path (str) of a stable file and enqueuing it.
        inflight: the in-flight record (shared ``RedisInflight`` normally).
        clock: monotonic clock, injectable for tests.
        send_batch: callable taking the absolute paths of several stable files and enqueuing them as one
            batch; used when ``BACKLOG_FILES`` or more settle at once (None: every file alone).
    """

    def __init__(
        self,
        settings: Settings,
        send: SendFn,
        inflight: InflightRegistry,
        *,
        clock: Callable[[], float] = time.monotonic,
        tick: Callable[[], Any] | None = None,
        send_batch: SendBatchFn | None = None,
    ) -> None:
        self.settings = settings
        self.send_batch = send_batch
        self.tick = tick  # called every loop (the relay's placements: worker.relay.inbox_side.Placer)
        self.inbox = settings.inbox_path
        self.send = send
        self.inflight = inflight
        self.clock = clock
        self.filter = PathFilter(
            self.inbox,
            settings.ignore_patterns,
            [settings.archive_path, settings.quarantine_path, settings.processing_path, settings.relayed_path],
        )
        self.tracker = StabilityTracker(settings.stable_seconds, clock=clock)
        self.health = Health(state_path(settings))
        self.handler = InboxEventHandler(
            self.tracker, self.filter, on_gone=self._gone, on_event=self.health.event_seen, on_error=self.health.error
        )
        self.observer: Any = None
        self._held_open: set[Path] = set()  # settled files seen open for writing (logged once each)
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

    def _wait(self, tick: float) -> float:
        """How long the loop sleeps: ``tick``, or less when a tracked file falls due sooner (it is then
        queued ``stable_seconds`` after its last change, not up to a whole tick later).

        Only while fewer than ``BACKLOG_FILES`` files are tracked: those are sent one by one anyway, while a
        backlog settling (a folder copied in) keeps the tick, which gathers its files into batches."""
        if len(self.tracker) >= BACKLOG_FILES:
            return tick
        due = self.tracker.seconds_until_due()
        return tick if due is None else min(tick, max(MIN_WAIT_SECONDS, due))

    def _still_inflight(self, path: Path, state: FileState) -> bool:
        try:
            return self.inflight.is_inflight(path, state)
        except Exception as exc:  # broker unreachable: assume it is, look again next rescan
            log.warning("inflight_lookup_failed", path=str(path), error=str(exc))
            return True

    def step(self) -> list[Path]:
        """One iteration: rescan when due, then enqueue every file that became stable (a backlog in batches)."""
        if self.clock() >= self._next_rescan:
            self.rescan()
        done: list[Path] = []
        ready_files = self.tracker.poll()
        busy = self._open_for_writing(ready_files)
        settled: list[ReadyFile] = []
        for ready in ready_files:
            if ready.path in busy:
                self._wait_for_writer(ready.path)
                continue
            self._held_open.discard(ready.path)
            settled.append(ready)
        if self.send_batch is not None and len(settled) >= BACKLOG_FILES:
            return self._enqueue_backlog(settled, self.send_batch)
        for ready in settled:
            try:
                if self._enqueue(ready):
                    done.append(ready.path)
            except Exception as exc:  # one file's trouble must not hold up the others
                self._step_failed(ready.path, exc)
        return done

    def _step_failed(self, path: Path, exc: Exception) -> None:
        log.exception("enqueue_step_failed", path=str(path), error=str(exc))
        self.health.error(f"enqueue {path}: {type(exc).__name__}: {exc}")

    def _open_for_writing(self, ready_files: list[ReadyFile]) -> set[Path]:
        files = [r.path for r in ready_files if not r.state.link]
        if not files:
            return set()
        try:
            return open_for_writing(files)
        except Exception as exc:  # cannot tell: fall back on the stability wait alone
            log.warning("open_for_writing_check_failed", error=str(exc))
            return set()

    def _wait_for_writer(self, path: Path) -> None:
        """``path`` looks settled but a process still has it open for writing: its timer starts again."""
        if path not in self._held_open:
            self._held_open.add(path)
            log.info("file_still_open_for_writing", path=str(path))
        self.tracker.touch(path)

    def _enqueue(self, ready: ReadyFile) -> bool:
        if not self._claimed(ready):
            return False
        try:
            result = self.send(str(ready.path))
        except Exception as exc:
            log.error("enqueue_failed", path=str(ready.path), error=str(exc))
            self._release(ready.path)
            return False
        self._mark_sent(ready, task_id=getattr(result, "id", None))
        return True

    def _enqueue_backlog(self, settled: list[ReadyFile], send_batch: SendBatchFn) -> list[Path]:
        """Claim every settled file, then send them in batches (``BATCH_SPREAD`` or more, ``BATCH_MAX`` at most)."""
        claimed: list[ReadyFile] = []
        for ready in settled:
            try:
                if self._claimed(ready):
                    claimed.append(ready)
            except Exception as exc:  # one file's trouble must not hold up the others
                self._step_failed(ready.path, exc)
        size = min(BATCH_MAX, max(1, -(-len(claimed) // BATCH_SPREAD)))
        done: list[Path] = []
        for start in range(0, len(claimed), size):
            group = claimed[start : start + size]
            try:
                result = send_batch([str(r.path) for r in group])
            except Exception as exc:
                log.error("enqueue_failed", files=len(group), error=str(exc))
                for ready in group:
                    self._release(ready.path)
                continue
            for ready in group:
                self._mark_sent(ready, task_id=getattr(result, "id", None))
                done.append(ready.path)
        return done

    def _claimed(self, ready: ReadyFile) -> bool:
        """Record ``ready`` in flight (False: another watcher has it, or it changed since it settled)."""
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
        now = FileState.of(path)
        if now != state:  # claimed by a worker, or written to, since the tracker looked
            self._release(path)
            if now is not None:
                self.tracker.touch(path)
            return False
        if state.link:
            _log_symlink(path, self.inbox)
        return True

    def _mark_sent(self, ready: ReadyFile, *, task_id: str | None) -> None:
        with self._sent_lock:
            self._sent[ready.path] = ready.state
        self.enqueued += 1
        log.info("file_enqueued", path=str(ready.path), size=ready.state.size, task_id=task_id)

    def _gone(self, path: Path, is_directory: bool = False) -> None:
        """A path (file or directory) left the inbox: drop in-flight records at or below it."""
        self._held_open.discard(path)
        with self._sent_lock:
            if is_directory:
                paths = [p for p in self._sent if path in p.parents]
                for p in paths:
                    del self._sent[p]
            else:
                self._sent.pop(path, None)
                paths = [path]
        for p in paths:
            self._release(p)

    def _release(self, path: Path) -> None:
        try:
            self.inflight.release(path)
        except Exception as exc:  # the broker is what failed; the record's TTL cleans up
            log.warning("inflight_release_failed", path=str(path), error=str(exc))

    # --- running -------------------------------------------------------------------------------
    def _start_observer(self) -> Any:
        """Create the inbox if needed and start an observer on it (polling when inotify fails)."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        return start_observer(
            self.handler, self.inbox, polling=self.settings.polling, interval=self.settings.poll_interval
        )

    def _supervise(self) -> None:
        """Restart the observer when the inbox vanished or the observer (or an emitter) has died."""
        if not self.inbox.is_dir():  # removed or unmounted: watch the new one
            reason = f"inbox missing, recreated: {self.inbox}"
            log.warning("inbox_missing_recreated", inbox=str(self.inbox))
        elif not observer_alive(self.observer):
            reason = "observer thread died, restarted"
            log.error("observer_died_restarted", inbox=str(self.inbox), restarts=self.health.restarts + 1)
        else:
            return
        stop_observer(self.observer)
        self.observer = self._start_observer()
        self.health.restarted(reason)
        self.health.beat()
        self._next_rescan = 0.0  # events may have been missed meanwhile

    def run(self, stop_event: threading.Event) -> None:
        """Observe the inbox and enqueue stable files until ``stop_event`` is set."""
        self.observer = self._start_observer()
        log.info(
            "watcher_started",
            inbox=str(self.inbox),
            mode="polling" if isinstance(self.observer, PollingObserver) else "inotify",
            stable_seconds=self.settings.stable_seconds,
            rescan_interval=self.settings.rescan_interval,
        )
        tick = max(0.05, min(self.settings.poll_interval, self.settings.stable_seconds / 2 or 0.05))
        last_beat = next_beat = 0.0
        try:
            while not stop_event.is_set():
                try:
                    self._supervise()
                    self.step()
                    if self.tick is not None:
                        self.tick()
                except Exception as exc:  # one bad iteration must not end the watcher
                    log.exception("watcher_step_failed", error=str(exc))
                    self.health.error(f"{type(exc).__name__}: {exc}")
                now = time.monotonic()
                if now >= next_beat or (self.health.changed and now >= last_beat + CHANGE_SECONDS):
                    self.health.beat()
                    last_beat, next_beat = now, now + HEARTBEAT_SECONDS
                stop_event.wait(self._wait(tick))
        finally:
            stop_observer(self.observer)
            self.health.beat(stopped=True)
            log.info("watcher_stopped", inbox=str(self.inbox), enqueued=self.enqueued)


def _log_symlink(path: Path, inbox: Path) -> None:
    """A symlink is handed over as itself (never followed here); the worker refuses it with a reason."""
    try:
        target = os.readlink(path)
        resolved = os.path.realpath(path)
    except (OSError, ValueError) as exc:
        target = resolved = f"<unreadable: {exc}>"
    inside = resolved == str(inbox) or resolved.startswith(str(inbox) + os.sep)
    log.warning("symlink_handed_over", path=str(path), target=target, target_inside_inbox=inside)


def run_watcher(settings: Settings, stop_event: threading.Event, *, send: SendFn | None = None) -> None:
    """Watch ``settings.inbox_path`` and enqueue ``nianbao.ingest(path)`` for each stable file.

    Blocks until ``stop_event`` is set. Installs no signal handlers (callers may run it in a thread).

    Args:
        settings: nianbao settings. Without ``broker_url`` the embedded server's socket under the data
            directory is used (unless ``send`` is given: then the in-flight record is in-process).
        stop_event: set it to stop the watcher.
        send: optional callable replacing the Celery ``send_task`` (tests of the stability logic).
            With a broker URL configured the in-flight record is still kept in the broker.

    Raises:
        ConfigError: when the broker cannot be reached.
    """
    inflight: InflightRegistry = LocalInflight()
    app = conn = None
    send_batch: SendBatchFn | None = None  # only with the real broker (tests that pass ``send`` get single sends)
    if send is None or settings.broker_url:
        app = make_celery_app(settings)
        inflight, conn = broker_inflight(app, settings.visibility_timeout)
    if send is None:
        assert app is not None
        celery_app = app

        def send(path: str) -> Any:
            # argsrepr: Flower's first view of the task shows the file name, not the whole path
            return celery_app.send_task(
                INGEST_TASK, args=[path], queue=task_queue(settings), argsrepr=repr((os.path.basename(path),)),
                ignore_result=True,  # nobody reads an ingest's result (task_run and the log record it)
            )

        def send_batch(paths: list[str]) -> Any:
            # the batch task of nianbao import: [file, where it arrived] per file (here the same), no import id
            return celery_app.send_task(
                INGEST_BATCH_TASK, args=[[[p, p] for p in paths], None, True], queue=task_queue(settings),
                argsrepr=f"({len(paths)} files, first {os.path.basename(paths[0])!r})", ignore_result=True,
            )

    tick = None
    if settings.relays_files and app is not None:  # workers on other hosts: hand files over by the database
        send, tick = _relay(settings, app)
        send_batch = None
    try:
        InboxWatcher(settings, send, inflight, tick=tick, send_batch=send_batch).run(stop_event)
    finally:
        if conn is not None:
            conn.release()
        if app is not None:
            app.close()


def _relay(settings: Settings, app: Any) -> tuple[SendFn, Callable[[], Any]]:
    """The send and the loop tick of the inbox side of the relay (``file_store = "database"``, worker/relay)."""
    from worker.relay import check
    from worker.relay.inbox_side import Placer, submit

    check(settings)

    def send_task(name: str, args: list[Any]) -> None:
        app.send_task(name, args=args, queue=task_queue(settings), ignore_result=True)

    def send(path: str) -> Any:
        return submit(Path(path), settings, send_task)

    return send, Placer(settings, send_task)
