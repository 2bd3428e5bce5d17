"""PUB_BEFORE_YEAR_END: signed or published before the year it reports on is over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.deadline import dated


class PublishedBeforeYearEnd(Rule):
    """## What it does
    Checks that the signing or publication date printed on the report is on or after 1 January of the year
    after the report year. Without a date it emits nothing: the two deadline rules (PUB_AFTER_JAN31,
    PUB_AFTER_MAR31) already report the date as ``not_assessable``, and a missing date is not early.

    ## Why is this bad?
    条例 art. 49 asks for the report "of the previous year"; it can only be complete once that year is over.
    A report dated 2023-12-20 for 2023 either has a wrong date or figures that miss the last days of the
    year (the statistics period runs to 31 December).

    ## Example
    Report for 2023 signed "2023年12月20日".
    Use instead: a date in January 2024 (after the figures for December are in).
    """

    code = "PUB_BEFORE_YEAR_END"
    title_zh = "报告在统计年度结束前签发"
    title_en = "Signed or published before 1 January of the following year"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        if report.published is None or report.year is None:
            return
        start = dt.date(report.year + 1, 1, 1)
        if report.published >= start:
            return
        yield dated(self, report, report.published, late=False, bound=start, why="统计年度尚未结束")
