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
