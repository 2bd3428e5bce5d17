"""TABLE_UNREADABLE: a table the parser could not read with certainty; one finding per table."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.labels import table_name_zh
from worker.parse.models import CERTAIN, Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity

ASK_ZH = "请提供 .docx/.pdf 原件或人工核对"


class TableNotReadWithCertainty(Rule):
    """## What it does
    Reports each table (二's blocks, 三, 四) that the parser could not read with certainty
    (``Report.table_reads``: ``ambiguous`` or ``unreadable``), once per table, with the reason: typically text
    saved from a web page or PDF where the separators between cells were lost ("3000003"), so that more
    than one split of the digits fits the template, or a row whose label matched nothing while a template
    row is missing. The rules that compare numbers (T3_*, T4_*, BLANK_CELL, NUM_TYPE, STRUCT_CELL_COUNT,
    TXT_TABLE_MISMATCH, UNIT_*, XY_*) skip what was not read with certainty, so this is the only finding
    such a table gets. It is a warning whose status makes the report "needs review", not "failed"
    (``worker/rules/status.py``).

    ## Why is this bad?
    The figures of 条例 art. 50 cannot be checked from a guess. A check run on a table read wrongly "finds"
    errors the report does not have, and an alert that is wrong once teaches people to ignore alerts. The
    original file (.docx/.pdf, with real table cells) or a look by a person settles it.

    ## Example
    三 printed as "（一）予以公开 1210000022" with the separators lost: several splits into seven cells whose
    总计 is the sum of the six applicant columns fit.
    Use instead: the .docx/.pdf original, or the table with its cells separated.
    """

    code = "TABLE_UNREADABLE"
    title_zh = "表格无法可靠读取"
    title_en = "Table could not be read with certainty"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        for key, read in report.table_reads.items():
            if read.is_certain:
                continue
            why = read.reason_zh or "表格内容无法可靠识别"
            rows = [v for k, v in report.rows.items() if k.startswith(f"{key}.")]
            info = next((v for v in rows if v.certainty not in CERTAIN), rows[0] if rows else None)
            yield self.finding(
                f"{table_name_zh(key)}无法可靠读取：{why}。{ASK_ZH}",
                location=Location(
                    table=key, line=info.line if info else None, page=info.page if info else None
                ),
                expected="可确定的表格数据",
                actual=read.certainty,
            )
