"""YEAR_FORWARD_PLAN: 五's plans for the coming year name the report year."""

from __future__ import annotations

import re
from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.textscan import find_line, sentences

# a plan, not a look back: "将" followed by a verb of intent, or an explicit planning word
_PLAN = re.compile(
    r"将(?:继续|进一步|从|着力|在|重点|持续|不断|认真|切实|围绕|加大|加强|全面|深入|紧紧|按照|严格|积极|坚持)"
    r"|(?:计划|拟|打算)(?:于|在|将|开展|进一步|继续|加强|完善)|下一步|下一年|力争|今后"
)


class PlanNamesReportYear(Rule):
    """## What it does
    In section 五 (存在的主要问题及改进情况), finds sentences that announce plans ("我镇将从以下几方面着手",
    "下一步", "计划") and name the report year itself, e.g. "在2024年度的工作中我镇将…" in the report for 2024.
    Sentences that also name the following year are left alone.

    ## Why is this bad?
    条例 art. 50 item 五 asks for the improvements planned; they concern the coming year. A plan dated in the
    report year is usually last year's text reused with only the year changed, so the plans were not updated.

    ## Example
    Report for 2024: "在 2024 年度的工作中我镇将从以下几方面着手".
    Use instead: "在 2025 年度的工作中我镇将从以下几方面着手".
    """

    code = "YEAR_FORWARD_PLAN"
    title_zh = "改进计划写的是本报告年度"
    title_en = "Plans in section 五 name the report year instead of the next"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        section = report.section("problems")
        if section is None or report.year is None:
            return
        this_year = re.compile(rf"(?<!\d){report.year}年")
        next_year = re.compile(rf"(?<!\d){report.year + 1}年")
        for sentence in sentences(section.text):
            if this_year.search(sentence) and _PLAN.search(sentence) and not next_year.search(sentence):
                line = find_line(report, sentence, start=section.line)
                yield self.finding(
                    f"五、改进情况中的工作计划写的是“{report.year}年”（本报告年度），应为下一年度：“{sentence[:60]}”",
                    location=Location(section="problems", line=line),
                    expected=report.year + 1,
                    actual=report.year,
                )
                return  # one finding is enough: the fix is to update the plans as a whole
