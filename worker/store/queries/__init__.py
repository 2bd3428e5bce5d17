"""The read layer: every question the CLI, the alerts and the web application ask of the store.

Each function takes an open session and returns typed models from ``views`` (never table rows), so a
caller formats what it gets and never writes SQL. To add a query, see docs/pipeline.md ("Read layer").

    views.py       the answers: ReportFilter, ReportPage, ReportDetail, QuarantinePage, StatusSnapshot...
    reports.py     list_reports, get_report, report_findings, report_versions, archived_path, received_at
    operations.py  list_quarantine, get_quarantine, status_snapshot
    findings.py    list_findings (findings across reports, for the export)
    bodies.py, roster.py, rollup.py  the registry of bodies: list_bodies, unmatched_reports, roster, rollup
                   (answers in registry_views.py)
    facets.py      report_facets (counts per status, year, template for the list's filters)
    history.py     compare_versions (two versions of a body and year), body_history (a body across years)
    text.py        report_text (the sections' prose and the lines around a finding)
    rechecks.py    recheck_runs, get_recheck_run (progress of re-check runs)
    review.py      finding_reviews, dismissed_finding_ids, false_finding_rates (and the list's review filter)
    contacts.py    matched_body, body_contacts (alerts to a body's own contacts)
    charts.py      received_over_time, rollup_history (the web pages' plots)
    workers.py     worker_settings_check (do the live workers check and mail with the same settings?)
"""

from __future__ import annotations

from worker.store.queries.bodies import list_bodies, unmatched_reports
from worker.store.queries.charts import ROLLUP_FIGURES, RegionYearFigures, received_over_time, rollup_history
from worker.store.queries.contacts import body_contacts, matched_body
from worker.store.queries.facets import FacetCount, ReportFacets, report_facets
from worker.store.queries.findings import FindingRow, list_findings
from worker.store.queries.history import (
    MAIN_FIGURES,
    BodyHistory,
    CellChange,
    VersionComparison,
    YearFigures,
    body_history,
    compare_versions,
)
from worker.store.queries.operations import get_quarantine, list_quarantine, relay_counts, status_snapshot
from worker.store.queries.rechecks import get_recheck_run, recheck_runs
from worker.store.queries.registry_views import (
    ROSTER_STATE_ZH,
    BodyView,
    Rollup,
    RollupCell,
    RollupMember,
    Roster,
    RosterEntry,
    RosterState,
    UnmatchedReport,
)
from worker.store.queries.reports import (
    archived_path,
    filtered_reports,
    get_report,
    list_reports,
    received_at,
    report_findings,
    report_ids,
    report_versions,
)
from worker.store.queries.review import dismissed_finding_ids, false_finding_rates, finding_reviews
from worker.store.queries.rollup import rollup
from worker.store.queries.roster import deadline, roster
from worker.store.queries.text import ExcerptLine, ReportText, SectionText, report_text
from worker.store.queries.views import (
    AlertDeliveryView,
    AlertSummary,
    CellView,
    FindingReviewView,
    LastHour,
    LiveWorker,
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
    SettingsGroup,
    StatusSnapshot,
    WorkerSettingsCheck,
)
from worker.store.queries.workers import worker_settings_check

__all__ = [
    "relay_counts",
    "AlertDeliveryView", "AlertSummary", "CellView", "LastHour", "QuarantineItem", "QuarantinePage",
    "ReportDetail", "ReportFilter", "ReportFinding", "ReportPage", "ReportSort", "ReportStatus",
    "ReportSummary", "ReportVersion", "StatusSnapshot",
    "archived_path", "get_quarantine", "get_report", "list_quarantine", "list_reports", "report_findings",
    "report_versions", "status_snapshot",
    "LiveWorker", "SettingsGroup", "WorkerSettingsCheck", "worker_settings_check",
    # registry of bodies, roster, roll-up, findings export
    "BodyView", "FindingRow", "ROSTER_STATE_ZH", "Rollup", "RollupCell", "RollupMember", "Roster", "RosterEntry",
    "RosterState", "UnmatchedReport", "deadline", "list_bodies", "list_findings", "rollup", "roster",
    "unmatched_reports",
    # pages of the web application (issue 12)
    "MAIN_FIGURES", "BodyHistory", "CellChange", "ExcerptLine", "FacetCount", "ReportFacets", "ReportText",
    "SectionText", "VersionComparison", "YearFigures",
    "body_history", "compare_versions", "filtered_reports", "received_at", "report_facets", "report_text",
    "AlertDeliveryView", "AlertSummary", "CellView", "FindingReviewView", "LastHour", "QuarantineItem",
    "QuarantinePage", "RecheckRunView", "ReportDetail", "ReportFilter", "ReportFinding", "ReportPage",
    "ReportSort", "ReportStatus", "ReportSummary", "ReportVersion", "ReviewState", "RuleReviewRate",
    "StatusSnapshot",
    "archived_path", "dismissed_finding_ids", "false_finding_rates", "finding_reviews", "get_quarantine",
    "get_recheck_run", "get_report", "list_quarantine", "list_reports", "recheck_runs", "report_findings",
    "report_ids", "report_versions", "status_snapshot",
    "unmatched_reports", "body_contacts", "matched_body", "received_over_time", "rollup_history",
    "RegionYearFigures", "ROLLUP_FIGURES",
]  # fmt: skip
