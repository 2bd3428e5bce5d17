"""T3_RESULT_SUM: （七）总计 equals the sum of the outcome rows, per column."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.certainty import certain_table
from worker.rules.support.tables import APPLICATION_COLS, outcome_rows, outcome_sum, same


class ResultTotalWrong(Rule):
    """## What it does
    Checks, for each column of the 三 table, that （七）总计 equals the sum of all outcome rows:
    （一）予以公开, （二）部分公开, the sub-rows of （三）不予公开, （四）无法提供, （五）不予处理 and
    （六）其他处理 (one row in the 2019 template, three in the 2021 template).

    ## Why is this bad?
    （七）总计 is by definition the number of applications handled this year (国办公开办函〔2021〕30号
    table 三); if it differs from its outcome rows, either an outcome or the total is miscounted, and the
    template's 勾稽关系 (T3_BALANCE) no longer means anything. A report's own subtotal rows for
    （三）..（六） are not added a second time. A blank total is T3_TOTAL_BLANK, not this rule.

    ## Example
    自然人: 予以公开 10, 部分公开 3, 不予公开·4.保护第三方合法权益 1, 总计 13.
    Use instead: 总计 14.
    """

    code = "T3_RESULT_SUM"
    title_zh = "办理结果总计与各项之和不符"
    title_en = "Outcome total differs from the sum of the outcome rows"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        grid = report.tables.applications
        rows = outcome_rows(report)
        if "total" not in grid or not rows or not certain_table(report, "applications"):
            return
        for col in APPLICATION_COLS:
            cell = grid["total"].get(col)
            if cell is None or cell.value is None:
                continue  # absent: STRUCT_CELL_COUNT; blank: BLANK_CELL / T3_TOTAL_BLANK
            expected = outcome_sum(report, col, rows)
            if same(expected, cell.value):
                continue
            yield self.wrong_cell(
                report,
                ("applications", "total", col),
                expected=expected,
                actual=cell.value,
                basis="各项办理结果之和",
            )
