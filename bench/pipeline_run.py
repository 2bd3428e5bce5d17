"""One pipeline benchmark run on one database + broker pair (a child process of ``bench_pipeline.py``).

Started as ``nianbao run`` starts things: the broker (embedded Valkey, or the Redis given), the migrations,
one Celery worker subprocess (``worker_concurrency`` pool processes, with ``--include
bench.pipeline_probe``) and the watcher in a thread of this process. Then, in this order:

1. **ceiling**: N no-op tasks sent at once to the same queue, worker and result backend; tasks/s from the
   first send to the last result;
2. **latency**: one file dropped on the idle system, drop to archived, with the configured
   ``stable_seconds`` and with a lowered one (median of a few drops each);
3. **throughput**: N distinct reports renamed into the inbox at once; files/s until all are archived, then
   the alert tasks they sent are waited for;
4. **backfill**: ``nianbao import`` of N other distinct reports (copied, sent in batches of 50): files/s from
   the command's start until it returns (every file counted as archived or quarantined); with
   ``--no-alerts`` (a backfill of old reports) unless ``NB_BENCH_BACKFILL_ALERTS=1``;
5. **mixed backfill**: the same with N/3 other reports, half ruled PDF and half Word .docx, as a ratio to the
   text backfill's rate.

Each run has its own process: the environment (``NIANBAO_*``) must be set before ``worker.app`` is imported,
and a fresh process keeps the database engines of one run out of the next. Prints one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROBE = "bench.pipeline_probe"
NOOP = "nianbao.bench.noop"  # the ceiling task, registered by the probe
INGEST_TASKS = ("nianbao.ingest", "nianbao.ingest_batch")


@contextlib.contextmanager
def _database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'data' / 'nianbao.sqlite'}"
        return
    from tests.utils.services import pg_base_url, pg_schema

    with pg_schema(pg_base_url()) as url:
        yield url


def _wait(predicate: Any, timeout: float, what: str, interval: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def _count(directory: Path) -> int:
    try:
        return sum(
            1 for entry in os.scandir(directory) if entry.is_file() and not entry.name.endswith(".error.txt")
        )
    except FileNotFoundError:
        return 0


def _lines(path: Path) -> list[dict[str, Any]]:
    """The complete lines of the timings file (a line a worker is still appending is left for later)."""
    if not path.exists():
        return []
    text = path.read_text("utf-8", errors="replace")
    complete = text if text.endswith("\n") else text.rsplit("\n", 1)[0] if "\n" in text else ""
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


class Watcher:
    """The watcher in a thread, as ``nianbao run`` runs it."""

    def __init__(self, settings: Any) -> None:
        from watcher import run_watcher

        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=run_watcher, args=(settings, self.stop_event), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=15)


def run(
    kind: str, *, files: int, stable_low: float, latency_drops: int, redis_url: str | None,
    backfill_files: int | None = None,
) -> dict[str, Any]:
    """Run the three measurements on ``kind`` ("sqlite" or "postgresql") and return the raw results."""
    from worker.settings import Settings, get_settings

    tmp = Path(tempfile.mkdtemp(prefix="nb-bench-"))  # short: the embedded broker's unix socket path
    timings = tmp / "timings.jsonl"
    pool: subprocess.Popen[bytes] | None = None
    try:
        with _database(kind, tmp) as database_url:
            from tests.utils.services import settings_env

            settings = Settings(
                data_dir=tmp / "data",
                inbox=tmp / "inbox",
                database_url=database_url,
                broker_url=redis_url,
                task_queue=f"nb-bench-{uuid.uuid4().hex[:10]}",
                log_level="WARNING",
                rescan_interval=3600,
            )
            settings.inbox_path.mkdir(parents=True, exist_ok=True)
            os.environ.update(settings_env(settings))
            get_settings.cache_clear()
            from worker.broker import ensure_broker, stop_broker
            from worker.store.db import upgrade

            url = ensure_broker(settings)
            try:
                upgrade(settings)
                os.environ["NIANBAO_BROKER_URL"] = url
                settings = settings.model_copy(update={"broker_url": url})
                from worker.app import app
                from worker.cli.pipeline import worker_argv

                env = dict(os.environ, PYTHONPATH=str(ROOT), NB_BENCH_TIMINGS=str(timings))
                with open(tmp / "worker.log", "ab") as log:
                    pool = subprocess.Popen(
                        worker_argv(settings, extra=("--include", PROBE)),
                        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                    )  # fmt: skip
                result = _measure(app, settings, timings, tmp, files, stable_low, latency_drops,
                                  backfill_files=backfill_files or files, worker_pid=pool.pid,
                                  backfill_alerts=os.environ.get("NB_BENCH_BACKFILL_ALERTS") == "1")
                result["worker_rss_mb"] = _tree_rss_mb(pool.pid)  # after every file of the run
                result.update(kind=kind, broker="redis" if redis_url else "embedded valkey")
                result["concurrency"] = settings.worker_concurrency
                return result
            finally:
                if pool is not None:
                    _stop(pool)
                stop_broker()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _tree(pid: int) -> list[tuple[int, int]]:
    """(pid, depth) of the worker's processes: Celery's main process (0), the pool processes (1)."""
    found, todo = [], [(pid, 0)]
    while todo:
        current, depth = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.append((current, depth))
        todo += [(int(c), depth + 1) for c in children]
    return sorted(found, key=lambda pd: (pd[1], pd[0]))


def _tree_rss_mb(pid: int) -> list[float]:
    """Resident size (MB) of the worker's processes: Celery's main process, then the pool processes."""
    sizes = []
    for current, _ in _tree(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), "0")
        sizes.append(int(rss) / 1024)
    return sizes


_TICK = os.sysconf("SC_CLK_TCK")
_SERVERS = {"valkey-server": "broker", "redis-server": "broker", "postgres": "database server"}
_ROLES = ("Celery main", "pool processes")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _machine_busy_s() -> float:
    """CPU seconds the whole machine spent busy (every core; idle and I/O wait left out)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK


