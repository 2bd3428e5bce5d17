"""STRUCT_CELL_COUNT: a 三 row without 7 cells, the 四 row without 15."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import row_zh
from worker.parse.models import Location, Report
from worker.parse.vocab import REVIEW_ROWS
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.certainty import certain, certain_table
from worker.rules.support.tables import APPLICATION_COLS

ROWS_2021 = (
    "new", "carried_over", "granted", "partial",
    "withheld_secret", "withheld_law", "withheld_security", "withheld_third_party",
    "withheld_internal", "withheld_process", "withheld_enforcement", "withheld_inquiry",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_excessive",
    "rejected_confirmation", "other_no_correction", "other_unpaid_fee", "other_misc",
    "total", "carried_forward",
)  # fmt: skip
ROWS_2019 = (*ROWS_2021[:20], "other", "total", "carried_forward")
REVIEW_CELLS = 15
_ORDER = {row: i for i, row in enumerate((*ROWS_2021, "other"))}


class WrongCellCount(Rule):
    """## What it does
    Checks the shape of the tables: every data row of 三 has 7 cells (自然人, five kinds of 法人或其他组织,
    总计) and the one data row of 四 has 15 (3 groups x 5). For a report on a known template, a data row of
    三 that is missing altogether is reported as well (25 rows in 2021, 23 in 2019).

    ## Why is this bad?
    The template (国办公开办函〔2021〕30号) fixes these shapes. A row with an extra or a missing cell shifts
    the columns, so a value may be read under the wrong heading; every sum over that row is doubtful.

    ## Example
    四's data row with 16 numbers.
    Use instead: exactly 15, in the order 行政复议 (维持, 纠正, 其他, 尚未审结, 总计), 未经复议直接起诉 (…),
    复议后起诉 (…).
    """

    code = "STRUCT_CELL_COUNT"
    title_zh = "表格行的单元格数目不符合模板"
    title_en = "Table row has the wrong number of cells"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        yield from self._applications(report)
        yield from self._reviews(report)

    def _applications(self, report: Report) -> Iterator[Finding]:
        grid = report.tables.applications
        keys = {k.split(".", 1)[1] for k in report.rows if k.startswith("applications.")} | set(grid)
        for row in sorted(
            keys, key=lambda r: (ROWS_2021 + ROWS_2019).index(r) if r in ROWS_2021 + ROWS_2019 else 99
        ):
            info = report.rows.get(f"applications.{row}")
            if not certain(report, "applications", row):
                continue  # an ambiguous row: TABLE_UNREADABLE
            count = info.cell_count if info is not None else len(grid.get(row, {}))
            if count == len(APPLICATION_COLS):
                continue
            line = info.line if info is not None else None
            yield self.finding(
                f"三、申请情况表“{row_zh('applications', row)}”行有 {count} 个单元格，应为 7 个",
                location=Location(table="applications", row=row, line=line, page=info.page if info else None),
                expected=len(APPLICATION_COLS),
                actual=count,
            )
        part = report.template_parts.get("applications", report.template)
        expected_rows = {"2021": ROWS_2021, "2019": ROWS_2019}.get(part)
        if not grid or expected_rows is None or not certain(report, "applications"):
            return
        for row in expected_rows:
            if row not in keys:
                yield self.finding(
                    f"三、申请情况表缺少“{row_zh('applications', row)}”行",
                    location=Location(table="applications", row=row),
                    expected=len(APPLICATION_COLS),
                    actual=0,
                )

    def _reviews(self, report: Report) -> Iterator[Finding]:
        if not any(c.value is not None for cols in report.tables.reviews.values() for c in cols.values()):
            return  # no numbers at all: STRUCT_TABLE_MISSING says so
        if not certain_table(report, "reviews"):
            return  # TABLE_UNREADABLE
        info = report.rows.get("reviews")
        per_row = {k: v for k, v in report.rows.items() if k.startswith("reviews.")}
        if info is not None:
            count, line, page = info.cell_count, info.line, info.page
        elif per_row:
            count = sum(v.cell_count for v in per_row.values())
            first = min(per_row.values(), key=lambda v: v.line or 0)
            line, page = first.line, first.page
        elif report.tables.reviews:
            count = sum(len(report.tables.reviews.get(r, {})) for r in REVIEW_ROWS)
            line = page = None
        else:
            return  # no table at all: STRUCT_TABLE_MISSING
        if count == REVIEW_CELLS:
            return
        yield self.finding(
            f"四、行政复议行政诉讼情况表的数据行有 {count} 个数字，应为 15 个（3 组 × 5 项）",
            location=Location(table="reviews", line=line, page=page),
            expected=REVIEW_CELLS,
            actual=count,
        )
