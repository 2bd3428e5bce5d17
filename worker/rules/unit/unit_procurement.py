"""UNIT_PROCUREMENT: the 2019 template's procurement amount without a unit (or in 元 where 万元 stated)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.amounts import plausible_max_wan, printed_unit
from worker.rules.support.certainty import certain
from worker.rules.support.tables import fmt, loc

_HEADER_UNIT = re.compile(r"采购总?金额[^\n]{0,6}?[（(](?:单位[:：])?(?P<unit>万元|元)[)）]")


def _header_unit(report: Report) -> str | None:
    section = report.section("disclosure")
    lines = report.lines
    if section is not None and lines:
        end = section.end_line or len(lines)
        lines = lines[section.line - 1 : end]
    for line in lines:
        match = _HEADER_UNIT.search(line.replace(" ", ""))
        if match:
            return match.group("unit")
    return None


class ProcurementAmountWithoutUnit(Rule):
    """## What it does
    Checks 第二十条第（九）项·政府集中采购·采购总金额 of the 2019 template: the template prints no unit for
    it, so the report must give one (in the cell, "43.88万元", or in the column heading,
    "采购总金额（万元）"). Reported when no unit is given at all, and when an amount in 万元 is implausibly
    large for one body (over 1 亿元 for a township, over 10 亿元 otherwise: 元 typed as 万元).

    ## Why is this bad?
    国办公开办函〔2019〕60号 leaves the unit of 采购总金额 open; "438754" may be 元 or 万元, a factor of ten
    thousand, so the figure cannot be read or compared with other bodies.

    ## Example
    政府集中采购  17  438754
    Use instead: 17  43.8754万元 (or a heading "采购总金额（万元）").
    """

    code = "UNIT_PROCUREMENT"
    title_zh = "采购金额未注明单位或单位疑似错误"
    title_en = "Procurement amount without a unit, or implausibly large"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        cell = report.cell("disclosure.art20_9", "procurement", "amount")
        if cell is None or cell.value is None or not certain(report, "disclosure.art20_9", "procurement"):
            return
        unit = printed_unit(cell) or _header_unit(report)
        where = loc(report, "disclosure.art20_9", "procurement", "amount")
        limit = plausible_max_wan(report)
        if unit == "万元" and cell.value > limit:
            yield self.finding(
                f"第二十条第（九）项·政府集中采购·采购总金额为 {fmt(cell.value)} 万元，数额异常偏大，可能误以元为单位填写",
                location=where,
                expected=f"<= {limit}",
                actual=cell.value,
            )
            return
        if unit:
            return
        yield self.finding(
            f"第二十条第（九）项·政府集中采购·采购总金额填写为 {fmt(cell.value)}，未注明单位（元或万元）",
            location=where,
            expected="注明单位（元/万元）",
            actual=cell.raw.strip() or fmt(cell.value),
        )
