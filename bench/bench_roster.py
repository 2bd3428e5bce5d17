"""Roster and roll-up benchmark: a region of 5,000 registered bodies over 7 years, against a plain count query.

Corpus: a fresh SQLite database (migrated) filled in bulk with ``NIANBAO_BENCH_BODIES`` bodies (default
5,000) under one county, one matched report per body and year for 7 years (every 7th failing, every 11th
with a corrected second version) and 22 cells per report (三's 总计 row and all of 四).
Baseline: ``SELECT count(*) FROM report WHERE year = ?`` (what any answer about a year has to touch).
Measured: ``queries.roster`` and ``queries.rollup`` for the county and the last year; wall time, best of
several passes, printed as milliseconds and as a ratio to the baseline.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BODIES = int(os.environ.get("NIANBAO_BENCH_BODIES", "5000"))
YEARS = tuple(range(2018, 2025))
PASSES = int(os.environ.get("NIANBAO_BENCH_PASSES", "5"))
REGION = ["福建省", "三明市", "将乐县"]
APP_COLS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")
REVIEW = [(r, c) for r in ("review", "litigation_direct", "litigation_after_review")
          for c in ("upheld", "corrected", "other", "pending", "total")]  # fmt: skip


def _fill(url: str) -> None:
    import sqlalchemy as sa

    from worker.store.models import Body, CellValue, ReportBody, StoredReport

    now = dt.datetime(2025, 1, 10, tzinfo=dt.UTC)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(Body), [
            {"id": i, "name": f"将乐县第{i}镇人民政府", "path": "/".join([*REGION, f"第{i}镇"]), "level": "township",
             "short_names": "[]", "former_names": "[]", "contact_emails": "[]", "created_at": now, "updated_at": now}
            for i in range(1, BODIES + 1)
        ])  # fmt: skip
        report_id = 0
        for year in YEARS:
            reports: list[dict[str, Any]] = []
            links: list[dict[str, Any]] = []
            cells: list[dict[str, Any]] = []
            for body in range(1, BODIES + 1):
                versions = ["failed", "ok"] if body % 11 == 0 else ["failed" if body % 7 == 0 else "ok"]
                for status in versions:
                    report_id += 1
                    reports.append({"id": report_id, "sha256": f"{report_id:064x}", "file_name": f"{report_id}.txt",
                                    "organ": f"将乐县第{body}镇人民政府", "identity_key": "/".join([*REGION, f"第{body}镇"]),
                                    "year": year, "template": "2021", "status": status, "error_count": int(status != "ok"),
                                    "warning_count": 0, "parse_warning_count": 0, "report_json": "{}",
                                    "created_at": now, "checked_at": now})  # fmt: skip
                    links.append({"report_id": report_id, "body_id": body, "state": "matched", "method": "path",
                                  "candidates": "[]", "matched_at": now})  # fmt: skip
                    cells += [{"report_id": report_id, "table_key": "applications", "row_key": "total", "col_key": c,
                               "value": float(body % 5), "raw": ""} for c in APP_COLS]  # fmt: skip
                    cells += [{"report_id": report_id, "table_key": "reviews", "row_key": r, "col_key": c,
                               "value": 0.0, "raw": ""} for r, c in REVIEW]  # fmt: skip
            conn.execute(sa.insert(StoredReport), reports)
            conn.execute(sa.insert(ReportBody), links)
            conn.execute(sa.insert(CellValue), cells)
    engine.dispose()


def _best(work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(PASSES):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    import logging

    import sqlalchemy as sa
    import structlog

    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    from worker.settings import Settings
    from worker.store import queries
    from worker.store.db import session_scope, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        upgrade(settings)
        start = time.perf_counter()
        _fill(settings.sqlalchemy_url)
        filled = time.perf_counter() - start
        year, today = YEARS[-1], dt.date(YEARS[-1] + 1, 1, 20)
        with session_scope(settings) as s:
            count = s.execute(sa.text("SELECT count(*) FROM report")).scalar_one()
            baseline = _best(lambda: s.execute(sa.text("SELECT count(*) FROM report WHERE year = :y"), {"y": year}).one())
            roster_s = _best(lambda: queries.roster(s, region="将乐县", year=year, today=today))
            rollup_s = _best(lambda: queries.rollup(s, region="将乐县", year=year))
            roster = queries.roster(s, region="将乐县", year=year, today=today)
            rollup = queries.rollup(s, region="将乐县", year=year)
    print(f"{BODIES} bodies x {len(YEARS)} years = {count} reports (filled in {filled:.1f} s), SQLite, best of {PASSES}")
    print(f"  count query (baseline)  {baseline * 1000:9.2f} ms   1.0x")
    for name, seconds in (("roster", roster_s), ("roll-up", rollup_s)):
        print(f"  {name:<22}  {seconds * 1000:9.2f} ms   {seconds / baseline:.0f}x")
    print(f"  roster: {roster.total} bodies, {dict((k.value, v) for k, v in roster.counts.items())}; "
          f"roll-up: {len(rollup.included)} summed, {len(rollup.missing)} missing, {len(rollup.findings)} findings")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
