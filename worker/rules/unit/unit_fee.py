"""UNIT_FEE: the fee amount of 第二十条第（八）项 given in 元 where 万元 is due, or implausibly large."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.amounts import plausible_max_wan, printed_unit
from worker.rules.support.certainty import certain
from worker.rules.support.tables import fmt, loc


class FeeAmountUnitWrong(Rule):
    """## What it does
    Checks 第二十条第（八）项·行政事业性收费·本年收费金额 of the 2021 template, whose unit is 万元: it is
    reported when the cell is printed with "元" (not "万元") or when the amount is implausibly large for one
    body (over 1 亿元 for a township, over 10 亿元 otherwise), which usually means 元 typed into the 万元 column.

    ## Why is this bad?
    国办公开办函〔2021〕30号 prints the column as "本年收费金额（单位：万元）"; an amount in 元 overstates the
    fees ten thousand times.

    ## Example
    行政事业性收费 "15000元" (or 15000 for a township).
    Use instead: 1.5 (万元).
    """

    code = "UNIT_FEE"
    title_zh = "收费金额单位疑似错误"
    title_en = "Fee amount in 元 where 万元 is due, or implausibly large"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        cell = report.cell("disclosure.art20_8", "fees", "amount_wan")
        if cell is None or cell.value is None or not certain(report, "disclosure.art20_8", "fees"):
            return
        in_yuan = printed_unit(cell) == "元"
        limit = plausible_max_wan(report)
        where = loc(report, "disclosure.art20_8", "fees", "amount_wan")
        expected: float | str
        if in_yuan:
            message = (
                f"行政事业性收费的本年收费金额应以万元为单位，报告填写“{cell.raw.strip()}”（以元为单位）"
            )
            expected = round(cell.value / 10_000, 4)
        elif cell.value > limit:
            message = (
                f"行政事业性收费的本年收费金额为 {fmt(cell.value)} 万元，数额异常偏大，可能误以元为单位填写"
            )
            expected = f"<= {limit}"
        else:
            return
        yield self.finding(message, location=where, expected=expected, actual=cell.value)
