"""Turn the pipeline benchmark's raw task timings into the printed table (``bench/bench_pipeline.py``).

Stages of one file, in ms, from the probe's stopwatches (``bench/pipeline_probe.py``):

* ``claim``: ``ingest_file`` minus the steps below: the move into processing/ and its lock, the sha256, the
  delivery-count transaction, the release and the ``file_ingested`` log line;
* ``extract``, ``parse`` (``read`` minus ``extract``), ``checks`` (``run_checks``, the year+1 re-check
  included), ``store`` (the store transaction minus the checks), ``alert`` (sending the alert tasks),
  ``archive`` (the move and its transaction);
* ``task``: the Celery task around ``ingest_file`` (its signals: the task-run table's bookkeeping);
When the watcher sends the drop as a backlog (``nianbao.ingest_batch``), the batches' stages are printed per
file instead (the batch's stopwatches: ``claim``, ``delivery_count``, ``read``, ``store_all``, ...).

* ``outside task``: pool time in no task, per file: (window x pool processes - time in tasks) / files, with
  the window from the first task start to the last task end. It is the broker (fetch, ack), the result
  backend's write, and idle pool processes; the alert tasks count as time in tasks (their own row).
"""

from __future__ import annotations

import statistics
from typing import Any

STAGES = ("claim", "extract", "parse", "checks", "store", "alert", "archive", "task")


def _stages(line: dict[str, Any]) -> dict[str, float]:
    s = line["stages"]
    total = (line["end"] - line["start"]) * 1000
    ingest = s.get("ingest", total)
    steps = ("read", "check_store", "alert", "archive", "quarantine")
    return {
        "claim": ingest - sum(s.get(k, 0.0) for k in steps),
        "extract": s.get("extract", 0.0),
        "parse": s.get("read", 0.0) - s.get("extract", 0.0),
        "checks": s.get("checks", 0.0),
        "store": s.get("check_store", 0.0) - s.get("checks", 0.0),
        "alert": s.get("alert", 0.0),
        "archive": s.get("archive", 0.0) + s.get("quarantine", 0.0),
        "task": total - ingest,
    }


