"""T3_COL_TOTAL: the 总计 column of 三 equals the six applicant columns, per row."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.certainty import certain
from worker.rules.support.tables import applicant_sum, same


class RowTotalWrong(Rule):
    """## What it does
    Checks, for every row of the 三 table (including a report's own subtotal rows), that the 总计 column
    equals 自然人 + the five kinds of 法人或其他组织 (商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他).

    ## Why is this bad?
    The template's column 总计 (国办公开办函〔2021〕30号 table 三, 申请人情况) is the sum over applicant
    kinds; a row whose total differs has a miscounted cell, and every downstream figure (（七）总计,
    the 勾稽关系) is then doubtful. Blank cells count as 0; a blank 总计 with non-zero parts is
    T3_TOTAL_BLANK instead.

    ## Example
    （一）予以公开: 自然人 10, 商业企业 2, 总计 10.
    Use instead: 总计 12.
    """

    code = "T3_COL_TOTAL"
    title_zh = "申请情况表行合计与申请人各列之和不符"
    title_en = "Row total differs from the sum of the applicant columns"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        for row, cells in report.tables.applications.items():
            total = cells.get("total")
            if total is None or total.value is None or not certain(report, "applications", row):
                continue
            expected = applicant_sum(report, row)
            if same(expected, total.value):
                continue
            yield self.wrong_cell(
                report,
                ("applications", row, "total"),
                expected=expected,
                actual=total.value,
                basis="六类申请人之和",
            )
