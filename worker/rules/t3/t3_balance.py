"""T3_BALANCE: the 三 table's printed 勾稽关系, per column."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import col_zh
from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.certainty import certain
from worker.rules.support.tables import APPLICATION_COLS, effective_total, fmt, loc, outcome_rows, same


class ApplicationsUnbalanced(Rule):
    """## What it does
    Checks, for each of the seven columns of the 三 table, that
    一（本年新收）+ 二（上年结转）= （七）总计 + 四（结转下年度继续办理）.

    ## Why is this bad?
    The 2021 and 2019 templates (国办公开办函〔2021〕30号, 〔2019〕60号) print this rule in the table
    header: "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和". Every application received
    or carried over must end up either handled this year or carried into next year; a column that does not
    balance means a count is wrong. Blank cells count as 0; a blank （七）总计 is replaced by the sum of
    its outcome rows (that blank is reported by T3_TOTAL_BLANK / BLANK_CELL, not here).

    ## Example
    自然人: new 20, carried_over 2, （七）总计 21, carried_forward 0 → 22 ≠ 21.
    Use instead: carried_forward 1 (or a （七）总计 of 22 with its outcome rows to match).
    """

    code = "T3_BALANCE"
    title_zh = "申请情况表勾稽关系不平"
    title_en = "Applications table does not balance (new + carried over = handled + carried forward)"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        grid = report.tables.applications
        if not all(r in grid for r in ("new", "total")) or not certain(
            report, "applications", "new", "carried_over", "total", "carried_forward"
        ):
            return
        outcomes_certain = certain(report, "applications", *outcome_rows(report))
        for col in APPLICATION_COLS:
            if not any(col in grid.get(r, {}) for r in ("new", "carried_over", "total", "carried_forward")):
                continue
            total = grid["total"].get(col)
            if (total is None or total.value is None) and not outcomes_certain:
                continue  # a blank （七）总计 counts as the outcome rows' sum: only when they were read with certainty
            inflow = effective_total(report, "new", col) + effective_total(report, "carried_over", col)
            outflow = effective_total(report, "total", col) + effective_total(report, "carried_forward", col)
            if same(inflow, outflow):
                continue
            where = loc(
                report, "applications", "carried_forward" if "carried_forward" in grid else "total", col
            )
            where.row = None
            yield self.finding(
                f"{col_zh('applications', col)}列：一（本年新收）加二（上年结转）为 {fmt(inflow)}，"
                f"（七）总计加四（结转下年度继续办理）为 {fmt(outflow)}，二者应相等",
                location=where,
                expected=inflow,
                actual=outflow,
            )
