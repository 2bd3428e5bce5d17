"""BLANK_CELL: a table cell left blank or filled with a placeholder (空, /, -, —, 无)."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import cell_zh
from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.certainty import certain
from worker.rules.support.tables import REVIEW_PARTS, fmt, is_non_numeric, iter_cells, loc, num
from worker.rules.t3.t3_total_blank import blank_total_parts


class CellLeftBlank(Rule):
    """## What it does
    Finds table cells that are blank or hold a placeholder (空, "/", "-", "—", "无"). The arithmetic
    checks count such a cell as 0. A blank 总计 of the 三 table whose parts add up above 0 is reported as
    T3_TOTAL_BLANK instead; text that is not a number is NUM_TYPE.

    ## Why is this bad?
    The template (国办公开办函〔2021〕30号) expects a number in every cell, 0 where nothing happened. A blank
    leaves the reader guessing whether the value is 0, unknown or forgotten.

    ## Example
    第二十条第（八）项·行政事业性收费·本年收费金额（万元）: blank.
    Use instead: 0 (or the amount).
    """

    code = "BLANK_CELL"
    title_zh = "表格单元格未填写"
    title_en = "Table cell left blank or filled with a placeholder"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        for table, row, col, cell in iter_cells(report):
            if cell.value is not None or is_non_numeric(cell) or not certain(report, table, row):
                continue
            if table == "applications" and blank_total_parts(report, row, col):
                continue  # T3_TOTAL_BLANK
            hint = "，按 0 计算"
            if table == "reviews" and col == "total":
                parts = sum(num(report.tables.reviews[row].get(c)) for c in REVIEW_PARTS)
                if parts:
                    hint = f"，按各项之和应为 {fmt(parts)}"
            shown = f"“{cell.raw.strip()}”" if cell.raw.strip() else "空白"
            where = loc(report, table, row, col)
            yield self.finding(
                f"{cell_zh(table, row, col)} 为{shown}{hint}",
                location=where,
                expected="数字",
                actual=cell.raw.strip() or None,
            )
