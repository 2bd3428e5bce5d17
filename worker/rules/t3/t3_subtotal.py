"""T3_SUBTOTAL: a report's own subtotal rows for （三）..（六） equal their sub-rows."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.certainty import certain
from worker.rules.support.tables import APPLICATION_COLS, OUTCOME_GROUPS, effective_total, same


class SubtotalWrong(Rule):
    """## What it does
    Where a report prints its own numbers on the group rows （三）不予公开, （四）无法提供, （五）不予处理 or
    （六）其他处理 (parsed as ``subtotal_*`` rows), checks per column that each equals the sum of its
    numbered sub-rows. The subtotals are never added into （七）总计 (T3_RESULT_SUM counts the sub-rows
    only), so a correct report is not double counted.

    ## Why is this bad?
    The national template (国办公开办函〔2021〕30号) has no numbers on these group rows; reports that add
    them must keep them consistent, otherwise readers cannot tell which figure is right.

    ## Example
    （三）不予公开 row: 自然人 4, sub-rows 1 + 1 + 1 = 3.
    Use instead: 3 on the group row (or leave the group row without numbers, as the template does).
    """

    code = "T3_SUBTOTAL"
    title_zh = "不予公开等小计与其下各项之和不符"
    title_en = "Report's own subtotal row differs from its sub-rows"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        grid = report.tables.applications
        for _, subtotal, subrows in OUTCOME_GROUPS:
            if subtotal is None or subtotal not in grid:
                continue
            present = [r for r in subrows if r in grid]
            if not present or not certain(report, "applications", subtotal, *present):
                continue
            for col in APPLICATION_COLS:
                cell = grid[subtotal].get(col)
                if cell is None or cell.value is None:
                    continue
                expected = sum(effective_total(report, r, col) for r in present)
                if same(expected, cell.value):
                    continue
                yield self.wrong_cell(
                    report,
                    ("applications", subtotal, col),
                    expected=expected,
                    actual=cell.value,
                    basis="其下各项之和",
                )
