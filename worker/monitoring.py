"""Task-run table from Celery signals: queued, started, succeeded, failed, retried (lost: ``mark_lost``), with durations.

Our own record of what ran, independent of Flower's in-memory state (``nianbao status`` reads it).
``connect_signals()`` is idempotent; worker/alerts/task.py calls it on import (so the app's ``include``
activates it) and worker/app.py may call it too (producers such as the watcher then record "queued").

The writes go through one background thread per process, which gathers the events of ``BATCH_WAIT_S`` and
writes them in one transaction (a task's queued, started and finished rows, and those of its neighbours),
not one transaction per event: on SQLite every transaction waits for the one write lock the ingests need.
A failure to write here is logged and swallowed: monitoring must never fail or slow down the work itself.
It also shortens ``argsrepr`` of ``nianbao.ingest`` to the file name, so Flower and logs show a readable
argument instead of a long absolute path.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time
from pathlib import PurePath
from typing import Any

from celery import signals
from sqlmodel import col, select

from worker import tasknames
from worker.logging import get_logger
from worker.store.ops_models import TaskRun, utcnow

log = get_logger(__name__)

_started: dict[str, float] = {}  # task id -> monotonic start, for exact runtimes in this process
_connected = False
ARGS_MAX = 200
BATCH_WAIT_S = 0.2  # the writer gathers events this long after the first one, then writes them at once
BATCH_MAX = 500
Event = tuple[str, str | None, dict[str, Any]]  # (task id, task name, fields)


def short_args(name: str, args: Any, argsrepr: str | None = None) -> str:
    """A readable argument summary: the file name for ingest, else Celery's ``argsrepr`` (what Flower shows)."""
    if isinstance(args, list | tuple) and name == tasknames.INGEST and args and isinstance(args[0], str):
        return PurePath(args[0]).name
    text = argsrepr if argsrepr is not None else repr(args)
    return text if len(text) <= ARGS_MAX else text[: ARGS_MAX - 1] + "…"


