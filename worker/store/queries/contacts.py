"""Who to write to about a report's body: the registered body a stored report is matched to, with its contacts.

Used at send time by the alerts (``body_contact_regions``) and by the reminders (worker/alerts/remind.py).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from worker.store.models import Body, ReportBody
from worker.store.queries.bodies import body_view, in_region, region_segments
from worker.store.queries.registry_views import BodyView


def matched_body(session: Session, report_id: int) -> BodyView | None:
    """The registered body stored report ``report_id`` is matched to, or None (unmatched, ambiguous, unknown)."""
    body = session.exec(
        select(Body)
        .join(ReportBody, col(ReportBody.body_id) == col(Body.id))
        .where(col(ReportBody.report_id) == report_id, col(ReportBody.state) == "matched")
    ).first()
    return body_view(body) if body is not None else None


def body_contacts(session: Session, report_id: int, *, regions: list[str]) -> list[str]:
    """The contact emails of the body matched to report ``report_id`` when that body lies in one of ``regions``.

    Args:
        session: open session.
        report_id: the stored report.
        regions: the regions (whole path segments, e.g. "将乐县") whose bodies are written to; empty: none.
    """
    if not regions:
        return []
    body = matched_body(session, report_id)
    if body is None or not any(in_region(body.path, region_segments(r)) for r in regions):
        return []
    return sorted(set(body.contact_emails))
