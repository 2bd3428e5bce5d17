"""FMT_OLD_USED: a report for 2021 or later on the 2019 (trial) template."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity

NEW_TEMPLATE_FROM = 2021
PART_ZH = {"disclosure": "二、主动公开", "applications": "三、申请情况"}


def _where(report: Report) -> Location:
    section = report.section("disclosure")
    return Location(table="disclosure", section="disclosure", line=section.line if section else None)


class OldTemplateUsed(Rule):
    """## What it does
    Checks that a report for 2021 or a later year uses the 2021 template, judging by the parser's template
    verdict (section 二's column labels and the shape of row （六） of 三). A report whose parts follow
    different templates (``mixed``) is reported too.

    ## Why is this bad?
    国办公开办函〔2021〕30号 (issued 2021-09-26) replaced the 2019 trial template (国办公开办函〔2019〕60号)
    for reports from 2021 on. The old template asks for different figures in 二 (新制作/新公开 instead of
    制发/废止/现行有效) and has a single （六）其他处理 row, so the report lacks what the current template asks.

    ## Example
    A 2024 report whose 二 has "本年新制作数量 / 本年新公开数量 / 对外公开总数量".
    Use instead: the 2021 columns "本年制发件数 / 本年废止件数 / 现行有效件数" and the three （六） rows.
    """

    code = "FMT_OLD_USED"
    title_zh = "使用了已废止的2019年版报告格式"
    title_en = "Report year 2021 or later on the 2019 template (or a mix)"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        if report.year is None or report.year < NEW_TEMPLATE_FROM or report.template not in ("2019", "mixed"):
            return
        if report.template == "2019":
            message = f"{report.year}年度报告应使用2021年版格式（国办公开办函〔2021〕30号），本报告使用的是2019年版格式"
        else:
            old = [PART_ZH.get(p, p) for p, t in report.template_parts.items() if t == "2019"]
            which = "、".join(old) if old else "部分表格"
            message = (
                f"{report.year}年度报告应统一使用2021年版格式，本报告{which}仍为2019年版格式（新旧格式混用）"
            )
        yield self.finding(message, location=_where(report), expected="2021", actual=report.template)
