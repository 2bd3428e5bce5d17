"""STRUCT_TABLE_MISSING: the 二, 三 or 四 table is missing or has no numbers."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import TABLE_ZH
from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity


def _has_numbers(report: Report, table: str) -> bool:
    if table == "disclosure":
        return any(
            cell.value is not None
            for rows in report.tables.disclosure.values()
            for cols in rows.values()
            for cell in cols.values()
        )
    grid = getattr(report.tables, table)
    return any(cell.value is not None for cols in grid.values() for cell in cols.values())


class TableMissing(Rule):
    """## What it does
    Checks that each of the three statistics tables (二 主动公开, 三 申请情况, 四 行政复议行政诉讼) is present
    and holds at least one number (0 counts as a number; blanks and placeholders do not). A table that is
    printed but could not be read (text run together with no separators: ``Report.table_reads`` not
    certain) is not missing: TABLE_UNREADABLE reports it.

    ## Why is this bad?
    条例 art. 50 items 二..四 are statistics; the template (国办公开办函〔2021〕30号) gives them as tables.
    Without the table the report states none of the figures the law asks for, and no arithmetic check
    can run.

    ## Example
    Section 三 says "本年度未收到政府信息公开申请" and has no table.
    Use instead: print the table with 0 in every cell.
    """

    code = "STRUCT_TABLE_MISSING"
    title_zh = "缺少统计表或表中无数据"
    title_en = "Statistics table missing or without numbers"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        for table, name in TABLE_ZH.items():
            if _has_numbers(report, table) or not report.is_certain(table):
                continue  # present; or printed but not readable (run together): TABLE_UNREADABLE
            section = report.section(table)
            yield self.finding(
                f"未找到“{name}”或表中没有任何数字",
                location=Location(table=table, section=table, line=section.line if section else None),
                expected="完整的统计表",
                actual=None,
            )
