"""FMT_NEW_TOO_EARLY: a report for 2020 or earlier on the 2021 template."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity


def _where(report: Report) -> Location:
    section = report.section("disclosure")
    return Location(table="disclosure", section="disclosure", line=section.line if section else None)


class NewTemplateTooEarly(Rule):
    """## What it does
    Checks that a report for 2020 or an earlier year is not on the 2021 template.

    ## Why is this bad?
    国办公开办函〔2021〕30号 applies from report year 2021; reports for 2019 and 2020 follow the 2019 template
    (国办公开办函〔2019〕60号). A 2020 report on the new template either has the wrong year or states figures
    (e.g. 现行有效件数) that were not collected that year. It is a warning: the figures may still be right.

    ## Example
    A report titled "2020年…年度报告" whose 二 has 本年制发件数 / 本年废止件数 / 现行有效件数.
    Use instead: the 2019 template's columns, or correct the year.
    """

    code = "FMT_NEW_TOO_EARLY"
    title_zh = "2020年及以前年度使用了2021年版格式"
    title_en = "Report year 2020 or earlier on the 2021 template"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        if report.year is None or report.year > 2020 or report.template != "2021":
            return
        yield self.finding(
            f"{report.year}年度报告应使用2019年版格式（国办公开办函〔2019〕60号），本报告使用的是2021年版格式",
            location=_where(report),
            expected="2019",
            actual="2021",
        )
