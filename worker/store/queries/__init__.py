"""The read layer: every question the CLI, the alerts and the web application ask of the store.

Each function takes an open session and returns typed models from ``views`` (never table rows), so a
caller formats what it gets and never writes SQL. To add a query, see docs/pipeline.md ("Read layer").

    views.py       the answers: ReportFilter, ReportPage, ReportDetail, QuarantinePage, StatusSnapshot...
    reports.py     list_reports, get_report, report_findings, report_versions, archived_path
    operations.py  list_quarantine, get_quarantine, status_snapshot
    rechecks.py    recheck_runs, get_recheck_run (progress of re-check runs)
    review.py      finding_reviews, dismissed_finding_ids, false_finding_rates (and the list's review filter)
"""

from __future__ import annotations

from worker.store.queries.operations import get_quarantine, list_quarantine, status_snapshot
from worker.store.queries.rechecks import get_recheck_run, recheck_runs
from worker.store.queries.reports import (
    archived_path,
    get_report,
    list_reports,
    report_findings,
    report_ids,
    report_versions,
)
from worker.store.queries.review import dismissed_finding_ids, false_finding_rates, finding_reviews
from worker.store.queries.views import (
    AlertDeliveryView,
    AlertSummary,
    CellView,
    FindingReviewView,
    LastHour,
    QuarantineItem,
    QuarantinePage,
    RecheckRunView,
    ReportDetail,
    ReportFilter,
    ReportFinding,
    ReportPage,
    ReportSort,
    ReportStatus,
    ReportSummary,
    ReportVersion,
    ReviewState,
    RuleReviewRate,
    StatusSnapshot,
)

__all__ = [
    "AlertDeliveryView", "AlertSummary", "CellView", "FindingReviewView", "LastHour", "QuarantineItem",
    "QuarantinePage", "RecheckRunView", "ReportDetail", "ReportFilter", "ReportFinding", "ReportPage",
    "ReportSort", "ReportStatus", "ReportSummary", "ReportVersion", "ReviewState", "RuleReviewRate",
    "StatusSnapshot",
    "archived_path", "dismissed_finding_ids", "false_finding_rates", "finding_reviews", "get_quarantine",
    "get_recheck_run", "get_report", "list_quarantine", "list_reports", "recheck_runs", "report_findings",
    "report_ids", "report_versions", "status_snapshot",
]  # fmt: skip
