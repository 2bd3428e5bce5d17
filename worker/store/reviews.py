"""Writing finding reviews: a person marks a finding "confirmed" or "not an error" (the web's review form).

The review is stored against the finding's report, rule and place (``location_key``), never its row id,
so it survives re-checks and is carried to later versions (see worker/store/queries/review.py).
"""

from __future__ import annotations

from sqlmodel import Session, select

from worker.store.models import StoredFinding, StoredReport, utcnow
from worker.store.review_models import FindingReview, ReviewVerdict, location_key

MAX_REASON = 2000


class FindingNotFound(LookupError):
    """The finding does not exist, or not in that report (re-checked meanwhile: reload the page)."""


def review_finding(
    session: Session,
    report_id: int,
    finding_id: int,
    *,
    verdict: ReviewVerdict,
    reason: str,
    user_name: str,
) -> FindingReview:
    """Record (or replace) the review of one finding by ``user_name``.

    Raises:
        FindingNotFound: ``finding_id`` is not a finding of ``report_id``.
    """
    finding = session.get(StoredFinding, finding_id)
    report = session.get(StoredReport, report_id)
    if finding is None or report is None or finding.report_id != report_id:
        raise FindingNotFound(f"finding {finding_id} of report {report_id}")
    place = location_key(finding.table_key, finding.row_key, finding.col_key, finding.section, finding.line)
    review = session.exec(
        select(FindingReview).where(
            FindingReview.report_id == report_id,
            FindingReview.rule == finding.rule,
            FindingReview.location == place,
        )
    ).first()
    if review is None:
        review = FindingReview(report_id=report_id, rule=finding.rule, location=place, verdict=verdict.value,
                               user_name=user_name)  # fmt: skip
    review.identity_key, review.year = report.identity_key, report.year
    review.verdict, review.reason = verdict.value, reason.strip()[:MAX_REASON]
    review.user_name, review.reviewed_at = user_name, utcnow()
    session.add(review)
    session.flush()
    return review
