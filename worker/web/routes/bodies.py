"""One body across years: ``GET /bodies/{identity}/years``.

``identity`` is the body's identity key (its administrative path joined by "/", e.g.
``福建省/三明市/将乐县/南口镇``), so the route takes a path parameter. The page shows the latest version of
each year with its main figures as an inline SVG chart (worker/web/chart.py) and the cross-year checks
(``XY_*`` findings: carry-over, roll-forward, duplicate) of each year.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from worker.store import queries
from worker.web.chart import SERIES_ZH, figures_chart
from worker.web.deps import CurrentUser, SessionDep
from worker.web.pages import render
from worker.web.routes.reports import common_labels

router = APIRouter()


@router.get("/bodies/{identity:path}/years")
def body_years(request: Request, identity: str, session: SessionDep, user: CurrentUser) -> Response:
    """The body's reports across years: figures, chart, carry-over checks."""
    history = queries.body_history(session, identity)
    if history is None:
        raise HTTPException(status_code=404)
    context = {"history": history, "chart": figures_chart(history), "series_zh": SERIES_ZH, **common_labels()}
    return render(request, "bodies/years.html", context, user=user, nav="reports")
