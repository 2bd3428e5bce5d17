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


def _applying(review: Any, finding: Any) -> tuple[Any, Any]:
    """The two ways ``review`` applies to ``finding`` of the report row :class:`StoredReport` (module doc): made
    on that report, or on an earlier version of the same body and year. Kept apart (two EXISTS, not one OR)
    so that each is one index search: ``uq_finding_review_place`` (report, rule, place) and
    ``ix_finding_review_identity`` (body, year, rule, place); with the OR inside one subquery the databases
    fell back to every review of the rule per finding (bench/bench_web.py: seconds at 10,000 reports)."""
    report = StoredReport
    place = (review.rule == finding.rule, review.location == _location_sql(finding))
    own = sa.and_(review.report_id == report.id, *place)
    earlier = sa.and_(
        col(report.identity_key).is_not(None),
        review.identity_key == report.identity_key,
        review.year == report.year,
        *place,
        review.report_id < report.id,
    )
    return own, earlier


def _applies_exists(review: Any, finding: Any, *where: Any) -> Any:
    """Some ``review`` row satisfying ``where`` applies to ``finding`` (the finding and report come from outside)."""
    return sa.or_(*(
        sa.select(review.id).where(way, *where).correlate_except(review).exists()
        for way in _applying(review, finding)
    ))  # fmt: skip


def _any_review(review: Any) -> Any:
    """Some review of the report's body and year could apply to it (made on it or an earlier version): one
    index probe per report (two for a report without a body identity), which spares the walk over the
    findings of the many reports nobody reviewed. Reviews carry their report's identity and year."""
    report = StoredReport
    own = sa.select(review.id).where(review.report_id == report.id).correlate_except(review).exists()
    same_body = (
        sa.select(review.id)
        .where(review.identity_key == report.identity_key, review.year == report.year, review.report_id <= report.id)
        .correlate_except(review)
        .exists()
    )
    known = sa.and_(col(report.identity_key).is_not(None), col(report.year).is_not(None))
    return sa.or_(sa.and_(known, same_body), sa.and_(~known, own))


def review_condition(state: ReviewState) -> Any:
    """The condition (on :class:`StoredReport`) that a report is in review ``state``."""
    finding: Any = aliased(StoredFinding)
    review: Any = aliased(FindingReview)
    of_report = sa.and_(finding.report_id == StoredReport.id, finding.status == "fail")

    def findings(*where: Any) -> Any:  # failing findings of the report
        return sa.select(finding.id).where(of_report, *where).correlate_except(finding).exists()

    reviewed_body = _any_review(aliased(FindingReview))
    if state is ReviewState.UNREVIEWED:  # a failing finding and no review at all, or one not reviewed
        unreviewed = findings(~_applies_exists(review, finding))
        return sa.or_(sa.and_(~reviewed_body, findings()), sa.and_(reviewed_body, unreviewed))
    if state is ReviewState.REVIEWED:
        return sa.and_(reviewed_body, findings(_applies_exists(review, finding)))
    verdict = ReviewVerdict.CONFIRMED if state is ReviewState.CONFIRMED else ReviewVerdict.NOT_ERROR
    # the review that counts is the nearest: no review of a later version (up to the report itself) applies
    nearer: Any = aliased(FindingReview)
    shadowed = _applies_exists(nearer, finding, nearer.report_id > review.report_id)
    latest = _applies_exists(review, finding, review.verdict == verdict.value, ~shadowed)
    return sa.and_(reviewed_body, findings(latest))


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
