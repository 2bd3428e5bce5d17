"""The previous-year neighbour a cross-year rule may compare with, and the base class of the XY_* rules.

Cross-year rules attach their findings to the *later* report only and look at ``ctx.previous`` only: a break
between year Y-1 and Y is a finding of Y. When a late report for Y-1 arrives, the pipeline re-checks the
stored report for Y with the new neighbour (it passes ``ctx.next`` to the Y-1 check only for symmetry; no rule
reads it). Without a previous report the rules emit nothing: the first report of a body is normal.
"""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Neighbour, Rule, RuleContext


def previous_of(report: Report, ctx: RuleContext) -> Neighbour | None:
    """``ctx.previous`` if it is the same body (full administrative path) and the year before; else None."""
    neighbour = ctx.previous
    if neighbour is None:
        return None
    key = report.identity_key
    if key is None or neighbour.report.identity_key != key:
        return None  # same short name elsewhere (e.g. two 南口镇) is a different body
    if (
        report.year is not None
        and neighbour.report.year is not None
        and neighbour.report.year != report.year - 1
    ):
        return None
    return neighbour


class CrossYearRule(Rule):
    """Base of the XY_* rules: ``compare`` runs only when ``previous_of`` finds the body's previous report,
    and every finding it yields names that report (``compared_with``)."""

    needs_history = True

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        neighbour = previous_of(report, ctx)
        if neighbour is None:
            return
        for finding in self.compare(report, neighbour.report):
            finding.compared_with = neighbour.ref
            yield finding

    def compare(self, report: Report, prev: Report) -> Iterator[Finding]:
        """The findings of ``report`` against ``prev``, the same body's report for the year before."""
        raise NotImplementedError