class _Writer:
    """One background thread per process applies the writes in order.

    Signals fire inside the task (or the producer), possibly while it holds a database transaction; with
    SQLite a second writer from the same thread would wait for that lock for the whole busy timeout.
    """

    def __init__(self) -> None:
        self.queue: queue.Queue[Event | None] = queue.Queue()
        self.pid = -1
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def put(self, task_id: str, name: str | None, fields: dict[str, Any]) -> None:
        with self.lock:
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.queue = queue.Queue()  # after a fork the parent's queue and thread are not ours
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="nianbao-taskrun", daemon=True)
                self.thread.start()
        self.queue.put((task_id, name, fields))

    def _run(self) -> None:
        q = self.queue
        while True:
            batch = [q.get()]
            deadline = time.monotonic() + BATCH_WAIT_S  # let a task's events gather: one transaction for them
            while len(batch) < BATCH_MAX:
                try:
                    batch.append(q.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            try:
                _apply_batch([item for item in batch if item is not None])
            finally:
                for _ in batch:
                    q.task_done()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until queued writes are applied (tests, shutdown). True when drained."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self.queue.unfinished_tasks


_writer = _Writer()
atexit.register(_writer.drain, 5.0)


def drain(timeout: float = 10.0) -> bool:
    """Wait until this process's task-run writes are in the database."""
    return _writer.drain(timeout)


def _write(task_id: str | None, name: str | None, **fields: Any) -> None:
    if task_id:
        _writer.put(task_id, name, fields)


def _merge(row: TaskRun | None, task_id: str, name: str | None, fields: dict[str, Any]) -> TaskRun | None:
    """Apply one event to ``row`` (None: no row yet); returns the row, or None when the event changes nothing."""
    if row is None:
        row = TaskRun(task_id=task_id, name=name or "?")
    elif fields.get("state") == "queued":
        return None  # a retry republishes the same id: keep "retried" until it starts again
    for key, value in fields.items():
        if key == "retries_inc":
            row.retries += 1
        else:
            setattr(row, key, value)
    if name and row.name == "?":
        row.name = name
    row.updated_at = utcnow()
    return row


def _apply_batch(events: list[Event]) -> None:
    """Apply events in order, all in one transaction (a task's queued/started/finished and its neighbours').

    If the batch fails (e.g. another process inserted a row for the same task id at the same moment), the
    events are applied one transaction each, so one conflict costs no other event.
    """
    if not events:
        return
    try:
        from worker.store.db import session_scope

        with session_scope() as s:
            ids = sorted({task_id for task_id, _, _ in events})
            rows = {r.task_id: r for r in s.exec(select(TaskRun).where(col(TaskRun.task_id).in_(ids)))}
            for task_id, name, fields in events:
                row = _merge(rows.get(task_id), task_id, name, fields)
                if row is not None:
                    rows[task_id] = row
                    s.add(row)
    except Exception as exc:  # noqa: BLE001 - see module doc
        if len(events) == 1:
            log.warning("task_run_write_failed", task_id=events[0][0], error=f"{type(exc).__name__}: {exc}")
            return
        for event in events:
            _apply(*event)


def _apply(task_id: str, name: str | None, fields: dict[str, Any]) -> None:
    """One event in its own transaction (the fallback of a failed batch)."""
    try:
        from worker.store.db import session_scope

        with session_scope() as s:
            row = _merge(s.exec(select(TaskRun).where(TaskRun.task_id == task_id)).first(), task_id, name, fields)
            if row is not None:
                s.add(row)
    except Exception as exc:  # noqa: BLE001 - see module doc
        log.warning("task_run_write_failed", task_id=task_id, error=f"{type(exc).__name__}: {exc}")


def _on_publish(sender: str | None = None, headers: dict[str, Any] | None = None, body: Any = None, **_: Any) -> None:
    headers = headers or {}
    name = headers.get("task") or sender
    if name is None or not str(name).startswith(tasknames.PREFIX):
        return
    args = body[0] if isinstance(body, tuple | list) and body else []
    summary = short_args(name, args, headers.get("argsrepr"))
    if name == tasknames.INGEST and "argsrepr" in headers:
        headers["argsrepr"] = repr((summary,))
    _write(headers.get("id"), name, state="queued", queued_at=utcnow(), args=summary)


def _hostname(task: Any) -> str | None:
    try:
        return str(task.request.hostname) if task.request.hostname else None
    except AttributeError:
        return None


def _on_prerun(task_id: str | None = None, task: Any = None, args: Any = None, **_: Any) -> None:
    if task_id is None or task is None or not task.name.startswith(tasknames.PREFIX):
        return
    _started[task_id] = time.monotonic()
    _write(task_id, task.name, state="started", started_at=utcnow(), worker=_hostname(task),
           args=short_args(task.name, args or [], getattr(task.request, "argsrepr", None)), error=None)


def _on_postrun(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    if task_id is None or task is None or not task.name.startswith(tasknames.PREFIX):
        return
    start = _started.pop(task_id, None)
    runtime = round(time.monotonic() - start, 4) if start is not None else None
    mapped = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried", "REJECTED": "failed"}.get(state or "")
    fields: dict[str, Any] = {"finished_at": utcnow(), "runtime_s": runtime}
    if mapped and mapped != "retried":  # task_retry already recorded the retry
        fields["state"] = mapped
    _write(task_id, task.name, **fields)


def _on_failure(task_id: str | None = None, sender: Any = None, exception: BaseException | None = None, **_: Any) -> None:
    name = getattr(sender, "name", None)
    if name is None or not name.startswith(tasknames.PREFIX):
        return
    _write(task_id, name, state="failed", error=f"{type(exception).__name__}: {exception}"[:2000])


def _on_retry(request: Any = None, reason: Any = None, sender: Any = None, **_: Any) -> None:
    name = getattr(sender, "name", None)
    if request is None or name is None or not name.startswith(tasknames.PREFIX):
        return
    _write(getattr(request, "id", None), name, state="retried", retries_inc=True, error=str(reason)[:2000])


def _on_process_init(**_: Any) -> None:
    from worker.store.db import dispose_engines

    dispose_engines()  # a forked pool process must not reuse the parent's connections


def connect_signals() -> None:
    """Connect the handlers (idempotent)."""
    global _connected
    if _connected:
        return
    _connected = True
    signals.before_task_publish.connect(_on_publish, weak=False, dispatch_uid="nianbao_taskrun_publish")
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="nianbao_taskrun_prerun")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="nianbao_taskrun_postrun")
    signals.task_failure.connect(_on_failure, weak=False, dispatch_uid="nianbao_taskrun_failure")
    signals.task_retry.connect(_on_retry, weak=False, dispatch_uid="nianbao_taskrun_retry")
    signals.worker_process_init.connect(_on_process_init, weak=False, dispatch_uid="nianbao_taskrun_procinit")


def mark_lost(settings: Any, *, before: Any) -> int:
    """Rows ``started`` before ``before`` are ``lost``: no task outlives the hard time limit, so their worker died.

    Called by the recovery sweep (``worker.sweep``) with ``before = now - (time_limit + 60 s)``. A lost task's
    message is delivered again after the visibility timeout (or its file re-enqueued by the sweep); the
    delivery that then starts writes ``started`` again under its own id.

    Returns:
        How many rows were marked.
    """
    import sqlalchemy as sa
    from sqlmodel import col

    from worker.store.db import session_scope

    with session_scope(settings) as s:
        result = s.execute(
            sa.update(TaskRun)
            .where(col(TaskRun.state) == "started", col(TaskRun.started_at) < before)
            .values(state="lost", error="worker gone (started longer ago than the hard time limit)", updated_at=utcnow())
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
