"""PUB_AFTER_MAR31: published after 31 March of the following year."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.deadline import published_late


class PublishedAfterMar31(Rule):
    """## What it does
    Checks that the report is dated on or before 31 March of the year after the report year, the latest
    deadline of any body. Without a date the check is ``not_assessable`` (a warning).

    ## Why is this bad?
    条例 art. 49: 县级以上地方人民政府 compile and publish their annual report by 31 March; their departments
    (by 31 January) and townships (locally, usually February) are due earlier. A report dated after
    31 March is late for every kind of body.

    ## Example
    A report for 2023 dated "2024年4月8日".
    Use instead: publish by 2024年3月31日.
    """

    code = "PUB_AFTER_MAR31"
    title_zh = "晚于3月31日发布"
    title_en = "Published after 31 March of the following year"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        yield from published_late(self, report, month=3, day=31, why="条例第四十九条规定的最晚期限")