def _cpu_snapshot(worker_pid: int | None) -> dict[str, float]:
    """CPU seconds so far by role: the worker's processes, the broker and database servers, this process
    (the watcher's thread), the machine. Processes that ended in between (a replaced pool process) are lost,
    hence the machine's total beside the parts."""
    import resource

    out: dict[str, float] = {}
    for pid, depth in _tree(worker_pid) if worker_pid else []:
        role = _ROLES[min(depth, 1)]
        out[role] = out.get(role, 0.0) + _cpu_s(pid)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                role = _SERVERS.get(Path(entry, "comm").read_text().strip())
            except OSError:
                continue
            if role:
                out[role] = out.get(role, 0.0) + _cpu_s(int(entry.name))
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the import command, once it has returned
    out["bench process (watcher)"] = me.ru_utime + me.ru_stime
    out["nianbao import"] = children.ru_utime + children.ru_stime
    out["machine"] = _machine_busy_s()
    return out


def _stop(worker: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _noop_rate(app: Any, settings: Any, count: int) -> float:
    from celery.result import ResultSet

    start = time.perf_counter()
    results = ResultSet([app.send_task(NOOP, args=[i], queue=settings.task_queue) for i in range(count)])
    results.join_native(timeout=300)  # one subscription for all results
    elapsed = time.perf_counter() - start
    results.forget()
    return count / elapsed


def _measure(
    app: Any, settings: Any, timings: Path, tmp: Path, files: int, stable_low: float, latency_drops: int,
    backfill: bool = True, backfill_alerts: bool = False, backfill_files: int | None = None,
    worker_pid: int | None = None,
) -> dict[str, Any]:
    from bench.pipeline_corpus import report_texts, write_mixed, write_reports

    app.send_task(NOOP, args=[0], queue=settings.task_queue).get(timeout=120)  # the worker is up
    texts = report_texts(files + 2 * latency_drops)
    staged = write_reports(texts, tmp / "staging")  # same file system as the inbox: renames are atomic
    ceiling = _noop_rate(app, settings, files)
    latency = {
        str(stable): _latency(settings.model_copy(update={"stable_seconds": stable}), staged, timings, drops)
        for stable, drops in ((settings.stable_seconds, latency_drops), (stable_low, latency_drops))
    }
    # ``_latency`` took its files off the front of ``staged``: the rest are the drop's ``files`` reports
    timings.unlink(missing_ok=True)
    throughput = _throughput(settings, staged[:files], timings)
    if backfill:
        folder = tmp / "backfill"
        size = backfill_files or files
        used = files + 2 * latency_drops
        others = report_texts(used + size)[used:]  # bodies not used above
        write_reports(others, folder, prefix="backfill")
        throughput["backfill"] = _backfill(settings, folder, size, timings, backfill_alerts, worker_pid)
        if worker_pid is not None:  # after the text backfill, before the PDF and .docx files
            throughput["backfill"]["worker_rss_mb"] = _tree_rss_mb(worker_pid)
        mixed = max(10, files // 3)  # PDF and .docx: slower to render and to read
        write_mixed(mixed, tmp / "mixed")
        throughput["backfill_mixed"] = _backfill(settings, tmp / "mixed", mixed, timings, backfill_alerts, worker_pid)
    return {"files": files, "ceiling_per_s": ceiling, "latency": latency, **throughput}


def _backfill(
    settings: Any, folder: Path, files: int, timings: Path, alerts: bool, worker_pid: int | None = None
) -> dict[str, Any]:
    """``nianbao import`` of ``files`` other distinct reports: from the command's start until it returns.

    Also the CPU seconds each process spent meanwhile (``cpu_s``: the pool, the broker, the database server,
    the import command, the machine as a whole), where the stage timings are wall clock and count the time
    a process waited for a core as its own."""
    import sys

    before = _count(settings.archive_path)
    lines_before = len(_lines(timings))
    cpu_before = _cpu_snapshot(worker_pid)
    start = time.time()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("nianbao")), "import", str(folder), "--stall-timeout", "120",
         *([] if alerts else ["--no-alerts"])],
        capture_output=True, text=True, env=dict(os.environ),
    )  # fmt: skip
    wall = time.time() - start
    cpu_after = _cpu_snapshot(worker_pid)
    tasks = _lines(timings)[lines_before:]
    batches = [t for t in tasks if t["task"] == "nianbao.ingest_batch"]
    return {
        "files": files,
        "wall_s": wall,
        "exit": done.returncode,
        "archived": _count(settings.archive_path) - before,
        "batches": len(batches),
        "batch_window_s": (max(t["end"] for t in batches) - min(t["start"] for t in batches)) if batches else None,
        "alert_tasks": sum(1 for t in tasks if t["task"] not in INGEST_TASKS),
        "alerts": alerts,
        "stages_ms": {k: sum(t["stages"].get(k, 0.0) for t in batches) for k in sorted({k for t in batches for k in t["stages"]})},
        "batch_task_ms": sum((t["end"] - t["start"]) * 1000 for t in batches),
        "cpu_s": {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after},
        "tail": (done.stdout + done.stderr)[-600:],
    }


