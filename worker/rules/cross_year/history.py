"""The previous-year neighbour a cross-year rule may compare with.

Cross-year rules attach their findings to the *later* report only and look at ``ctx.previous`` only: a break
between year Y-1 and Y is a finding of Y. When a late report for Y-1 arrives, the pipeline re-checks the
stored report for Y with the new neighbour (it passes ``ctx.next`` to the Y-1 check only for symmetry; no rule
reads it). Without a previous report the rules emit nothing: the first report of a body is normal.
"""

from __future__ import annotations

from worker.parse.models import Report
from worker.rules.base import Neighbour, RuleContext


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
