"""The roster: every registered body of a region active in a year, whether its report arrived and passes.

A body's reports are those matched to it (``report_body``, see worker/registry); its latest version decides
the state. Deadlines follow 条例 art. 49: 31 January of the next year, 31 March for county-level governments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from worker.store.models import Body, ReportBody, StoredReport
from worker.store.queries.bodies import in_region, list_bodies, region_clause, region_segments
from worker.store.queries.registry_views import BodyView, Roster, RosterEntry, RosterState

COUNTY_GOVERNMENT = "county_government"


def deadline(level: str, year: int) -> dt.date:
    """The last day to publish the report of ``year``: 31 March for county-level governments, else 31 January."""
    return dt.date(year + 1, 3, 31) if level == COUNTY_GOVERNMENT else dt.date(year + 1, 1, 31)


@dataclass(frozen=True)
class Version:
    """One matched report of a body (what the roster and the roll-up read of it)."""

    body_id: int
    report_id: int
    passes: bool
    needs_review: bool  # stored status needs_review: not failing, not passing (worker/rules/status.py)
    received_at: dt.datetime
    published: dt.date | None


def region_versions(session: Session, segments: list[str], year: int) -> dict[int, list[Version]]:
    """Body id -> its matched reports of ``year``, oldest first, for the bodies under the region."""
    stmt = (
        sa.select(col(ReportBody.body_id), col(StoredReport.id), col(StoredReport.status),
                  col(StoredReport.created_at), col(StoredReport.published), col(Body.path))
        .join(StoredReport, col(StoredReport.id) == col(ReportBody.report_id))
        .join(Body, col(Body.id) == col(ReportBody.body_id))
        .where(col(ReportBody.state) == "matched", col(StoredReport.year) == year, region_clause(segments))
        .order_by(col(StoredReport.id))
    )  # fmt: skip
    out: dict[int, list[Version]] = {}
    for body_id, report_id, status, created, published, path in session.execute(stmt).all():
        if body_id is None or report_id is None or not in_region(path, segments):
            continue
        version = Version(body_id, report_id, status == "ok", status == "needs_review", created, published)
        out.setdefault(body_id, []).append(version)
    return out


def state_of(versions: Iterable[Version]) -> RosterState:
    """The roster state of a body's versions (oldest first)."""
    seen = list(versions)
    if not seen:
        return RosterState.NOT_RECEIVED
    if seen[-1].needs_review:
        return RosterState.NEEDS_REVIEW
    if not seen[-1].passes:
        return RosterState.FAILING
    return RosterState.CORRECTED if any(not v.passes for v in seen[:-1]) else RosterState.PASSING


def _entry(body: BodyView, versions: list[Version], year: int, today: dt.date) -> RosterEntry:
    due = deadline(body.level, year)
    latest = versions[-1] if versions else None
    return RosterEntry(
        body=body, state=state_of(versions), report_id=latest.report_id if latest else None, versions=len(versions),
        received_at=latest.received_at if latest else None, published=latest.published if latest else None,
        deadline=due, days_left=(due - today).days,
    )  # fmt: skip


def roster(session: Session, *, region: str, year: int, today: dt.date) -> Roster:
    """The roster of ``region`` (whole path segments, e.g. "将乐县" or "福建省/三明市") for ``year``.

    Args:
        session: open session.
        region: the region's path or a run of its segments.
        year: the report year.
        today: the day deadlines are counted from (the caller's clock or ``--today``).
    """
    segments = region_segments(region)
    bodies = list_bodies(session, region=region, year=year)
    versions = region_versions(session, segments, year)
    entries = [_entry(b, versions.get(b.id, []), year, today) for b in bodies]
    counts = {state: sum(1 for e in entries if e.state is state) for state in RosterState}
    return Roster(region="/".join(segments), year=year, today=today, entries=entries, counts=counts)
