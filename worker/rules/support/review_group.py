"""Shared check of one 四 group: total = upheld + corrected + other + pending (subclassed per group)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext
from worker.rules.support.certainty import certain
from worker.rules.support.tables import REVIEW_PARTS, num, same


class GroupTotalRule(Rule):
    """Base of T4_REVIEW_TOTAL, T4_DIRECT_TOTAL and T4_AFTER_REVIEW_TOTAL; ``group`` names the row key."""

    group: ClassVar[str]

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        cells = report.tables.reviews.get(self.group)
        if not cells or not certain(report, "reviews", self.group):
            return
        total = cells.get("total")
        if total is None or total.value is None:
            return  # absent: STRUCT_CELL_COUNT; blank: BLANK_CELL
        expected = sum(num(cells.get(c)) for c in REVIEW_PARTS)
        if same(expected, total.value):
            return
        yield self.wrong_cell(
            report,
            ("reviews", self.group, "total"),
            expected=expected,
            actual=total.value,
            basis="结果维持、结果纠正、其他结果、尚未审结之和",
        )
