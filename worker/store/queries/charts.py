"""The numbers behind the web pages' plots: reports received over time, a region's roll-up over the years."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col

from worker.store.models import Body, ReportBody, StoredReport
from worker.store.queries.bodies import in_region, region_clause, region_segments
from worker.store.queries.rollup import rollup
from worker.store.queries.roster import region_versions

# the main figures of a roll-up: (label, table, row, column)
ROLLUP_FIGURES = (
    ("新收申请", "applications", "new", "total"),
    ("办理结果总计", "applications", "total", "total"),
    ("行政复议", "reviews", "review", "total"),
    ("行政诉讼", "reviews", "litigation_direct", "total"),
)


class RegionYearFigures(BaseModel):
    """A region's main roll-up figures for one year."""

    year: int
    bodies: int  # bodies summed
    values: dict[str, float | None]  # label -> sum


def received_over_time(session: Session, *, region: str, year: int) -> list[tuple[dt.date, int]]:
    """Per day a body's first report of ``year`` arrived: how many bodies of the region had one by then."""
    firsts = sorted(v[0].received_at.date() for v in region_versions(session, region_segments(region), year).values()
                    if v)  # fmt: skip
    out: list[tuple[dt.date, int]] = []
    for i, day in enumerate(firsts, start=1):
        if out and out[-1][0] == day:
            out[-1] = (day, i)
        else:
            out.append((day, i))
    return out


def report_years(session: Session, *, region: str) -> list[int]:
    """The years that have matched reports of bodies in the region."""
    segments = region_segments(region)
    stmt = (
        sa.select(col(StoredReport.year), col(Body.path))
        .join(ReportBody, col(ReportBody.report_id) == col(StoredReport.id))
        .join(Body, col(Body.id) == col(ReportBody.body_id))
        .where(col(ReportBody.state) == "matched", region_clause(segments), col(StoredReport.year).is_not(None))
        .distinct()
    )  # fmt: skip
    return sorted({y for y, path in session.execute(stmt).all() if in_region(path, segments)})


def rollup_history(session: Session, *, region: str, last: int = 10) -> list[RegionYearFigures]:
    """The region's main roll-up figures for each of the (at most ``last``) years with reports."""
    out = []
    for year in report_years(session, region=region)[-last:]:
        summed = rollup(session, region=region, year=year)
        values = {label: summed.value(t, r, c) for label, t, r, c in ROLLUP_FIGURES}
        out.append(RegionYearFigures(year=year, bodies=len(summed.included), values=values))
    return out
