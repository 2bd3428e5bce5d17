"""STRUCT_SECTION_MISSING: one of the six sections of 条例 art. 50 is absent."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import SECTION_ZH
from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.headings import inline_headings, stray_headings


class SectionMissing(Rule):
    """## What it does
    Checks that the report has all six sections: 一、总体情况, 二、主动公开政府信息情况, 三、收到和处理政府
    信息公开申请情况, 四、政府信息公开行政复议、行政诉讼情况, 五、存在的主要问题及改进情况,
    六、其他需要报告的事项. One finding per missing section. A section whose heading is printed but out of
    order is not missing (STRUCT_SECTION_ORDER reports it), nor is one whose heading, numeral and wording
    exactly the template's, is run inline with the text (a web page saved on one line).

    ## Why is this bad?
    条例 art. 50 fixes the content of the annual report (items 一..六) and the template
    (国办公开办函〔2021〕30号) gives each its heading. A missing section is missing content the law requires,
    even where there is nothing to report (then the section says so, e.g. "无").

    ## Example
    A report that ends after 五、存在的主要问题及改进情况.
    Use instead: add "六、其他需要报告的事项", e.g. with the 信息处理费 statement.
    """

    code = "STRUCT_SECTION_MISSING"
    title_zh = "缺少报告必备部分"
    title_en = "One of the six required sections is missing"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        if len(report.sections) >= len(SECTION_ZH):
            return
        misplaced = {h.key for h in stray_headings(report)}  # present, out of order: STRUCT_SECTION_ORDER
        misplaced |= inline_headings(report)  # present, run inline with the text: not missing
        for key, heading in SECTION_ZH.items():
            if report.section(key) is None and key not in misplaced:
                yield self.finding(
                    f"报告缺少“{heading}”部分",
                    location=Location(section=key),
                    expected=heading,
                    actual=None,
                )