def _latency(settings: Any, staged: list[Path], timings: Path, drops: int) -> dict[str, float]:
    """Median drop-to-archived seconds of single files on the idle system, split at the task's start."""
    watcher = Watcher(settings)
    time.sleep(0.5)  # the observer is up
    totals, to_task = [], []
    try:
        for _ in range(drops):
            path = staged.pop(0)
            start = time.time()
            path.rename(settings.inbox_path / path.name)
            target = settings.archive_path / path.name
            _wait(target.exists, 60, f"{path.name} archived")
            totals.append(time.time() - start)
            mine = lambda name=path.name: [x for x in _lines(timings) if x["file"] == name]  # noqa: E731
            _wait(mine, 30, "the task's timings")
            to_task.append(mine()[0]["start"] - start)
            time.sleep(0.3)  # its alert task runs; the system is idle again
    finally:
        watcher.stop()
    totals.sort()
    to_task.sort()
    return {"total_s": totals[len(totals) // 2], "to_task_start_s": to_task[len(to_task) // 2]}


def _throughput(settings: Any, staged: list[Path], timings: Path) -> dict[str, Any]:
    watcher = Watcher(settings)
    time.sleep(0.5)
    try:
        # the latency runs' files are there already: the drop's are what comes after them
        archived_before, quarantined_before = _count(settings.archive_path), _count(settings.quarantine_path)
        settled = lambda: (  # noqa: E731
            _count(settings.archive_path) - archived_before + _count(settings.quarantine_path) - quarantined_before
        )
        start = time.time()
        for path in staged:
            path.rename(settings.inbox_path / path.name)
        done = lambda: settled() >= len(staged)  # noqa: E731
        _wait(done, 120 + 2 * len(staged), "every file archived or quarantined", interval=0.05)
        wall = time.time() - start
        # the watcher sends a backlog in batches (nianbao.ingest_batch), a few files one by one
        ingests = lambda: [x for x in _lines(timings) if x["task"] in INGEST_TASKS]  # noqa: E731
        _wait(lambda: sum(x.get("files", 1) for x in ingests()) >= len(staged), 60, "the ingest timings")
        alerts = sum(x.get("alert_tasks", 0) for x in ingests())  # the ingest sends one only if it can mail
        alert_lines = lambda: [x for x in _lines(timings) if x["task"] not in INGEST_TASKS]  # noqa: E731
        _wait(lambda: len(alert_lines()) >= alerts, 120, "the alert tasks")
    finally:
        watcher.stop()
    return {
        "wall_s": wall,
        "drop_time": start,
        "archived": _count(settings.archive_path) - archived_before,
        "quarantined": _count(settings.quarantine_path) - quarantined_before,
        "tasks": _lines(timings),
    }
