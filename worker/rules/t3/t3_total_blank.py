"""T3_TOTAL_BLANK: a blank total cell of 三 whose parts are not all zero."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import cell_zh
from worker.parse.models import Number, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.certainty import certain_table
from worker.rules.support.tables import APPLICATION_COLS, effective_total, fmt, loc


def blank_total_parts(report: Report, row: str, col: str) -> Number | None:
    """For a blank total cell of 三, the sum of its parts; None when the cell is not a blank total.

    A total cell is the 总计 column of any row, or any column of the （七）总计 row.
    """
    cell = report.cell("applications", row, col)
    if cell is None or cell.value is not None or (col != "total" and row != "total"):
        return None
    return effective_total(report, row, col)  # what the sums count a blank total as


class TotalLeftBlank(Rule):
    """## What it does
    Finds a blank 总计 cell of the 三 table (the 总计 column of a row, or the （七）总计 row) whose parts
    add up to more than 0. The sum checks skip such a cell instead of reporting a wrong sum.

    ## Why is this bad?
    A blank total is not a wrong count, but the reader has to add up the row to learn it; the template
    (国办公开办函〔2021〕30号) expects every cell filled, with 0 where nothing happened. A blank total whose
    parts are all 0 is an ordinary BLANK_CELL.

    ## Example
    （一）予以公开: 自然人 10, 商业企业 2, 总计 blank.
    Use instead: 总计 12.
    """

    code = "T3_TOTAL_BLANK"
    title_zh = "合计栏未填写"
    title_en = "Total cell left blank while its parts are not zero"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        if not certain_table(report, "applications"):
            return
        for row, cells in report.tables.applications.items():
            for col in APPLICATION_COLS:
                cell = cells.get(col)
                if cell is None or cell.value is not None:
                    continue
                parts = blank_total_parts(report, row, col)
                if not parts:
                    continue
                where = loc(report, "applications", row, col)
                yield self.finding(
                    f"{cell_zh('applications', row, col)} 未填写，按各项之和应为 {fmt(parts)}",
                    location=where,
                    expected=parts,
                    actual=None,
                )
