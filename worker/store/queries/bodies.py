"""Registry queries: the registered bodies of a region, the reports waiting for a person to name their body."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from worker.store.models import Body, ReportBody, StoredReport
from worker.store.queries.registry_views import BodyView, UnmatchedReport


def region_segments(region: str | None) -> list[str]:
    """"福建省 / 三明市/将乐县" -> ["福建省", "三明市", "将乐县"] (full-width made half-width)."""
    text = unicodedata.normalize("NFKC", region or "").replace("\\", "/")
    return ["".join(s.split()) for s in text.split("/") if "".join(s.split())]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def region_clause(region: list[str]) -> Any:
    """SQL prefilter of ``body.path`` for a region given as whole segments anywhere in the path."""
    if not region:
        return sa.true()
    r, path = _like("/".join(region)), col(Body.path)
    return sa.or_(path == "/".join(region), path.like(f"{r}/%", escape="\\"), path.like(f"%/{r}", escape="\\"),
                  path.like(f"%/{r}/%", escape="\\"))  # fmt: skip


def in_region(path: str, region: list[str]) -> bool:
    """Whether the region's segments appear contiguously, as whole segments, in ``path``."""
    parts, n = path.split("/"), len(region)
    return n == 0 or any(parts[i : i + n] == region for i in range(len(parts) - n + 1))


def body_view(body: Body) -> BodyView:
    """A stored body as its public model."""
    assert body.id is not None
    return BodyView(
        id=body.id, name=body.name, path=body.path, level=body.level, short_names=json.loads(body.short_names),
        former_names=json.loads(body.former_names), contact_name=body.contact_name,
        contact_emails=json.loads(body.contact_emails), year_from=body.year_from, year_to=body.year_to,
    )  # fmt: skip


def list_bodies(session: Session, *, region: str | None = None, year: int | None = None) -> list[BodyView]:
    """The registered bodies under ``region`` (whole path segments, e.g. "将乐县"), active in ``year`` if given,
    ordered by path and name (code point order, the same on every database)."""
    segments = region_segments(region)
    stmt = select(Body).where(region_clause(segments))
    out = []
    for body in session.exec(stmt):
        if not in_region(body.path, segments):
            continue
        if year is not None and not ((body.year_from or year) <= year <= (body.year_to or year)):
            continue
        out.append(body_view(body))
    return sorted(out, key=lambda b: (b.path, b.name))


def unmatched_reports(session: Session) -> list[UnmatchedReport]:
    """Stored reports whose body is unknown or ambiguous, oldest first, with the candidate bodies."""
    rows = session.exec(
        select(ReportBody, StoredReport)
        .join(StoredReport, col(StoredReport.id) == col(ReportBody.report_id))
        .where(col(ReportBody.state).in_(("ambiguous", "unmatched")))
        .order_by(col(ReportBody.report_id))
    ).all()
    wanted = {i for link, _ in rows for i in json.loads(link.candidates)}
    bodies = {b.id: body_view(b) for b in session.exec(select(Body).where(col(Body.id).in_(wanted)))} if wanted else {}
    return [
        UnmatchedReport(
            report_id=report.id or 0, organ=report.organ, identity_key=report.identity_key, year=report.year,
            file_name=report.file_name, state=link.state, region=link.region,
            candidates=[bodies[i] for i in json.loads(link.candidates) if i in bodies],
        )
        for link, report in rows
    ]  # fmt: skip
