"""Bench-only worker plug-in: a no-op task (the ceiling) and per-stage timings of every ingest.

``bench/bench_pipeline.py`` starts the worker with Celery's ``--include bench.pipeline_probe``. On import
(in the worker's main process, before the pool forks) this module

* registers ``nianbao.bench.noop``, a task that does nothing: the ceiling of the broker and pool;
* wraps the ingest's steps (``worker.ingest`` and the functions it calls) with stopwatches, without changing
  what they do, and appends one JSON line per finished task to the file named by ``NB_BENCH_TIMINGS``:
  the task's name, its wall-clock start and end, and the milliseconds of each stage.

A step that a later version of ``worker.ingest`` renames is simply not timed (its stage shows as ``-``), so
the benchmark keeps running while the ingest changes. Nothing of this ships in the package.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from celery import signals

import worker.batch
import worker.extract
import worker.monitoring
import worker.spool
from bench.pipeline_run import NOOP
from worker import ingest
from worker.app import app
from worker.store import unit

ENV = "NB_BENCH_TIMINGS"

_stages: dict[str, float] = {}  # this pool process's current task (prefork: one task at a time)
_task_start: dict[str, float] = {}
_monitoring = {"ms": 0.0, "writes": 0}  # the task-run table's writer thread, cumulative per process


@app.task(name=NOOP)  # type: ignore[untyped-decorator]
def noop(index: int) -> int:
    """Do nothing: what a task costs on this broker, pool and backend."""
    return index


def _timed(stage: str, fn: Callable[..., Any], into: dict[str, float]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            into[stage] = into.get(stage, 0.0) + (time.perf_counter() - start) * 1000
            if into is _monitoring:
                _monitoring["writes"] += 1

    timed.__wrapped__ = fn  # type: ignore[attr-defined]
    return timed


def _wrap(owner: Any, name: str, stage: str, into: dict[str, float] | None = None) -> None:
    fn = getattr(owner, name, None)
    if callable(fn):
        setattr(owner, name, _timed(stage, fn, _stages if into is None else into))


# the file's own steps (see worker/ingest.py); "claim" is what is left of ingest_file around them
_wrap(ingest, "ingest_file", "ingest")
_wrap(worker.spool, "claim", "claim_move")
_wrap(ingest, "_arrival", "claim_sha256")
_wrap(ingest, "read", "read")
_wrap(worker.extract, "extract_file", "extract")
_wrap(ingest, "_check_and_store", "check_store")
_wrap(unit, "run_checks", "checks")
_wrap(ingest, "_send_follow_ups", "alert")
_wrap(ingest, "_archive", "archive")
_wrap(ingest, "_quarantine", "quarantine")
# a batch's steps (worker/batch.py): the claims, every file's delivery count (one transaction per batch, the
# wait for SQLite's write lock included), and the one store transaction (checks included)
_wrap(worker.batch, "claim_job", "claim")  # the batch's own binding of it
_wrap(worker.batch, "_count_starts", "delivery_count")
_wrap(worker.batch, "_store_all", "store_all")
_wrap(worker.monitoring, "_apply_batch", "ms", into=_monitoring)  # type: ignore[arg-type]


def _on_prerun(task_id: str | None = None, **_: Any) -> None:
    _stages.clear()
    _task_start[str(task_id)] = time.time()


def _on_postrun(
    task_id: str | None = None, task: Any = None, args: Any = None, retval: Any = None, **_: Any
) -> None:
    path = os.environ.get(ENV)
    started = _task_start.pop(str(task_id), None)
    if not path or started is None:
        return
    outcome = retval.get("status") if isinstance(retval, dict) else None
    results = [retval] if isinstance(retval, dict) else [r for r in retval or [] if isinstance(r, dict)]
    alert_tasks = sum(r.get("alert_tasks", 0) for r in results)  # a batch returns one result per file
    line = {
        "task": getattr(task, "name", None),
        "pid": os.getpid(),
        "start": started,
        "end": time.time(),
        "outcome": outcome,
        "alert_tasks": alert_tasks,
        "file": os.path.basename(args[0]) if args and isinstance(args[0], str) else None,
        "files": len(args[0]) if args and isinstance(args[0], list) else 1,  # a batch's: its files
        "stages": dict(_stages),
        "monitoring_ms": _monitoring["ms"],
        "monitoring_writes": _monitoring["writes"],
    }
    with open(path, "a", encoding="utf-8") as fh:  # one short line per write: O_APPEND keeps lines whole
        fh.write(json.dumps(line) + "\n")


# connected after worker.monitoring's handlers: the task window includes its postrun bookkeeping
signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="nianbao_bench_prerun")
signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="nianbao_bench_postrun")
