"""Web benchmark: list-page and report-page response times on 100,000 stored reports, against /healthz.

The reports are generated with bulk inserts into a SQLite file under a temporary directory: 100,000 report
rows over 2,000 bodies and five years (a third failing, a third with warnings), a finding for every failing
or warning report, and the cells of seed 000 for the first 1,000 reports (the report page draws them); one
failing report in ten has its finding reviewed (alternately "confirmed" and "not an error").
Each page is requested through the real application (TestClient: routing, session, read layer, templates),
best of several runs; the baseline is ``/healthz`` (one ``SELECT 1``), measured in the same run.
``NIANBAO_BENCH_REPORTS`` changes the number of reports.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = int(os.environ.get("NIANBAO_BENCH_REPORTS", "100000"))
WITH_CELLS = 1000
RUNS = int(os.environ.get("NIANBAO_BENCH_PASSES", "7"))
PAGES = (
    ("list, newest first", "/reports"),
    ("list, page 50", "/reports?page=50"),
    ("list, status=errors", "/reports?status=errors"),
    ("list, body search", "/reports?q=%E7%AC%AC1234"),
    ("list, county + year", "/reports?path=%E7%A6%8F%E5%BB%BA%E7%9C%81/%E5%8E%BF7&year=2022"),
    ("list, failing rule", "/reports?rule=T3_BALANCE"),
    ("list, needs review", "/reports?review=needs_review"),
    ("list, not an error", "/reports?review=not_error"),
    ("list, county + reviewed", "/reports?path=%E7%A6%8F%E5%BB%BA%E7%9C%81/%E5%8E%BF7&review=reviewed"),
    ("list, sorted by body", "/reports?sort=body"),
    ("report page", "/reports/{report_id}"),
    ("versions page", "/reports/{report_id}/versions"),
    ("export county+year xlsx", "/exports/reports.xlsx?path=%E7%A6%8F%E5%BB%BA%E7%9C%81/%E5%8E%BF7&year=2022"),
    ("export errors csv", "/exports/reports.csv?status=errors&year=2022"),
)


def _generate(database_url: str) -> int:
    import sqlalchemy as sa

    from tests.utils.stored import SEEDS_DIR
    from worker.parse import read_report
    from worker.store.models import CellValue, StoredFinding, StoredReport
    from worker.store.review_models import FindingReview, location_key

    seed = read_report(sorted(SEEDS_DIR.glob("000_*.txt"))[0])
    seed_json = seed.model_dump_json()
    cells = [
        {"table_key": t, "row_key": r, "col_key": c, "value": cell.value, "raw": cell.raw}
        for t, grid in [("applications", seed.tables.applications), ("reviews", seed.tables.reviews),
                        *((f"disclosure.{b}", g) for b, g in seed.tables.disclosure.items())]
        for r, cols in grid.items() for c, cell in cols.items()
    ]  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    engine = sa.create_engine(database_url)
    reports, findings, cell_rows, reviews = [], [], [], []
    place = location_key("applications", "new", "total", None, None)
    for n in range(1, REPORTS + 1):
        body, year, verdict = n % 2000, 2019 + n % 5, n % 3
        reports.append({
            "id": n, "sha256": f"{n:064x}", "file_name": f"{n}.txt", "organ": f"第{body}镇人民政府",
            "identity_key": f"福建省/县{body % 50}/第{body}镇", "year": year, "template": "2021",
            "status": "failed" if verdict == 0 else "ok", "error_count": 1 if verdict == 0 else 0,
            "warning_count": 1 if verdict == 1 else 0, "parse_warning_count": 0,
            "report_json": seed_json if n <= WITH_CELLS else "{}", "created_at": now, "checked_at": now,
        })  # fmt: skip
        if verdict != 2:
            findings.append({
                "report_id": n, "rule": "T3_BALANCE" if verdict == 0 else "BLANK_CELL",
                "severity": "error" if verdict == 0 else "warning", "status": "fail", "title": "",
                "message": "本列不平衡", "table_key": "applications", "row_key": "new", "col_key": "total",
            })  # fmt: skip
        if verdict == 0 and n % 10 == 0:
            reviews.append({
                "report_id": n, "identity_key": f"福建省/县{body % 50}/第{body}镇", "year": year, "rule": "T3_BALANCE",
                "location": place, "verdict": "confirmed" if n % 20 == 0 else "not_error", "reason": "人工核对",
                "user_name": "bench", "reviewed_at": now,
            })  # fmt: skip
        if n <= WITH_CELLS:
            cell_rows += [{"report_id": n, **c} for c in cells]
    with engine.begin() as conn:
        conn.execute(sa.insert(StoredReport.__table__), reports)  # type: ignore[attr-defined]
        conn.execute(sa.insert(StoredFinding.__table__), findings)  # type: ignore[attr-defined]
        conn.execute(sa.insert(CellValue.__table__), cell_rows)  # type: ignore[attr-defined]
        conn.execute(sa.insert(FindingReview.__table__), reviews)  # type: ignore[attr-defined]
    engine.dispose()
    return WITH_CELLS // 2


def _best(client: object, path: str) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, (path, response.status_code)
        best = min(best, elapsed)
    return best


def main() -> int:
    from fastapi.testclient import TestClient

    from worker.settings import Settings
    from worker.store.db import upgrade
    from worker.web.app import create_app

    with tempfile.TemporaryDirectory(prefix="nianbao-bench-web-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        settings = Settings(data_dir=Path(tmp) / "data", inbox=Path(tmp) / "inbox", database_url=url,
                            web_users=[], web_secret_key="bench-secret-key-0123456789")  # fmt: skip
        upgrade(settings)
        start = time.perf_counter()
        report_id = _generate(url)
        print(f"generated {REPORTS} reports in {time.perf_counter() - start:.1f} s")
        client = TestClient(create_app(settings), base_url="http://127.0.0.1")
        baseline = _best(client, "/healthz")
        print(f"{'page':<24} {'ms':>8} {'x /healthz':>11}")
        print(f"{'/healthz (baseline)':<24} {baseline * 1000:8.2f} {1.0:11.1f}")
        for label, path in PAGES:
            took = _best(client, path.format(report_id=report_id))
            print(f"{label:<24} {took * 1000:8.2f} {took / baseline:11.1f}")
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
