"""Shared parts of the PUB_* rules: the deadlines of 条例 art. 49 and the not-assessable finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, Severity


def date_zh(day: dt.date) -> str:
    """2024-01-31 -> "2024年1月31日"."""
    return f"{day.year}年{day.month}月{day.day}日"


def published_location(report: Report) -> Location:
    return Location(line=report.published_line, section="other" if report.published_line else None)


def not_assessable(rule: Rule, report: Report) -> Iterator[Finding]:
    """The finding a deadline rule gives when the report prints no date (always a warning: nothing is known
    to be wrong, but nobody should read the silence as "on time")."""
    what = "报告年度" if report.year is None else "签署或发布日期"
    yield rule.finding(
        f"报告未写明{what}，无法判断是否按期发布",
        location=None,
        status="not_assessable",
        severity=Severity.WARNING,
    )


def published_late(
    rule: Rule, report: Report, *, month: int, day: int, why: str, severity: Severity | None = None
) -> Iterator[Finding]:
    """A deadline rule's finding: not assessable without a date, one finding when published after the
    deadline ``day``.``month`` of the year after the report year, else nothing.

    Args:
        rule: the deadline rule.
        report: the checked report.
        month: the deadline's month in the year after the report year.
        day: the deadline's day.
        why: the rule behind the deadline, printed in brackets after the dates.
        severity: the finding's severity when it is not the rule's.
    """
    if report.published is None or report.year is None:
        yield from not_assessable(rule, report)
        return
    deadline = dt.date(report.year + 1, month, day)
    if report.published <= deadline:
        return
    yield dated(rule, report, report.published, late=True, bound=deadline, why=why, severity=severity)


def dated(
    rule: Rule,
    report: Report,
    published: dt.date,
    *,
    late: bool,
    bound: dt.date,
    why: str,
    severity: Severity | None = None,
) -> Finding:
    """The finding of a report dated ``published``, later (``late``) or earlier than ``bound``.

    E.g. "2023年度报告的落款日期为2024年4月8日，晚于2024年3月31日（条例第四十九条规定的最晚期限）".
    """
    word, op = ("晚于", "<=") if late else ("早于", ">=")
    return rule.finding(
        f"{report.year}年度报告的落款日期为{date_zh(published)}，{word}{date_zh(bound)}（{why}）",
        location=published_location(report),
        expected=f"{op} {bound.isoformat()}",
        actual=published.isoformat(),
        severity=severity,
    )
