"""XY_CARRYOVER: 上年结转 of year Y differs from 结转下年度 of year Y-1 of the same body."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Severity
from worker.rules.support.certainty import certain
from worker.rules.support.history import CrossYearRule
from worker.rules.support.tables import APPLICATION_COLS, num, same


class CarryOverBroken(CrossYearRule):
    """## What it does
    Compares, per column of the 三 table, 二、上年结转政府信息公开申请数量 of this report with
    四、结转下年度继续办理 of the same body's report for the year before (matched on the full administrative
    path, never on the short name). The finding belongs to the later report and names the report compared
    with (``compared_with``). Without the previous year's report the rule emits nothing.

    ## Why is this bad?
    The template's rows 二 and 四 (国办公开办函〔2021〕30号) are the two ends of the same applications: what
    one year carries forward is what the next carries over. A break means one of the two years miscounted
    pending applications, or some went missing between the years.

    ## Example
    2022 report: 结转下年度继续办理·自然人 3; 2023 report: 上年结转·自然人 1.
    Use instead: 上年结转·自然人 3 in 2023 (or correct the 2022 figure).
    """

    code = "XY_CARRYOVER"
    title_zh = "上年结转数与上年度报告的结转下年度数不一致"
    title_en = "Carried over differs from the previous year's carried forward"
    severity = Severity.ERROR

    def compare(self, report: Report, prev: Report) -> Iterator[Finding]:
        forward = prev.tables.applications.get("carried_forward")
        over = report.tables.applications.get("carried_over")
        if (
            not forward
            or not over
            or not certain(report, "applications", "carried_over")
            or not certain(prev, "applications", "carried_forward")
        ):
            return
        for col in APPLICATION_COLS:
            if col not in forward or col not in over:
                continue
            expected, actual = num(forward[col]), num(over[col])
            if same(expected, actual):
                continue
            yield self.wrong_cell(
                report,
                ("applications", "carried_over", col),
                expected=expected,
                actual=actual,
                basis=f"{prev.year or '上一'}年度报告“结转下年度继续办理”数",
            )
