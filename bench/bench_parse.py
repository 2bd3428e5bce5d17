"""Parse benchmark: text reports per second per core, against a baseline measured in the same run.

Corpus: the seeds (tests/samples/seeds) and the fixture reports (tests/samples/*.txt).
Baseline: read each file, decode it and normalise its lines (what any parse has to do first).
Measured: ``parse_text`` on the text already in memory (the parser alone), ``read_report`` (extract +
parse), then ``read_report`` + ``run_checks`` (all rules).
Times are CPU time of this process (``time.process_time``), best of several passes; the line cache of the
normaliser is cleared before every pass, so no pass profits from an earlier one (except the "warm" row,
which shows a long-running worker that has seen such lines before).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSES = int(os.environ.get("NIANBAO_BENCH_PASSES", "7"))
TARGET_MS = 2.0


def corpus() -> list[Path]:
    samples = ROOT / "tests" / "samples"
    return sorted((samples / "seeds").glob("*.txt")) + sorted(samples.glob("*.txt"))


def _best(files: list[Path], work: Callable[[Path], object], *, cold: bool = True) -> float:
    from worker.parse.normalise import normalise_line

    best = float("inf")
    for _ in range(PASSES):
        if cold:
            normalise_line.cache_clear()
        start = time.process_time()
        for path in files:
            work(path)
        best = min(best, time.process_time() - start)
    return best / len(files)


def main() -> int:
    import logging

    import structlog

    # the extractors log every file at debug level; printing those logs is not what we measure
    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    from worker.parse import parse_text, read_report
    from worker.parse.normalise import normalise_line

    try:
        from worker.rules import run_checks
    except ImportError:  # the rule catalogue is not installed: measure parsing only
        run_checks = None

    def baseline(path: Path) -> object:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        return [normalise_line(line) for line in text.splitlines()]

    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in corpus()}

    def parse_only(path: Path) -> object:
        return parse_text(texts[path])

    def parse(path: Path) -> object:
        return read_report(path)

    def parse_and_check(path: Path) -> object:
        report = read_report(path)
        return run_checks(report) if run_checks else report

    files = corpus()
    for work in (baseline, parse, parse_and_check):  # warm-up: imports, regex compilation
        work(files[0])
    base = _best(files, baseline)
    rows = [
        ("baseline read+normalise", base),
        ("parse_text (text in memory)", _best(files, parse_only)),
        ("parse_text, warm line cache", _best(files, parse_only, cold=False)),
        ("read_report (extract+parse)", _best(files, parse)),
    ]
    if run_checks:
        rows.append(("parse + all checks", _best(files, parse_and_check)))
    print(f"{len(files)} text reports, best of {PASSES} passes, CPU time of one core")
    for name, per in rows:
        print(
            f"  {name:26} {per * 1000:7.3f} ms/report  {1 / per:8.0f} reports/s/core  {per / base:6.1f}x baseline"
        )
    final = rows[-1][1] * 1000
    verdict = "met" if final < TARGET_MS else "NOT met"
    print(f"  target: {rows[-1][0]} < {TARGET_MS} ms/report: {verdict} ({final:.3f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
