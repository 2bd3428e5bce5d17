"""The typed answers of the read layer: what the CLI, the alerts and the web application get, never table rows."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from worker.rules.base import Finding
from worker.store.review_models import ReviewVerdict


class ReportStatus(StrEnum):
    """A report's verdict as a filter; the four partition the stored reports, first match wins.

    1. ``errors``: stored status ``failed`` (a failing error finding; an error stands even when another table
       of the report could not be read, as in worker/rules/status.py);
    2. ``needs_review``: stored status ``needs_review`` (no error, but a table not read with certainty:
       待人工复核; the original or a check by hand is asked for);
    3. ``warnings``: stored status ``ok`` with at least one failing warning;
    4. ``ok``: stored status ``ok`` and no warning.

    Not to be confused with ``ReportFilter.review`` (``ReviewState.UNREVIEWED``: findings nobody has reviewed
    yet, 有未复核的问题), which is about people's verdicts on findings, not the report's status.
    """

    OK = "ok"  # no error and no warning
    ERRORS = "errors"  # at least one failing error finding (stored status ``failed``)
    WARNINGS = "warnings"  # warnings only: no error, at least one failing warning, every table read with certainty
    NEEDS_REVIEW = "needs_review"  # stored status ``needs_review``: 待人工复核

    @property
    def label(self) -> str:
        """The Chinese label of the filter."""
        return REPORT_STATUS_FILTER_ZH[self]


REPORT_STATUS_FILTER_ZH = {
    ReportStatus.OK: "通过",
    ReportStatus.ERRORS: "有错误",
    ReportStatus.WARNINGS: "仅有警告",
    ReportStatus.NEEDS_REVIEW: "待人工复核",
}


class ReportSort(StrEnum):
    """Order of a report list."""

    NEWEST = "newest"  # last stored first
    OLDEST = "oldest"
    BODY = "body"  # administrative path (identity key), then year, then newest
    YEAR = "year"  # year descending, then body
    ERRORS = "errors"  # most errors first, then most warnings, then newest


class ReviewState(StrEnum):
    """A report's review state as a filter (reviews may be carried from an earlier version).

    About people's verdicts on findings (人工复核), not the report status ``ReportStatus.NEEDS_REVIEW``
    (待人工复核: a table not read with certainty).
    """

    UNREVIEWED = "unreviewed"  # at least one failing finding nobody has reviewed (有未复核的问题)
    REVIEWED = "reviewed"  # at least one finding reviewed
    CONFIRMED = "confirmed"  # at least one finding confirmed as a problem
    NOT_ERROR = "not_error"  # at least one finding marked "not an error"

    @property
    def label(self) -> str:
        """The Chinese label of the filter."""
        return _REVIEW_STATE_LABELS[self]


_REVIEW_STATE_LABELS = {
    ReviewState.UNREVIEWED: "有未复核的问题",
    ReviewState.REVIEWED: "已人工复核",
    ReviewState.CONFIRMED: "有确认为错误的问题",
    ReviewState.NOT_ERROR: "有复核为非错误的问题",
}


class ReportFilter(BaseModel):
    """Which reports a list shows; every field left ``None`` does not filter."""

    body: str | None = None  # substring of the body's name or administrative path
    path_prefix: str | None = None  # leading whole segments of the administrative path, e.g. "福建省/三明市"
    year: int | None = None
    template: str | None = None  # "2019" | "2021" | "unknown"
    status: ReportStatus | None = None
    rule: str | None = None  # has a failing finding of this rule id
    review: ReviewState | None = None  # review state of its findings (queries/review.py)


class ReportSummary(BaseModel):
    """One stored report as a list row: who, which year, which template, the verdict."""

    id: int
    sha256: str
    file_name: str
    organ: str | None
    identity_key: str | None  # the administrative path joined by "/"
    year: int | None
    template: str
    title: str | None
    published: dt.date | None
    status: str  # stored verdict: "ok" | "failed" | "needs_review" (worker/rules/status.py)
    error_count: int
    warning_count: int
    parse_warning_count: int
    created_at: dt.datetime
    checked_at: dt.datetime


class Paging(BaseModel):
    """Where a page stands in a list: how many items match in all, this page's number and size."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class ReportPage(Paging):
    """One page of a filtered report list and how many reports match in all."""

    items: list[ReportSummary]


class CellView(BaseModel):
    """One stored table cell (``value`` is None for a blank or placeholder cell)."""

    table: str  # "disclosure.art20_1" | "applications" | "reviews"
    row: str
    col: str
    value: float | None
    raw: str
    unit: str | None
    line: int | None
    page: int | None


class ReportFinding(Finding):
    """A stored finding: the rule's ``Finding`` plus its row id and the compared report's id."""

    id: int
    compared_report_id: int | None = None

    def as_finding(self) -> Finding:
        """The plain ``Finding`` (what alerts fingerprint and store)."""
        return Finding.model_validate(self.model_dump(include=set(Finding.model_fields)))


