"""NUM_TYPE: counts are integers >= 0, amounts decimals >= 0, only 2019 ``change`` may be signed."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import cell_zh
from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.certainty import certain
from worker.rules.support.tables import fmt, is_non_numeric, iter_cells, loc

AMOUNT_COLS = frozenset({"amount_wan", "amount"})
SIGNED_COLS = frozenset({"change"})


class ValueNotACount(Rule):
    """## What it does
    Checks the type of every table value: counts (all of 三 and 四, and the counts of 二) must be whole
    numbers of at least 0; amounts (本年收费金额, 采购总金额) must be numbers of at least 0; only the 2019
    template's 本年增/减 may carry a sign. A cell whose text is not a number nor a blank placeholder is
    reported too.

    ## Why is this bad?
    条例 art. 50 asks for the statistics of the year; a fraction of an application ("2.5件"), a negative
    count or text such as "若干" cannot be added up, so every sum check on the table becomes meaningless.

    ## Example
    （一）予以公开·自然人 "2.5", or "-1", or "若干".
    Use instead: a whole number such as 2 (or 0).
    """

    code = "NUM_TYPE"
    title_zh = "数值类型不正确"
    title_en = "Value is not a non-negative count or amount"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        for table, row, col, cell in iter_cells(report):
            if type(cell.value) is int and cell.value >= 0:
                continue  # a count: nothing to check (most cells; before the certainty lookup)
            if not certain(report, table, row):
                continue
            if is_non_numeric(cell):
                where = loc(report, table, row, col)
                yield self.finding(
                    f"{cell_zh(table, row, col)} 填写为“{cell.raw.strip()}”，不是数字",
                    location=where,
                    expected="数字",
                    actual=cell.raw.strip(),
                )
                continue
            value = cell.value
            if value is None:
                continue
            problem = None
            if value < 0 and col not in SIGNED_COLS:
                problem = "不能为负数"
            elif col not in AMOUNT_COLS and not float(value).is_integer():
                problem = "应为整数"
            if problem:
                where = loc(report, table, row, col)
                yield self.finding(
                    f"{cell_zh(table, row, col)} 填写为 {fmt(value)}，{problem}",
                    location=where,
                    expected=">= 0 的整数" if col not in AMOUNT_COLS else ">= 0 的数值",
                    actual=value,
                )
