"""TXT_TABLE_MISMATCH: a count stated in the text contradicts its table cell."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Location, Number, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.certainty import certain_table
from worker.rules.support.statements import Statement, read_statements
from worker.rules.support.tables import OUTCOME_GROUPS, REVIEW_PARTS, effective_total, fmt, group_rows, num
from worker.rules.support.textscan import find_line

PROSE_SECTIONS = ("overview", "problems", "other")
TARGET_ZH = {
    "new": "表三“一、本年新收申请数量·总计”",
    "granted": "表三“（一）予以公开·总计”",
    "partial": "表三“（二）部分公开·总计”",
    "withheld": "表三“（三）不予公开”各项总计之和",
    "unavailable": "表三“（四）无法提供”各项总计之和",
    "rejected": "表三“（五）不予处理”各项总计之和",
    "review": "表四“行政复议·总计”",
    "litigation": "表四“行政诉讼”两组总计之和",
    "review+litigation": "表四行政复议与行政诉讼总计之和",
}
_GROUPS = {name: (subtotal, rows) for name, subtotal, rows in OUTCOME_GROUPS}


def _review_total(report: Report, row: str) -> Number:
    cells = report.tables.reviews.get(row, {})
    total = cells.get("total")
    if total is not None and total.value is not None:
        return total.value
    return sum(num(cells.get(c)) for c in REVIEW_PARTS)


def table_value(report: Report, target: str) -> tuple[Number, Location] | None:
    """The table figure a statement's target refers to, with where it is; None when the table lacks it."""
    apps, reviews = report.tables.applications, report.tables.reviews
    if target == "new" or target in ("granted", "partial"):
        if target not in apps:
            return None
        cell = apps[target].get("total")
        line = cell.location.line if cell else None
        return effective_total(report, target, "total"), Location(
            table="applications", row=target, col="total", line=line
        )
    if target in _GROUPS:
        rows = group_rows(report, *_GROUPS[target])
        if not rows:
            return None
        return sum(effective_total(report, r, "total") for r in rows), Location(
            table="applications", row=rows[0], col="total"
        )
    if not reviews:
        return None
    rows = {"review": ("review",), "litigation": ("litigation_direct", "litigation_after_review")}.get(
        target, ("review", "litigation_direct", "litigation_after_review")
    )
    if not any(r in reviews for r in rows):
        return None
    return sum(_review_total(report, r) for r in rows), Location(table="reviews", row=rows[0], col="total")


class TextContradictsTable(Rule):
    """## What it does
    Reads the counts that the prose of 一、五 and 六 states and compares them with the matching cells:
    "（共）收到政府信息公开申请12件" with 一、本年新收·总计; "予以公开5件", "部分公开…件", "不予公开…件",
    "无法提供…件", "不予处理…件" with their rows; "行政复议2件" with 行政复议·总计; "行政诉讼1件" with both
    行政诉讼 groups; "未收到政府信息公开申请" means 0 new applications; "无行政复议、行政诉讼" means 0 cases.
    An exact contradiction is an **error**; a vague statement ("10余件", "超过10件") contradicted by a smaller
    cell is a **warning**; "约/近" statements are never compared.

    ## Why is this bad?
    The text and the tables are the same report (条例 art. 50); when they disagree, at least one is wrong and
    the public cannot tell which. Precision comes first: wordings that could mean something else (结转,
    投诉, 纠错, 主动公开…) are not read at all, nor are applications of another kind ("未收到行政许可申请") or a
    count of several outcomes together ("同意公开或部分公开共81件").

    ## Example
    一 says "本年度未收到政府信息公开申请", but 一、本年新收申请数量·总计 is 3.
    Use instead: make the text and the table agree ("本年度共收到政府信息公开申请3件").
    """

    code = "TXT_TABLE_MISMATCH"
    title_zh = "正文数字与表格不一致"
    title_en = "Count stated in the text contradicts the table"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        seen: set[tuple[str, int, str]] = set()
        for key in PROSE_SECTIONS:
            section = report.section(key)
            if section is None:
                continue
            for statement in read_statements(section.text):
                dedup = (statement.target, statement.value, statement.text)
                if dedup in seen:
                    continue
                seen.add(dedup)
                finding = self._compare(report, statement, section.key, section.line)
                if finding is not None:
                    yield finding

    def _compare(self, report: Report, statement: Statement, section: str, start: int) -> Finding | None:
        table = "reviews" if statement.target.startswith(("review", "litigation")) else "applications"
        if not certain_table(report, table):
            return None  # numbers that are guesses are not compared (TABLE_UNREADABLE)
        found = table_value(report, statement.target)
        if found is None:
            return None
        value, _ = found
        if statement.vague == "at_least":
            if value >= statement.value:
                return None
            severity, relation = Severity.WARNING, f"至少 {statement.value}"
        else:
            if value == statement.value:
                return None
            severity, relation = Severity.ERROR, str(statement.value)
        line = find_line(report, statement.text, start=start)
        # the finding points at the sentence; the message names the cell it contradicts
        where = Location(section=section, line=line)
        said = "正文"
        return self.finding(
            f"{said}写明“{statement.text}”（即 {relation}），但{TARGET_ZH[statement.target]}为 {fmt(value)}",
            location=where,
            expected=statement.value,
            actual=value,
            severity=severity,
        )
