"""Tables of finding reviews and re-check runs (Alembic revision 0008).

``finding_review`` holds a person's verdict on one finding: "confirmed" (确认为错误) or "not an error"
(非错误). Finding rows are replaced by every re-check, so a review is keyed by what a finding *is*, not by its
row id: the report, the rule and the place (:func:`location_key`). The body identity and year are copied
onto the row so that a later version of the same report finds the review of the same finding at the same
place (worker/store/queries/review.py carries it over when it reads).

``recheck_run`` is one re-check of stored reports requested from the web page or ``nianbao recheck``: how
many reports it covers and how many the ``nianbao.recheck`` tasks have done (the progress the page shows).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from worker.parse.models import Location
from worker.store.models import utcnow

_TS = sa.DateTime(timezone=True)


class ReviewVerdict(StrEnum):
    """What a person said about a finding."""

    CONFIRMED = "confirmed"  # 确认为错误: the report is wrong here
    NOT_ERROR = "not_error"  # 非错误 (a false finding): checked by a person, the report is right here

    @property
    def label(self) -> str:
        """The Chinese label shown on the pages."""
        return {ReviewVerdict.CONFIRMED: "确认为错误", ReviewVerdict.NOT_ERROR: "非错误"}[self]


def location_key(
    table: str | None, row: str | None, col: str | None, section: str | None, line: int | None
) -> str:
    """The place of a finding as one string: ``table|row|col|section``, plus ``|line`` when no row is named.

    A finding on a table row or cell is placed by its keys (line numbers move between versions of a
    report); a finding in the text or on a whole table has no such keys, so its line tells two apart.
    """
    key = "|".join(part or "" for part in (table, row, col, section))
    return key if table and row else f"{key}|{'' if line is None else line}"


def finding_location_key(location: Location | None) -> str:
    """:func:`location_key` of a finding's location (None: a finding about the whole report)."""
    if location is None:
        return location_key(None, None, None, None, None)
    return location_key(location.table, location.row, location.col, location.section, location.line)


class FindingReview(SQLModel, table=True):
    """A person's verdict on the finding of ``rule`` at ``location`` of report ``report_id``."""

    __tablename__ = "finding_review"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "rule", "location", name="uq_finding_review_place"),
        sa.Index("ix_finding_review_identity", "identity_key", "year", "rule", "location"),
        sa.Index("ix_finding_review_rule_verdict", "rule", "verdict"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), nullable=False)
    )
    identity_key: str | None = Field(default=None, sa_type=sa.Text)  # the report's, for later versions
    year: int | None = None
    rule: str = Field(max_length=64)
    location: str = Field(sa_type=sa.Text)  # location_key(...)
    verdict: str = Field(max_length=16)  # ReviewVerdict value
    reason: str = Field(default="", sa_type=sa.Text)
    user_name: str = Field(sa_type=sa.Text)
    reviewed_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)


class RecheckState(StrEnum):
    """Where a re-check run is."""

    RUNNING = "running"
    DONE = "done"
    NOT_QUEUED = "not_queued"  # its tasks could not be sent (broker unreachable)

    @property
    def label(self) -> str:
        """The Chinese label shown on the operations page."""
        return {
            RecheckState.RUNNING: "进行中",
            RecheckState.DONE: "已完成",
            RecheckState.NOT_QUEUED: "未能排队",
        }[self]


class RecheckRun(SQLModel, table=True):
    """One re-check of a set of stored reports, and its progress."""

    __tablename__ = "recheck_run"

    id: int | None = Field(default=None, primary_key=True)
    requested_by: str = Field(sa_type=sa.Text)
    year: int | None = None  # the filter it was started with (None: every year)
    path_prefix: str | None = Field(default=None, sa_type=sa.Text)
    total: int = 0
    done: int = 0  # reports re-checked
    failed: int = 0  # reports whose re-check raised (the report keeps its previous findings)
    state: str = Field(default=RecheckState.RUNNING.value, max_length=16)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=_TS)
    finished_at: dt.datetime | None = Field(default=None, sa_type=_TS)


REVIEW_TABLES = ("finding_review", "recheck_run")
