"""YEAR_MISMATCH: the title year differs from the statistics-period year."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity


class TitleYearDiffersFromPeriod(Rule):
    """## What it does
    Compares the year in the title with the year of the statistics period printed in the preamble
    ("本报告中所列数据的统计期限为2023年1月1日起至2023年12月31日止").

    ## Why is this bad?
    条例 art. 49 asks for the report of the previous year; if the title says 2023 but the figures cover
    2022 (a copied preamble is the usual cause), either the title or every figure is for the wrong year.

    ## Example
    Title "2023年政府信息公开工作年度报告", preamble "统计期限为2022年1月1日起至2022年12月31日止".
    Use instead: the same year in both.
    """

    code = "YEAR_MISMATCH"
    title_zh = "标题年度与统计期限年度不一致"
    title_en = "Title year differs from the statistics-period year"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        if report.title_year is None or report.period_year is None or report.title_year == report.period_year:
            return
        yield self.finding(
            f"标题为{report.title_year}年度报告，但统计期限写的是{report.period_year}年",
            location=Location(line=report.title_line),
            expected=report.title_year,
            actual=report.period_year,
        )
