"""SEC5_EMPTY: 五 empty, "无", or lacking either the problems or the improvements."""

from __future__ import annotations

import re
from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.textscan import squash

_PROBLEMS = re.compile(r"问题|不足|短板|差距|薄弱|有待|不够|不强|不高|欠缺|滞后")
_IMPROVEMENTS = re.compile(
    r"改进|措施|下一步|整改|计划|将(?:继续|进一步|加强|加大|着力|不断|持续|从|在|认真|切实)|加强|提升|完善"
)
_NOTHING = re.compile(r"^[无暂无。.、：:]*$")


class ProblemsSectionEmpty(Rule):
    """## What it does
    Checks that 五、存在的主要问题及改进情况 states both problems and improvements: it is reported when the
    section is empty or just "无", or when it names no problem (问题, 不足, 有待…) or no improvement
    (改进, 措施, 下一步, 加强…).

    ## Why is this bad?
    条例 art. 50 item 五 requires "存在的主要问题及改进情况". A report without problems, or with problems but
    no plan, does not give the public what the law asks; "无" is not an answer the template allows.

    ## Example
    五、存在的主要问题及改进情况 — "无。"
    Use instead: name the main problems and what will be done about each.
    """

    code = "SEC5_EMPTY"
    title_zh = "存在的主要问题及改进情况内容缺失"
    title_en = 'Section 五 empty, "无", or without problems or improvements'
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        section = report.section("problems")
        if section is None:
            return  # STRUCT_SECTION_MISSING
        text = squash(section.text)
        where = Location(section="problems", line=section.line)
        if _NOTHING.match(text):
            shown = f"“{text}”" if text else "空白"
            yield self.finding(
                f"五、存在的主要问题及改进情况为{shown}，应写明存在的主要问题和改进措施",
                location=where,
                expected="问题及改进情况",
                actual=text or None,
            )
            return
        missing = []
        if not _PROBLEMS.search(text):
            missing.append("存在的主要问题")
        if not _IMPROVEMENTS.search(text):
            missing.append("改进情况")
        if missing:
            yield self.finding(
                f"五、存在的主要问题及改进情况未写明{'和'.join(missing)}",
                location=where,
                expected="问题及改进情况",
                actual="缺少" + "、".join(missing),
            )
