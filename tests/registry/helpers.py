"""Consistent generated reports for the registry tests, stored through the real store functions.

``generated`` makes a canonical dict of ``tests.utils.gen`` whose 三 and 四 add up (``gen.consistent``), so the
real arithmetic rules pass; ``broken`` spoils one total so they fail.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import random
from pathlib import Path
from typing import Any

from tests.utils.gen import consistent, random_report
from worker.parse.models import Cell, Report, Tables
from worker.rules import RULES, RuleContext, run_checks
from worker.settings import Settings
from worker.store import crud
from worker.store.db import session_scope

ARITHMETIC = RuleContext(severity_overrides={c: "off" for c in RULES if not c.startswith(("T3_", "T4_"))})


def broken(canonical: dict[str, Any]) -> dict[str, Any]:
    """A copy whose 三 total of 自然人 is off by one (T3 rules fail)."""
    out = copy.deepcopy(canonical)
    out["tables"]["applications"]["total"]["natural_person"] += 1
    return out


def generated(rng: random.Random, *, path: list[str], organ: str, year: int) -> dict[str, Any]:
    """A consistent canonical report of ``organ`` at ``path`` for ``year``."""
    base = random_report(rng, template="2021", blank_rate=0.0)
    base["organ"], base["year"] = organ, year
    base["meta"].update(organ_path=path, organ_level="township", title_year=year, period_year=year)
    return consistent(base)


def to_report(canonical: dict[str, Any]) -> Report:
    """The ``Report`` of a canonical dict (cells without locations)."""

    def grid(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Cell]]:
        return {r: {c: Cell(value=v, raw="" if v is None else str(v)) for c, v in cols.items()} for r, cols in rows.items()}

    tables = canonical["tables"]
    meta = canonical["meta"]
    return Report(
        organ=canonical["organ"], organ_path=meta["organ_path"], organ_level=meta["organ_level"],
        year=canonical["year"], template=canonical["template"], published=meta["published"],
        tables=Tables(disclosure={b: grid(rows) for b, rows in tables["disclosure"].items()},
                      applications=grid(tables["applications"]), reviews=grid(tables["reviews"])),
    )  # fmt: skip


def store(settings: Settings, canonical: dict[str, Any], *, file_name: str, original_path: str | None = None) -> int:
    """Check ``canonical`` with the real arithmetic rules and store it (and its arrival); returns the report id."""
    report = to_report(canonical)
    findings = run_checks(report, ARITHMETIC)
    sha = hashlib.sha256(report.model_dump_json().encode() + file_name.encode()).hexdigest()
    with session_scope(settings) as s:
        stored = crud.insert_report(s, report, findings, sha256=sha, file_name=file_name)
        assert stored.id is not None
        crud.add_source_file(s, sha256=sha, name=file_name, original_path=original_path or f"/elsewhere/{file_name}",
                             size=1, status="ingested", report_id=stored.id)  # fmt: skip
        return stored.id


HEADER = ["名称", "简称", "曾用名", "行政区划路径", "层级", "联系人", "联系邮箱", "起始年份", "终止年份"]


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig", header: list[str] = HEADER) -> Path:
    """A registry CSV file (with a BOM by default)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path
