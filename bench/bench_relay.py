"""Workers on separate machines (``file_store = "database"``): files/s with 1, 2 and 4 worker processes.

Each worker is a ``nianbao worker -c 1`` with a data directory of its own (nothing on disk in common with the
inbox side or with the others), against one PostgreSQL (a fresh schema per run, 127.0.0.1:5432/test or
``NIANBAO_TEST_PG_URL``) and one Redis (``NIANBAO_BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/13``,
a queue of its own). N distinct text reports (``bench/pipeline_corpus.py``) are handed over by the inbox
side first (``worker.relay.inbox_side.submit``: blob + submission), then their tasks are sent at once to the
idle workers; measured: files/s from the send until every submission is decided, and the placing of them
all by the inbox side afterwards. Baseline: the same run with one worker process, measured in this run.
Nothing is asserted. Alone: ``python bench/bench_relay.py --files 200 --workers 1 2 4``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = int(os.environ.get("NIANBAO_BENCH_FILES", "200"))
REDIS_URL = os.environ.get("NIANBAO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def _one_run(workers: int, files: int, texts: list[str]) -> dict[str, float]:
    import sqlalchemy as sa

    from tests.utils.services import (
        WorkerProcess,
        make_settings,
        migrated,
        pg_base_url,
        pg_schema,
        wait_until,
    )
    from watcher.sender import make_celery_app
    from worker.relay.inbox_side import place, submit
    from worker.store.db import dispose_engines, session_scope
    from worker.store.relay_models import DECIDED, PLACED, Submission

    root = Path(tempfile.mkdtemp(prefix="nb-bench-relay-"))
    with pg_schema(pg_base_url()) as url:
        common: dict[str, Any] = {"file_store": "database", "alerts_enabled": False, "sweep_interval": 0}
        inbox = migrated(make_settings(root / "inbox-host", url, REDIS_URL, **common))
        hosts = [make_settings(root / f"worker-{i}", url, REDIS_URL, task_queue=inbox.task_queue, **common)
                 for i in range(workers)]  # fmt: skip
        ids: list[int] = []
        for i, text in enumerate(texts[:files]):
            path = inbox.inbox_path / f"r{i:05d}.txt"
            path.write_text(text, encoding="utf-8")
            submit(path, inbox, lambda _name, args: ids.append(int(args[0])))
        procs = [WorkerProcess(h, root / f"worker-{i}.log", concurrency=1) for i, h in enumerate(hosts)]
        app = make_celery_app(inbox)  # a producer only, as the watcher's (no task-run writes here)
        try:
            def all_up() -> bool:
                return len({n for reply in app.control.ping(timeout=0.5) for n in reply}) >= workers

            wait_until(all_up, 60, f"{workers} workers to answer a ping")
            started = time.perf_counter()
            for submission_id in ids:
                app.send_task("nianbao.ingest_blob", args=[submission_id], queue=inbox.task_queue,
                              ignore_result=True)  # fmt: skip

            def decided() -> bool:
                with session_scope(inbox) as s:
                    done = s.execute(sa.select(sa.func.count()).select_from(Submission)
                                     .where(Submission.state == DECIDED)).scalar_one()  # type: ignore[arg-type]
                return int(done) >= len(ids)

            wait_until(decided, 600, "every submission to be decided", interval=0.05)
            elapsed = time.perf_counter() - started
            placing = time.perf_counter()
            while place(inbox, limit=500):
                pass
            placed_s = time.perf_counter() - placing
            with session_scope(inbox) as s:
                placed = s.execute(sa.select(sa.func.count()).select_from(Submission)
                                   .where(Submission.state == PLACED)).scalar_one()  # type: ignore[arg-type]
        finally:
            for proc in procs:
                proc.stop()
            app.close()
            dispose_engines()
    return {"files": len(ids), "seconds": elapsed, "files_per_s": len(ids) / elapsed, "placed": int(placed),
            "place_ms_per_file": placed_s * 1000 / max(1, len(ids))}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    sys.path.insert(0, str(ROOT))
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))  # the table only
    from bench.pipeline_corpus import report_texts
    from tests.utils.services import pg_base_url, pg_reachable
    from worker.broker import ping_url

    skipped = pg_reachable(pg_base_url()) or (None if ping_url(REDIS_URL) else f"no Redis at {REDIS_URL}")
    if skipped:
        print(f"  skipped: needs PostgreSQL and Redis ({skipped})")
        return 0
    texts = report_texts(args.files, seed=41)
    print(f"  {args.files} text reports, PostgreSQL + Redis, `nianbao worker -c 1` per process, separate data dirs")
    print(f"  {'workers':>7}  {'files/s':>8}  {'vs 1':>6}  {'seconds':>8}  {'placing ms/file':>15}")
    base: float | None = None
    for workers in args.workers:
        result = _one_run(workers, args.files, texts)
        base = base or result["files_per_s"]
        print(f"  {workers:>7}  {result['files_per_s']:>8.1f}  {result['files_per_s'] / base:>6.2f}  "
              f"{result['seconds']:>8.1f}  {result['place_ms_per_file']:>15.1f}")
        if result["placed"] != result["files"]:
            print(f"  !! {result['placed']} of {result['files']} placed")
    print(f"  ({os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
