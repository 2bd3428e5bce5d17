"""Reports: ``/`` goes to the list; ``/reports`` lists stored reports (placeholder until the read layer)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, func, select

from worker.store.models import StoredReport
from worker.web.deps import CurrentUser, SessionDep
from worker.web.pages import render

router = APIRouter()
PLACEHOLDER_LIMIT = 100


@dataclass(frozen=True)
class ReportRow:
    """One line of the placeholder list."""

    id: int
    organ: str | None
    year: int | None
    template: str
    status: str
    error_count: int
    warning_count: int
    file_name: str


def _latest_reports(session: Session, *, limit: int) -> tuple[list[ReportRow], int]:
    # TODO(issue 12): replace with the read layer worker/store/queries.py (filters, sorting, pagination,
    # public models) once it is merged; this tiny query only proves the stack.
    total = session.exec(select(func.count()).select_from(StoredReport)).one()
    reports = session.exec(select(StoredReport).order_by(col(StoredReport.id).desc()).limit(limit)).all()
    rows = [
        ReportRow(
            id=r.id or 0, organ=r.organ, year=r.year, template=r.template, status=r.status,
            error_count=r.error_count, warning_count=r.warning_count, file_name=r.file_name,
        )
        for r in reports
    ]  # fmt: skip
    return rows, int(total)


@router.get("/")
def home() -> Response:
    """The start page is the report list."""
    return RedirectResponse("/reports", status_code=303)


@router.get("/reports")
def list_reports(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The stored reports, newest first."""
    rows, total = _latest_reports(session, limit=PLACEHOLDER_LIMIT)
    return render(request, "reports/list.html", {"rows": rows, "total": total}, user=user, nav="reports")
