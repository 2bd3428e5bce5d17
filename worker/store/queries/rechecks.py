"""Re-check run queries: the progress of the runs ``nianbao recheck`` and the operations page started."""

from __future__ import annotations

from sqlmodel import Session, col, select

from worker.store.queries.views import RecheckRunView
from worker.store.review_models import RecheckRun


def recheck_runs(session: Session, *, limit: int = 10) -> list[RecheckRunView]:
    """The latest re-check runs, newest first."""
    rows = session.exec(select(RecheckRun).order_by(col(RecheckRun.id).desc()).limit(limit))
    return [RecheckRunView.model_validate(r, from_attributes=True) for r in rows]


def get_recheck_run(session: Session, run_id: int) -> RecheckRunView | None:
    """One re-check run, or None."""
    row = session.get(RecheckRun, run_id)
    return None if row is None else RecheckRunView.model_validate(row, from_attributes=True)
