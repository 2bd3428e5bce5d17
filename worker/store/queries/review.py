"""Review queries: the review of each finding of a report, the report-list filter by review state, rates.

A review applies to a finding of report R when it names the same rule and place (``location_key``) and
was made on R itself, or on an earlier version of the same body and year (carried over: the same finding
recurring at the same place). R's own review wins; otherwise the one of the nearest earlier version.
Re-checks replace finding rows but not reviews, which name no finding row.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from worker.store.models import StoredFinding, StoredReport
from worker.store.queries.views import FindingReviewView, ReviewState, RuleReviewRate
from worker.store.review_models import FindingReview, ReviewVerdict, location_key


def _finding_key(row: StoredFinding) -> str:
    return location_key(row.table_key, row.row_key, row.col_key, row.section, row.line)


def _view(review: FindingReview, *, finding_id: int, report_id: int) -> FindingReviewView:
    return FindingReviewView(
        finding_id=finding_id,
        rule=review.rule,
        location=review.location,
        verdict=ReviewVerdict(review.verdict),
        reason=review.reason,
        user_name=review.user_name,
        reviewed_at=review.reviewed_at,
        reviewed_report_id=review.report_id,
        carried=review.report_id != report_id,
    )


def _candidate_reviews(session: Session, report: StoredReport) -> list[FindingReview]:
    """The report's own reviews and those of its earlier versions, nearest version first."""
    applies = col(FindingReview.report_id) == report.id
    if report.identity_key and report.year is not None:
        earlier = sa.and_(
            col(FindingReview.identity_key) == report.identity_key,
            col(FindingReview.year) == report.year,
            col(FindingReview.report_id) < report.id,
        )
        applies = sa.or_(applies, earlier)
    stmt = select(FindingReview).where(applies).order_by(col(FindingReview.report_id).desc())
    return list(session.exec(stmt))


def finding_reviews(session: Session, report_id: int) -> dict[int, FindingReviewView]:
    """The review that applies to each reviewed finding of a report, by finding row id (see module doc)."""
    report = session.get(StoredReport, report_id)
    if report is None:
        return {}
    by_place: dict[tuple[str, str], FindingReview] = {}
    for candidate in _candidate_reviews(session, report):
        by_place.setdefault((candidate.rule, candidate.location), candidate)  # nearest version first
    if not by_place:
        return {}
    findings = session.exec(select(StoredFinding).where(StoredFinding.report_id == report_id))
    out: dict[int, FindingReviewView] = {}
    for finding in findings:
        review = by_place.get((finding.rule, _finding_key(finding)))
        if review is not None and finding.id is not None:
            out[finding.id] = _view(review, finding_id=finding.id, report_id=report_id)
    return out


def dismissed_finding_ids(session: Session, report_id: int) -> set[int]:
    """The findings of a report a person marked "not an error" (they are not alerted again)."""
    reviews = finding_reviews(session, report_id)
    return {fid for fid, review in reviews.items() if review.verdict is ReviewVerdict.NOT_ERROR}


# --- the report list's review filter, in SQL ---------------------------------------------------
def _location_sql(finding: Any) -> Any:
    """:func:`location_key` of a finding row as a SQL expression (same string as in Python)."""
    parts = [func.coalesce(finding.table_key, ""), func.coalesce(finding.row_key, ""),
             func.coalesce(finding.col_key, ""), func.coalesce(finding.section, "")]  # fmt: skip
    base = parts[0] + "|" + parts[1] + "|" + parts[2] + "|" + parts[3]
    line = func.coalesce(sa.cast(finding.line, sa.Text), "")
    no_row = sa.or_(
        finding.table_key.is_(None), finding.table_key == "", finding.row_key.is_(None), finding.row_key == ""
    )
    return sa.case((no_row, base + "|" + line), else_=base)


def _applies(review: Any, finding: Any) -> Any:
    """``review`` applies to ``finding`` of the report row :class:`StoredReport` (module doc)."""
    report = StoredReport
    earlier = sa.and_(
        col(report.identity_key).is_not(None),
        review.identity_key == report.identity_key,
        review.year == report.year,
        review.report_id < report.id,
    )
    return sa.and_(
        review.rule == finding.rule,
        review.location == _location_sql(finding),
        sa.or_(review.report_id == report.id, earlier),
    )


def review_condition(state: ReviewState) -> Any:
    """The condition (on :class:`StoredReport`) that a report is in review ``state``."""
    finding: Any = aliased(StoredFinding)
    review: Any = aliased(FindingReview)
    of_report = sa.and_(finding.report_id == StoredReport.id, finding.status == "fail")
    applies = _applies(review, finding)

    def reviews(*where: Any) -> Any:  # reviews of the finding (the finding and report come from outside)
        return sa.select(review.id).where(applies, *where).correlate_except(review).exists()

    def findings(*where: Any) -> Any:  # failing findings of the report
        return sa.select(finding.id).where(of_report, *where).correlate_except(finding).exists()

    if state is ReviewState.UNREVIEWED:
        return findings(~reviews())
    if state is ReviewState.REVIEWED:
        return findings(reviews())
    verdict = ReviewVerdict.CONFIRMED if state is ReviewState.CONFIRMED else ReviewVerdict.NOT_ERROR
    nearer: Any = aliased(FindingReview)
    shadowed = (
        sa.select(nearer.id)
        .where(_applies(nearer, finding), nearer.report_id > review.report_id)
        .correlate_except(nearer)
        .exists()
    )
    return findings(reviews(review.verdict == verdict.value, ~shadowed))


# --- measured false-finding rate -------------------------------------------------------------
def false_finding_rates(session: Session) -> list[RuleReviewRate]:
    """Per rule: how many findings people reviewed and the share they marked "not an error".

    Every review counts once (a review carried to a later version is not counted again), most reviewed
    rules first.
    """
    not_error = sa.case((col(FindingReview.verdict) == ReviewVerdict.NOT_ERROR.value, 1), else_=0)
    rows = session.exec(
        select(FindingReview.rule, func.count(), func.sum(not_error))
        .group_by(FindingReview.rule)
        .order_by(func.count().desc(), FindingReview.rule)
    ).all()
    return [RuleReviewRate(rule=rule, reviewed=int(n), not_error=int(ne or 0)) for rule, n, ne in rows]
