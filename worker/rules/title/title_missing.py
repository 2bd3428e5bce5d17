"""TITLE_MISSING: no "YYYY年…政府信息公开工作年度报告" title."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity


class TitleMissing(Rule):
    """## What it does
    Checks that the parser found a title naming the year and the kind of document, such as
    "将乐县南口镇人民政府2023年政府信息公开工作年度报告".

    ## Why is this bad?
    条例 art. 49/50 speak of the "政府信息公开工作年度报告"; without a title naming body and year a reader
    (and nianbao) has to guess both from the text, and the report is hard to find on the 政府信息公开专栏.

    ## Example
    A document that opens directly with "根据《中华人民共和国政府信息公开条例》…".
    Use instead: a first line "南口镇2023年政府信息公开工作年度报告".
    """

    code = "TITLE_MISSING"
    title_zh = "缺少报告标题"
    title_en = 'No "YYYY年…政府信息公开工作年度报告" title'
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        if report.title:
            return
        yield self.finding(
            "报告没有“××××年××政府信息公开工作年度报告”形式的标题",
            location=Location(line=1),
            expected="YYYY年…政府信息公开工作年度报告",
            actual=None,
        )
