"""FMT_2019_INCOMPLETE: a 2019-template report without 第二十条第（九）项 or 其他对外管理服务事项."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity


class Template2019Incomplete(Rule):
    """## What it does
    For a report on the 2019 template, checks that section 二 has the block 第二十条第（九）项 (政府集中采购)
    and, in 第二十条第（五）项, the row 其他对外管理服务事项. Error, except for report year 2019 (the first,
    trial year of that template), where it is a warning.

    ## Why is this bad?
    国办公开办函〔2019〕60号 prints these rows; leaving them out drops figures (procurement, other
    administrative services) the template asks for, and usually means an older or hand-made table was reused.

    ## Example
    A 2019-template 二 that ends with 第二十条第（八）项.
    Use instead: add 第二十条第（九）项 with 采购项目数量 and 采购总金额 (or, from 2021 on, use the 2021 template).
    """

    code = "FMT_2019_INCOMPLETE"
    title_zh = "2019年版格式表格不完整"
    title_en = "2019 template without 第二十条第（九）项 or 其他对外管理服务事项"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        part = report.template_parts.get("disclosure", report.template)
        if report.template != "2019" and part != "2019":
            return
        disclosure = report.tables.disclosure
        missing = []
        if "art20_9" not in disclosure:
            missing.append("第二十条第（九）项（政府集中采购）")
        if disclosure and "other_services" not in disclosure.get("art20_5", {}):
            missing.append("第二十条第（五）项中的“其他对外管理服务事项”")
        if not missing:
            return
        severity = Severity.WARNING if report.year == 2019 else Severity.ERROR
        section = report.section("disclosure")
        yield self.finding(
            f"按2019年版格式，二、主动公开政府信息情况应包括{'和'.join(missing)}，报告中没有",
            location=Location(
                table="disclosure", section="disclosure", line=section.line if section else None
            ),
            expected="、".join(missing),
            actual=None,
            severity=severity,
        )