def _summary(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.fmean(ordered), statistics.median(ordered), p95


def print_run(result: dict[str, Any]) -> None:
    """Print one database + broker pair's throughput, ceiling, stage breakdown and latency."""
    tasks = result["tasks"]
    singles = [t for t in tasks if t["task"] == "nianbao.ingest"]
    batches = [t for t in tasks if t["task"] == "nianbao.ingest_batch"]
    ingests = singles + batches
    alerts = [t for t in tasks if t["task"] not in ("nianbao.ingest", "nianbao.ingest_batch")]
    files, ceiling, wall = result["files"], result["ceiling_per_s"], result["wall_s"]
    ingested = sum(t.get("files", 1) for t in ingests)
    first = min(t["start"] for t in tasks)
    last = max(t["end"] for t in tasks)
    window = last - first
    last_ingest = max(t["end"] for t in ingests)
    processing_rate = ingested / (last_ingest - first)
    in_tasks = sum(t["end"] - t["start"] for t in tasks)
    outside_ms = (window * result["concurrency"] - in_tasks) * 1000 / ingested
    print(f"-- {result['kind']} + {result['broker']}, {result['concurrency']} pool processes")
    print(f"  no-op ceiling          {ceiling:8.1f} tasks/s")
    print(
        f"  pipeline, drop->all archived  {files / wall:8.1f} files/s  ratio {files / wall / ceiling:5.3f}"
        f"  ({files} files in {wall:.1f} s; {result['archived']} archived, {result['quarantined']} quarantined)"
    )
    print(
        f"  pipeline, processing window   {processing_rate:8.1f} files/s  ratio {processing_rate / ceiling:5.3f}"
        "  (first task start to last ingest end: no stability wait)"
    )
    if batches:  # the watcher sent the drop as a backlog: stages per file of the batches
        in_batches = sum(t.get("files", 1) for t in batches)
        print(f"  sent as {len(batches)} batch tasks ({in_batches} files) and {len(singles)} single-file tasks")
        names = sorted({k for t in batches for k in t["stages"]})
        per = {k: sum(t["stages"].get(k, 0.0) for t in batches) / in_batches for k in names}
        per["batch task"] = sum((t["end"] - t["start"]) * 1000 for t in batches) / in_batches
        print("  drop, ms per file in batches: " + ", ".join(f"{k} {v:.1f}" for k, v in per.items()))
        mean, p50, p95 = _summary([(t["end"] - t["start"]) * 1000 for t in alerts] or [0.0])
        print(f"  alert task (own task)    mean {mean:.2f}  p50 {p50:.2f}  p95 {p95:.2f} ms")
        print(f"  outside task (per file)  {outside_ms:.2f} ms")
    else:
        _print_stages(singles, alerts, outside_ms)
    monitoring = _monitoring_ms(tasks)
    print(f"  task-run table writes   {monitoring:8.2f} ms per task (writer thread, beside the above)")
    print(f"  alert tasks sent        {len(alerts):8d} (one only when a file's report or quarantine can be mailed)")
    bf = result.get("backfill")
    if bf:
        rate = bf["files"] / bf["wall_s"]
        window = f", batches' window {bf['files'] / bf['batch_window_s']:.1f} files/s" if bf["batch_window_s"] else ""
        print(
            f"  backfill (nianbao import{'' if bf.get('alerts') else ' --no-alerts'}) {rate:8.1f} files/s"
            f"  ratio {rate / ceiling:5.3f}  ({bf['archived']} archived,"
            f" {bf['batches']} batch tasks, {bf['alert_tasks']} alert tasks, exit {bf['exit']}{window})"
        )
        if bf["files"] != files:
            print(f"  backfill of {bf['files']} reports: {bf['wall_s']:.1f} s from the command's start until it returned")
    if bf and bf.get("stages_ms"):
        per = {k: v / max(1, bf["archived"]) for k, v in bf["stages_ms"].items()}
        per["batch task"] = bf["batch_task_ms"] / max(1, bf["archived"])
        print("  backfill, ms per file: " + ", ".join(f"{k} {v:.1f}" for k, v in per.items()))
    if bf and bf.get("cpu_s"):
        _print_cpu(bf)
    mixed = result.get("backfill_mixed")
    if bf and bf.get("worker_rss_mb"):
        shown = ", ".join(f"{mb:.0f}" for mb in bf["worker_rss_mb"])
        print(f"  worker resident memory after the text backfill (MB; Celery main, pool processes): {shown}")
    if bf and mixed:
        text_rate = bf["files"] / bf["wall_s"]
        rate = mixed["files"] / mixed["wall_s"]
        print(
            f"  backfill, half PDF + half .docx {rate:8.1f} files/s  {rate / text_rate:5.3f} of the text backfill's"
            f" rate  ({mixed['archived']} archived of {mixed['files']}, exit {mixed['exit']})"
        )
        if mixed.get("batch_window_s") and bf.get("batch_window_s") and mixed["archived"] and bf["archived"]:
            # a small mixed run is mostly the command's start: the batches' window and the batch task's time
            # per file compare the formats themselves
            window = mixed["files"] / mixed["batch_window_s"]
            text_window = bf["files"] / bf["batch_window_s"]
            per_file = mixed["batch_task_ms"] / mixed["archived"]
            text_per_file = bf["batch_task_ms"] / bf["archived"]
            print(
                f"  backfill, half PDF + half .docx, batches' window {window:.1f} files/s ({window / text_window:.3f}"
                f" of the text's); batch task {per_file:.1f} ms per file ({text_per_file:.1f} for text,"
                f" {per_file / text_per_file:.1f}x)"
            )
    rss = result.get("worker_rss_mb")
    if rss:
        shown = ", ".join(f"{mb:.0f}" for mb in rss)
        print(f"  worker resident memory after the run (MB; Celery main, pool processes): {shown}")
    for stable, lat in result["latency"].items():
        print(
            f"  latency, one file, idle, stable_seconds={float(stable):g}: {lat['total_s']:.2f} s drop->archived"
            f" ({lat['to_task_start_s']:.2f} s drop->task start)"
        )


def _print_stages(ingests: list[dict[str, Any]], alerts: list[dict[str, Any]], outside_ms: float) -> None:
    """The stage table of single-file ingests (mean, p50, p95, share of a file's time)."""
    per_file = [_stages(t) for t in ingests]
    rows = [(name, [p[name] for p in per_file]) for name in STAGES]
    rows.append(("alert task (own task)", [(t["end"] - t["start"]) * 1000 for t in alerts] or [0.0]))
    busy = statistics.fmean(sum(p.values()) for p in per_file)
    print(f"  {'stage (ms per file)':24} {'mean':>8} {'p50':>8} {'p95':>8} {'share':>7}")
    total = busy + statistics.fmean(rows[-1][1]) + max(outside_ms, 0.0)
    for name, values in rows:
        mean, p50, p95 = _summary(values)
        print(f"  {name:24} {mean:8.2f} {p50:8.2f} {p95:8.2f} {mean / total:6.1%}")
    print(
        f"  {'outside task (per file)':24} {outside_ms:8.2f} {'':>8} {'':>8} {max(outside_ms, 0) / total:6.1%}"
    )


def _monitoring_ms(tasks: list[dict[str, Any]]) -> float:
    by_pid: dict[int, list[float]] = {}
    for t in tasks:
        by_pid.setdefault(t["pid"], []).append(t["monitoring_ms"])
    spent = sum(max(v) - min(v) for v in by_pid.values())
    return spent / max(1, len(tasks) - len(by_pid))


def _print_cpu(bf: dict[str, Any]) -> None:
    """CPU ms per file of each process during the backfill, and how busy the machine's cores were.

    The stage timings above are wall clock: a process waiting for a core counts that wait as its own stage.
    CPU time says which process the cores worked for (``bench/pipeline_run.py``, ``_cpu_snapshot``).
    """
    import os

    cpu, files = bf["cpu_s"], max(1, bf["archived"])
    parts = {k: v for k, v in cpu.items() if k != "machine"}
    shown = ", ".join(f"{k} {v * 1000 / files:.1f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1]))
    cores = os.cpu_count() or 1
    busy = cpu["machine"] / (bf["wall_s"] * cores)
    print(f"  backfill, CPU ms per file: {shown}")
    print(
        f"  backfill, machine busy {cpu['machine'] * 1000 / files:.1f} CPU ms per file"
        f" ({busy:.0%} of {cores} cores over the {bf['wall_s']:.1f} s)"
    )
