"""Matching stored reports to bodies in the database: one report (for the ingest), all of them, a resolution.

``match_stored(session, report_id, settings=...)`` is what the ingest calls after storing a report (in the
same unit of work); ``match_all`` (``nianbao bodies match``) re-runs it over every report; ``resolve``
(``nianbao bodies resolve``) records a person's answer for the report's identity, reused by later versions.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath

from pydantic import BaseModel
from sqlmodel import Session, col, select

from worker.errors import NianbaoError
from worker.registry.matching import (
    BodyIndex,
    BodyRecord,
    MatchMethod,
    MatchResult,
    MatchState,
    key,
    match_report,
    split_region,
)
from worker.settings import Settings
from worker.store.models import Body, BodyResolution, ReportBody, SourceFile, StoredReport, utcnow


class ResolveError(NianbaoError):
    """A resolution names a report or body that does not exist."""


class MatchSummary(BaseModel):
    """How many reports ``match_all`` left in each state."""

    matched: int = 0
    ambiguous: int = 0
    unmatched: int = 0


def load_index(session: Session) -> BodyIndex:
    """The whole registry as a matching index."""
    records = [
        BodyRecord(
            id=b.id or 0, name=b.name, path=tuple(key(s) for s in b.path.split("/")),
            short_names=tuple(json.loads(b.short_names)), former_names=tuple(json.loads(b.former_names)),
            year_from=b.year_from, year_to=b.year_to,
        )
        for b in session.exec(select(Body))
    ]  # fmt: skip
    return BodyIndex.build(records)


def arrival_region(session: Session, report_id: int, inbox: Path) -> list[str]:
    """The inbox sub-folders the report's latest arrival came through ([] when it was dropped at the top)."""
    original = session.exec(
        select(SourceFile.original_path).where(SourceFile.report_id == report_id).order_by(col(SourceFile.id).desc())
    ).first()
    if not original:
        return []
    try:
        relative = PurePath(original).relative_to(inbox)
    except ValueError:
        return []
    return [key(part) for part in relative.parts[:-1]]


def _region(session: Session, index: BodyIndex, report_id: int, settings: Settings) -> list[str]:
    folders = arrival_region(session, report_id, settings.inbox_path)
    if index.has_region(folders):
        return folders
    return split_region(settings.default_region)


def _save(session: Session, report_id: int, result: MatchResult, region: list[str]) -> None:
    row = session.get(ReportBody, report_id) or ReportBody(report_id=report_id, state="", method="")
    row.body_id, row.state, row.method = result.body_id, result.state.value, result.method.value
    row.candidates = json.dumps(list(result.candidates))
    row.region = "/".join(region) or None
    row.matched_at = utcnow()
    session.add(row)


def _match_one(session: Session, index: BodyIndex, report: StoredReport, settings: Settings,
               resolutions: dict[str, int]) -> MatchResult:  # fmt: skip
    assert report.id is not None
    current = session.get(ReportBody, report.id)
    if current is not None and current.method == MatchMethod.MANUAL.value and current.body_id is not None:
        return MatchResult(MatchState.MATCHED, MatchMethod.MANUAL, current.body_id)  # a person's answer stays
    region = _region(session, index, report.id, settings)
    resolved = resolutions.get(report.identity_key) if report.identity_key else None
    result = match_report(index, report.identity_key, report.organ, year=report.year, region=region,
                          resolved_body_id=resolved)  # fmt: skip
    _save(session, report.id, result, region)
    return result


def match_stored(session: Session, report_id: int, *, settings: Settings) -> MatchResult:
    """Match one stored report to its body and record the outcome (the ingest's hook; flushes, no commit)."""
    report = session.get(StoredReport, report_id)
    if report is None:
        raise ResolveError(f"报告 #{report_id} 不存在")
    resolutions: dict[str, int] = {}
    if report.identity_key:
        found = session.get(BodyResolution, report.identity_key)
        if found is not None:
            resolutions[report.identity_key] = found.body_id
    result = _match_one(session, load_index(session), report, settings, resolutions)
    session.flush()
    return result


def match_on_ingest(session: Session, report_id: int, *, settings: Settings) -> MatchResult | None:
    """``match_stored`` for a report the ingest has just stored; None (and no query beyond one row) while
    the registry is empty, so an install without a registry pays nothing for it. The session asks whether it
    is empty once (a batch stores all its files in one session)."""
    empty = session.info.get(_REGISTRY_EMPTY)
    if empty is None:
        empty = session.info[_REGISTRY_EMPTY] = session.exec(select(Body.id).limit(1)).first() is None
    if empty:
        return None
    return match_stored(session, report_id, settings=settings)


_REGISTRY_EMPTY = "nianbao.registry_empty"


def match_all(session: Session, *, settings: Settings) -> MatchSummary:
    """Match every stored report (manual resolutions are kept); returns the count per state."""
    index = load_index(session)
    resolutions = {r.identity_key: r.body_id for r in session.exec(select(BodyResolution))}
    summary = MatchSummary()
    for report in session.exec(select(StoredReport).order_by(col(StoredReport.id))).all():
        result = _match_one(session, index, report, settings, resolutions)
        setattr(summary, result.state.value, getattr(summary, result.state.value) + 1)
    session.flush()
    return summary


def resolve(session: Session, report_id: int, body_id: int) -> int:
    """Record that report ``report_id`` is body ``body_id``: for it and every version of its identity.

    Returns:
        How many reports now carry the resolution.

    Raises:
        ResolveError: unknown report or body.
    """
    report = session.get(StoredReport, report_id)
    if report is None:
        raise ResolveError(f"报告 #{report_id} 不存在")
    if session.get(Body, body_id) is None:
        raise ResolveError(f"主体 #{body_id} 不存在（见 nianbao bodies list）")
    manual = MatchResult(MatchState.MATCHED, MatchMethod.MANUAL, body_id)
    targets = [report]
    if report.identity_key:
        memory = session.get(BodyResolution, report.identity_key) or BodyResolution(
            identity_key=report.identity_key, body_id=body_id
        )
        memory.body_id, memory.resolved_at = body_id, utcnow()
        session.add(memory)
        targets = list(session.exec(select(StoredReport).where(StoredReport.identity_key == report.identity_key)))
    for target in targets:
        assert target.id is not None
        _save(session, target.id, manual, [])
    session.flush()
    return len(targets)
