"""Pipeline benchmark: files/s through the real watcher, broker, worker and database, against a no-op task.

Corpus: N distinct text reports (``bench/pipeline_corpus.py``: generated reports and renamed seeds, one body
each), renamed into the inbox at once.
Baseline (the ceiling): N no-op tasks on the same broker, queue, worker pool and result backend, measured in
the same run (``bench/pipeline_probe.py``, loaded into the worker with Celery's ``--include``).
Measured: files/s from the drop until every file is archived (wall clock, the watcher's ``stable_seconds``
included) and over the processing window (first task start to last task end); the share of a file's time
in each stage (claim, extract, parse, checks, store, alert, archive, the task around the ingest, and the pool
time outside any task: broker, result backend, acks); drop-to-archived latency of one file on the idle system
with the configured ``stable_seconds`` and a lowered one.
Pairs: SQLite + embedded Valkey always; PostgreSQL (a fresh schema in 127.0.0.1:5432/test, or
``NIANBAO_TEST_PG_URL``) + Redis (``NIANBAO_BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/13``, a queue
of its own) when both answer. Each pair runs in a child process. Nothing is asserted.

Alone: ``python bench/bench_pipeline.py --files 300`` (``--backfill-files 10000`` for a backfill of another
size: the issue's 10,000 reports); ``make bench`` runs it with ``NIANBAO_BENCH_FILES``
(default 200).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = int(os.environ.get("NIANBAO_BENCH_FILES", "200"))
REDIS_URL = os.environ.get("NIANBAO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def _pairs(only: str | None) -> list[tuple[str, str | None]]:
    from tests.utils.services import pg_base_url, pg_reachable
    from worker.broker import ping_url

    pairs: list[tuple[str, str | None]] = [("sqlite", None)]
    skipped = pg_reachable(pg_base_url()) or (None if ping_url(REDIS_URL) else f"no Redis at {REDIS_URL}")
    if skipped is None:
        pairs.append(("postgresql", REDIS_URL))
    else:
        print(f"  (PostgreSQL + Redis skipped: {skipped})")
    return [p for p in pairs if only in (None, p[0])]


def _child(kind: str, redis_url: str | None, args: argparse.Namespace) -> dict[str, object] | None:
    argv = [sys.executable, __file__, "--child", kind, "--files", str(args.files)]
    argv += ["--stable-low", str(args.stable_low), "--drops", str(args.drops)]
    argv += ["--backfill-files", str(args.backfill_files or args.files)]
    if redis_url:
        argv += ["--redis", redis_url]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        print(f"  {kind}: the run failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--files", type=int, default=DEFAULT_FILES, help="reports in the drop (and no-op tasks)"
    )
    parser.add_argument(
        "--stable-low", type=float, default=0.3, help="the lowered stable_seconds of the latency"
    )
    parser.add_argument("--drops", type=int, default=3, help="single-file drops per latency figure (median)")
    parser.add_argument(
        "--backfill-files", type=int, default=None,
        help="reports in the backfill (default: --files); e.g. 10000 for the issue's 10,000-report goal",
    )  # fmt: skip
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    parser.add_argument("--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    parser.add_argument("--redis", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    sys.path.insert(0, str(ROOT))
    if args.child:
        from bench.pipeline_run import run

        result = run(args.child, files=args.files, stable_low=args.stable_low, latency_drops=args.drops,
                     redis_url=args.redis, backfill_files=args.backfill_files or args.files)  # fmt: skip
        print(json.dumps(result))
        return 0
    from bench.pipeline_stats import print_run

    print(f"{args.files} distinct text reports dropped at once; ceiling: {args.files} no-op tasks, same run")
    if args.backfill_files and args.backfill_files != args.files:
        print(f"backfill: {args.backfill_files} other distinct text reports")
    status = 0
    for kind, redis_url in _pairs(args.only):
        result = _child(kind, redis_url, args)
        if result is None:
            status = 1
            continue
        print_run(result)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
