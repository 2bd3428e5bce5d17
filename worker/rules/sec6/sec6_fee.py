"""SEC6_FEE: 六 says nothing about 信息处理费."""

from __future__ import annotations

import re
from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.textscan import squash

_FEE = re.compile(r"信息处理费|处理费|收费|收取.{0,6}费|费用")


class FeeStatementMissing(Rule):
    """## What it does
    Checks that 六、其他需要报告的事项 says whether 信息处理费 was charged (e.g. "本年度未收取信息处理费",
    or the number of charges and the amount).

    ## Why is this bad?
    国办公开办函〔2021〕30号 asks section 六 to report the charging of 信息处理费 under 《政府信息公开信息
    处理费管理办法》(国办函〔2020〕109号); "无" leaves the reader unable to tell whether fees were charged.

    ## Example
    六、其他需要报告的事项 — "无。"
    Use instead: "本年度未收取信息处理费。"
    """

    code = "SEC6_FEE"
    title_zh = "未说明信息处理费收取情况"
    title_en = "Section 六 says nothing about 信息处理费"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        section = report.section("other")
        if section is None or _FEE.search(squash(section.text)):
            return
        yield self.finding(
            "六、其他需要报告的事项未说明信息处理费的收取情况（如“本年度未收取信息处理费”）",
            location=Location(section="other", line=section.line),
            expected="信息处理费收取情况",
            actual=squash(section.text)[:40] or None,
        )
