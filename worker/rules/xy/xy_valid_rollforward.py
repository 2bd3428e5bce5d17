"""XY_VALID_ROLLFORWARD: 现行有效件数 does not follow from last year's and this year's 制发/废止."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import cell_zh
from worker.parse.models import Report
from worker.rules.base import Finding, Severity
from worker.rules.support.certainty import certain
from worker.rules.support.history import CrossYearRule
from worker.rules.support.tables import fmt, loc, same


class InForceCountDoesNotRollForward(CrossYearRule):
    """## What it does
    For two consecutive reports of the same body on the 2021 template, checks per row of
    第二十条第（一）项 (规章, 行政规范性文件) that
    现行有效件数(Y) = 现行有效件数(Y-1) + 本年制发件数(Y) − 本年废止件数(Y). Blank cells are not compared.

    ## Why is this bad?
    The 2021 template (国办公开办函〔2021〕30号) introduced the three columns so that the stock of documents in
    force can be followed year by year. A stock that does not roll forward means documents were issued or
    repealed without being counted (or 现行有效 was copied from the previous report). It is a warning:
    documents can also expire (失效) without being repealed.

    ## Example
    2022: 行政规范性文件 现行有效 9; 2023: 制发 2, 废止 1, 现行有效 12 (expected 10).
    Use instead: 现行有效 10, or explain the difference.
    """

    code = "XY_VALID_ROLLFORWARD"
    title_zh = "现行有效件数与上年度数及本年制发、废止数不衔接"
    title_en = "Documents in force do not roll forward from the previous year"
    severity = Severity.WARNING

    def compare(self, report: Report, prev: Report) -> Iterator[Finding]:
        for r in (report, prev):
            if r.template_parts.get("disclosure", r.template) != "2021":
                return
        for row in ("rules", "normative_docs"):
            if not (certain(report, "disclosure.art20_1", row) and certain(prev, "disclosure.art20_1", row)):
                continue
            cells = [
                report.cell("disclosure.art20_1", row, "issued"),
                report.cell("disclosure.art20_1", row, "repealed"),
                report.cell("disclosure.art20_1", row, "in_force"),
                prev.cell("disclosure.art20_1", row, "in_force"),
            ]
            values = [c.value for c in cells if c is not None and c.value is not None]
            if len(values) != len(cells):
                continue  # blank or absent: nothing to compare
            issued, repealed, in_force, prev_in_force = values
            expected = prev_in_force + issued - repealed
            if same(expected, in_force):
                continue
            where = loc(report, "disclosure.art20_1", row, "in_force")
            yield self.finding(
                f"{cell_zh('disclosure.art20_1', row, 'in_force')} 按上年度 {fmt(prev_in_force)} 件"
                f"加本年制发 {fmt(issued)} 件减本年废止 {fmt(repealed)} 件应为 {fmt(expected)}，"
                f"报告填写 {fmt(in_force)}",
                location=where,
                expected=expected,
                actual=in_force,
            )