class ReportVersion(BaseModel):
    """Another stored report of the same body and year (a corrected re-publication, say)."""

    id: int
    sha256: str
    file_name: str
    status: str
    error_count: int
    warning_count: int
    created_at: dt.datetime


class ReportDetail(ReportSummary):
    """One stored report with everything known about it."""

    organ_path: list[str] = Field(default_factory=list)
    archived_path: str | None = None  # where the file lies now (latest archived arrival)
    cells: list[CellView] = Field(default_factory=list)
    findings: list[ReportFinding] = Field(default_factory=list)
    versions: list[ReportVersion] = Field(default_factory=list)  # same body and year, oldest first

    @property
    def version_number(self) -> int:
        """This report's place among ``versions`` (1-based; 1 when the body or year is unknown)."""
        ids = [v.id for v in self.versions]
        return ids.index(self.id) + 1 if self.id in ids else 1

    @property
    def version_count(self) -> int:
        return max(1, len(self.versions))


class FindingReviewView(BaseModel):
    """The review that applies to one finding: the verdict, the reason, who and when."""

    finding_id: int
    rule: str
    location: str  # review_models.location_key
    verdict: ReviewVerdict
    reason: str
    user_name: str
    reviewed_at: dt.datetime
    reviewed_report_id: int  # the report version it was made on
    carried: bool  # made on an earlier version of the same body and year

    @property
    def label(self) -> str:
        return self.verdict.label


class RuleReviewRate(BaseModel):
    """The measured false-finding rate of one rule: reviewed findings and those marked "not an error"."""

    rule: str
    reviewed: int
    not_error: int

    @property
    def rate(self) -> float:
        """Share of reviewed findings marked "not an error" (0 when none was reviewed)."""
        return self.not_error / self.reviewed if self.reviewed else 0.0


class RecheckRunView(BaseModel):
    """One re-check run and its progress."""

    id: int
    requested_by: str
    year: int | None
    path_prefix: str | None
    total: int
    done: int
    failed: int
    state: str  # review_models.RecheckState value
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @property
    def finished(self) -> int:
        """Reports handled so far (never above ``total``)."""
        return min(self.total, self.done + self.failed)

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else int(100 * self.finished / self.total)


class QuarantineItem(BaseModel):
    """A quarantined file with its reason and how often its processing was started."""

    id: int
    sha256: str | None
    name: str
    original_path: str
    quarantine_path: str | None
    stage: str
    reason: str
    created_at: dt.datetime
    attempts: int = 0


class QuarantinePage(BaseModel):
    """One page of the quarantine, newest first."""

    items: list[QuarantineItem]
    total: int
    page: int
    per_page: int


class LastHour(BaseModel):
    """The work of a recent window (``nianbao status``'s "last hour")."""

    ingest_succeeded: int = 0
    ingest_failed: int = 0
    ingest_retried: int = 0
    reports_ok: int = 0
    reports_failed_checks: int = 0  # stored status ``failed``
    reports_needs_review: int = 0  # stored status ``needs_review`` (待人工复核)
    quarantined: int = 0


class AlertDeliveryView(BaseModel):
    """One email handed to the relay (or that failed to be)."""

    id: int
    kind: str
    to: str
    subject: str
    status: str
    items: int
    reply: str | None
    error: str | None
    at: dt.datetime  # sent, else created


class AlertSummary(BaseModel):
    """Alerts waiting, alerts failed for good, the last emails."""

    due: int
    failed: int
    recent: list[AlertDeliveryView]


class StatusSnapshot(BaseModel):
    """What the database says for ``nianbao status`` (queue and folders are read by the caller)."""

    last_hour: LastHour
    quarantine_records: int
    alerts: AlertSummary
    needs_review: int = 0  # every stored report whose status is ``needs_review``, whenever it came


class LiveWorker(BaseModel):
    """A worker seen recently, with its verdict settings (worker/verdict_settings.py; secrets never here)."""

    node: str  # the Celery worker name, ``nianbao-<pid>@<host>``
    host: str
    data_dir: str
    fingerprint: str
    started_at: dt.datetime
    last_seen: dt.datetime
    settings: dict[str, Any]  # the secret-free summary: a set secret is "***"


class SettingsGroup(BaseModel):
    """Live workers with the same verdict settings (one fingerprint)."""

    fingerprint: str
    workers: list[LiveWorker]

    @property
    def hosts(self) -> list[str]:
        return sorted({w.host for w in self.workers})


class WorkerSettingsCheck(BaseModel):
    """Do the live workers check and mail with the same settings? (``nianbao status`` / ``health``)"""

    workers: list[LiveWorker]
    groups: list[SettingsGroup]  # by fingerprint, the largest first
    differing: list[str]  # setting keys whose value differs between the groups (VERDICT_KEYS order)
    secret_keys: list[str]  # of those, the secrets: only their names may be shown

    @property
    def consistent(self) -> bool:
        return len(self.groups) <= 1
