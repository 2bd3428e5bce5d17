"""The verdict on one checked report: ``ok``, ``failed`` or ``needs_review`` (``report_status``).

Precedence, precision first:

1. ``failed`` when any finding is a failing error. The rules that compare numbers run only on rows read with
   certainty (``support/certainty.py``), so every error stands on what the report really prints, even when
   another table of the same report could not be read.
2. ``needs_review`` when there is no error but a table (``Report.table_reads``) was not read with certainty,
   or a finding asks for a human look (``Finding.needs_review``: TABLE_UNREADABLE). The report is listed and
   mailed as a request for the original, never as an error report.
3. ``ok`` otherwise (warnings alone do not change the status).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from worker.parse.models import Report
from worker.rules.base import Finding


class ReportStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    NEEDS_REVIEW = "needs_review"


def report_status(report: Report, findings: Iterable[Finding]) -> ReportStatus:
    """The status of ``report`` given its findings (see the module docstring for the precedence)."""
    found = list(findings)
    if any(f.is_error for f in found):
        return ReportStatus.FAILED
    if any(f.needs_review for f in found) or any(not r.is_certain for r in report.table_reads.values()):
        return ReportStatus.NEEDS_REVIEW
    return ReportStatus.OK


__all__ = ["ReportStatus", "report_status"]
