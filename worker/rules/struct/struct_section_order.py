"""STRUCT_SECTION_ORDER: the six sections appear out of order."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import SECTION_ZH
from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.headings import Heading, stray_headings


class SectionsOutOfOrder(Rule):
    """## What it does
    Checks that the sections appear in the order 一..六. Each section that comes after a section with a
    higher number is reported once. Numbered headings the parser set aside for being out of order count too.

    ## Why is this bad?
    The template (国办公开办函〔2021〕30号) fixes the order of the six parts of 条例 art. 50 so that
    reports of all bodies can be read and compared the same way.

    ## Example
    "五、存在的主要问题及改进情况" printed before "四、政府信息公开行政复议、行政诉讼情况".
    Use instead: 一、二、三、四、五、六 in this order.
    """

    code = "STRUCT_SECTION_ORDER"
    title_zh = "报告各部分顺序不符合模板"
    title_en = "Sections out of order"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        highest = None
        found = [Heading(s.no, s.key, s.line) for s in report.sections]
        strays = stray_headings(report) if len(found) < len(SECTION_ZH) else []
        for section in sorted([*found, *strays], key=lambda h: h.line):
            if highest is not None and section.no < highest.no:
                yield self.finding(
                    f"“{SECTION_ZH[section.key]}”（第 {section.line} 行）应在"
                    f"“{SECTION_ZH[highest.key]}”（第 {highest.line} 行）之前",
                    location=Location(section=section.key, line=section.line),
                    expected=f"第{section.no}部分在第{highest.no}部分之前",
                    actual=f"第{section.no}部分在第{highest.no}部分之后",
                )
            elif highest is None or section.no > highest.no:
                highest = section
