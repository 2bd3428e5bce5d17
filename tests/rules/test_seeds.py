"""The five seed reports yield exactly the findings of report-format.md section 8, and no other error.

Besides those, a seed may carry only the warnings listed in ``ALSO_WARNINGS`` (each with the reason it is
right): no publication date printed (the deadline rules say "not assessable"), and a section 六 of just "无"
(SEC6_FEE).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from worker.parse.models import Report
from worker.rules import Severity, run_checks

# seed prefix -> (rule, status) of section 8, with multiplicity
SECTION_8 = {
    "000": ["TITLE_MISSING", "BLANK_CELL", "BLANK_CELL"],
    "001": ["FMT_LABEL_MIXED", "BLANK_CELL"],
    "002": ["FMT_OLD_USED", "FMT_2019_INCOMPLETE", "STRUCT_CELL_COUNT", "YEAR_FORWARD_PLAN"],
    "003": ["STRUCT_SECTION_MISSING", "UNIT_PROCUREMENT"],
    "004": [],
}
SECTION_8_ERRORS = {
    "000": [],
    "001": [],
    "002": ["FMT_2019_INCOMPLETE", "FMT_OLD_USED", "STRUCT_CELL_COUNT"],
    "003": ["STRUCT_SECTION_MISSING"],
    "004": [],
}
NO_DATE = ["PUB_AFTER_JAN31:not_assessable", "PUB_AFTER_MAR31:not_assessable"]
ALSO_WARNINGS = {
    "000": [*NO_DATE, "SEC6_FEE"],  # 六 is "无。"; no signing date
    "001": [],  # signed 2024年1月23日, within the deadline
    "002": NO_DATE,
    "003": NO_DATE,
    "004": [*NO_DATE, "SEC6_FEE"],  # 六 is "无"
}


def _seed(seeds_dir: Path, prefix: str) -> Path:
    return next(seeds_dir.glob(f"{prefix}_*.txt"))


def _key(rule: str, status: str) -> str:
    return rule if status == "fail" else f"{rule}:{status}"


@pytest.mark.parametrize("prefix", sorted(SECTION_8))
def test_seed_yields_section_8_findings(
    prefix: str, seeds_dir: Path, parse_text: Callable[..., Report]
) -> None:
    path = _seed(seeds_dir, prefix)
    findings = run_checks(parse_text(path.read_text(encoding="utf-8"), source=path.name))
    got = Counter(_key(f.rule, f.status) for f in findings)
    assert got == Counter(SECTION_8[prefix] + ALSO_WARNINGS[prefix])
    errors = sorted(f.rule for f in findings if f.severity is Severity.ERROR)
    assert errors == SECTION_8_ERRORS[prefix]


def test_seed_000_blank_cells_are_the_fee_amount_and_the_last_reviews_cell(
    seeds_dir: Path, parse_text: Callable[..., Report]
) -> None:
    path = _seed(seeds_dir, "000")
    blanks = [
        f.location for f in run_checks(parse_text(path.read_text(encoding="utf-8"))) if f.rule == "BLANK_CELL"
    ]
    where = sorted((loc.table, loc.row, loc.col) for loc in blanks if loc is not None)
    assert where == [
        ("disclosure.art20_8", "fees", "amount_wan"),
        ("reviews", "litigation_after_review", "total"),
    ]
    assert all(loc is not None and loc.line for loc in blanks)


def test_seed_001_blank_is_granted_total_and_date_is_on_time(
    seeds_dir: Path, parse_text: Callable[..., Report]
) -> None:
    path = _seed(seeds_dir, "001")
    report = parse_text(path.read_text(encoding="utf-8"))
    findings = run_checks(report)
    blank = next(f for f in findings if f.rule == "BLANK_CELL")
    assert blank.location is not None and (blank.location.row, blank.location.col) == ("granted", "total")
    assert "（一）予以公开·总计" in blank.message
    assert report.published is not None and not [f for f in findings if f.rule.startswith("PUB_")]


def test_seed_002_cell_count_says_16(seeds_dir: Path, parse_text: Callable[..., Report]) -> None:
    path = _seed(seeds_dir, "002")
    finding = next(
        f for f in run_checks(parse_text(path.read_text(encoding="utf-8"))) if f.rule == "STRUCT_CELL_COUNT"
    )
    assert (finding.expected, finding.actual) == (15, 16)
    assert finding.location is not None and finding.location.table == "reviews" and finding.location.line
