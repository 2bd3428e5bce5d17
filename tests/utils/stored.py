"""Store the seed reports (parsed and checked for real) through the store's own functions, for read-layer tests."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from worker.parse import read_report
from worker.parse.models import Report
from worker.rules import run_checks
from worker.rules.base import Finding, RuleContext
from worker.settings import Settings
from worker.store import crud
from worker.store.db import session_scope

SEEDS_DIR = Path(__file__).resolve().parents[1] / "samples" / "seeds"
CORRECTED = "corrected"  # key of the second version of seed 000 (same body and year, other bytes)
CLEAN = "clean"  # key of a report without any finding


@cache
def _checked(name: str) -> tuple[Report, tuple[Finding, ...], str]:
    path = SEEDS_DIR / name
    report = read_report(path)
    return report, tuple(run_checks(report, RuleContext())), hashlib.sha256(path.read_bytes()).hexdigest()


def store_seeds(settings: Settings) -> dict[str, int]:
    """Store the five seeds, a second version of seed 000 and a clean report; returns key -> report id.

    Keys are the seed file stems ("000", "001", ...), ``CORRECTED`` and ``CLEAN``. Seed 000 and 003 get an
    archived arrival; seed 002 a quarantine record as well (another file of the same name).
    """
    ids: dict[str, int] = {}
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    with session_scope(settings) as s:
        for path in seeds:
            report, findings, sha = _checked(path.name)
            stored = crud.insert_report(s, report, list(findings), sha256=sha, file_name=path.name)
            assert stored.id is not None
            ids[path.stem[:3]] = stored.id
            crud.add_source_file(s, sha256=sha, name=path.name, original_path=str(path), size=1, status="ingested",
                                 report_id=stored.id)  # fmt: skip
            crud.set_archived(s, sha256=sha, name=path.name, archived_path=f"/archive/{path.name}")
        report, findings, sha = _checked(seeds[0].name)
        fixed = [f for f in findings if f.rule != "SEC6_FEE"]
        stored = crud.insert_report(s, report, fixed, sha256="f" * 64, file_name="南口镇年报（更正）.txt")
        assert stored.id is not None
        ids[CORRECTED] = stored.id
        clean = report.model_copy(update={"organ_path": ["福建省", "南平市", "顺昌县", "洋口镇"], "organ": "洋口镇",
                                          "year": 2022})  # fmt: skip
        stored = crud.insert_report(s, clean, [], sha256="c" * 64, file_name="洋口镇.txt")
        assert stored.id is not None
        ids[CLEAN] = stored.id
    return ids
