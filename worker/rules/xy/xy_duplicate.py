"""XY_DUPLICATE: the text or the tables are essentially the body's previous report."""

from __future__ import annotations

import re
from collections.abc import Iterator

from worker.parse.models import Location, Number, Report
from worker.rules.base import Finding, Severity
from worker.rules.support.certainty import certain_table
from worker.rules.support.history import CrossYearRule

SHINGLE = 5  # characters per shingle
THRESHOLD = 0.85  # Jaccard similarity of the 5-character shingle sets of the prose
MIN_PROSE = 300  # characters of prose (whitespace removed) both reports need before text is compared
MIN_NONZERO = 3  # non-zero cells identical tables need before they count as copied
PROSE_SECTIONS = ("overview", "problems", "other")
_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def prose_fingerprint(report: Report) -> set[str]:
    """The 5-character shingles of 一、五 and 六, whitespace removed and every number replaced by "#"
    (so that a text differing only in its years and counts is identical)."""
    text = "".join(s.text for s in report.sections if s.key in PROSE_SECTIONS)
    text = _DIGITS.sub("#", _WS.sub("", text))
    if len(text) < MIN_PROSE:
        return set()
    return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def similarity(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two shingle sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def table_values(report: Report) -> dict[tuple[str, str, str], Number | None]:
    values: dict[tuple[str, str, str], Number | None] = {}
    for table in ("applications", "reviews"):
        for row, cols in getattr(report.tables, table).items():
            for col, cell in cols.items():
                values[(table, row, col)] = cell.value
    return values


class CopiedFromPreviousYear(CrossYearRule):
    """## What it does
    Compares the report with the same body's report for the previous year and reports:

    - **text**: the prose of 一、五 and 六 is essentially the same — Jaccard similarity of the sets of
      5-character sequences, whitespace removed and every number replaced by "#", of at least **0.85**
      (both texts at least 300 characters);
    - **tables**: every cell of 三 and 四 identical, with at least 3 non-zero cells (all-zero tables of a body
      that received no applications are legitimately the same every year).

    The threshold: on the five seed reports (five different towns, all written to the same template and
    sharing its stock phrases) the similarity between any two is 0.04–0.06; a report copied with only its
    years and counts changed scores 1.0, and rewriting one sentence in ten still leaves it near 0.9. An honest
    rewrite that keeps the section headings and stock phrases stays far below 0.85, so a score above it is a copy
    and the margin is wide on both sides.

    ## Why is this bad?
    条例 art. 50 asks each year for that year's work, problems and improvements. A copy of last year's text with
    the year changed reports nothing about the year, and its "improvements" are last year's plans.

    ## Example
    2023 report whose 一、五 and 六 read as the 2022 report with "2022" replaced by "2023".
    Use instead: describe the 2023 work, the problems found in 2023 and the plans for 2024.
    """

    code = "XY_DUPLICATE"
    title_zh = "报告内容与上年度报告基本相同"
    title_en = "Text or tables essentially a copy of the previous year's report"
    severity = Severity.WARNING

    def compare(self, report: Report, prev: Report) -> Iterator[Finding]:
        score = similarity(prose_fingerprint(report), prose_fingerprint(prev))
        if score >= THRESHOLD:
            overview = report.section("overview")
            yield self.finding(
                f"正文（总体情况、存在的问题及改进情况、其他事项）与{prev.year or '上一'}年度报告的相似度为 "
                f"{score:.0%}，基本是上年度报告改了年份",
                location=Location(section="overview", line=overview.line if overview else None),
                expected=f"< {THRESHOLD:.0%}",
                actual=round(score, 3),
            )
        mine, theirs = table_values(report), table_values(prev)
        nonzero = sum(1 for v in mine.values() if v)
        read = all(certain_table(r, t) for r in (report, prev) for t in ("applications", "reviews"))
        if read and mine and mine == theirs and nonzero >= MIN_NONZERO:
            yield self.finding(
                f"表三、表四的全部 {len(mine)} 个数字与{prev.year or '上一'}年度报告完全相同（其中 {nonzero} 个不为 0），"
                "疑似照搬上年度数据",
                location=Location(table="applications"),
                expected="本年度数据",
                actual="与上年度相同",
            )
