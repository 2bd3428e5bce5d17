"""Operations: the page that will hold re-checks and their progress; for now the link to Flower."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from worker.web.deps import CurrentUser, SettingsDep
from worker.web.pages import render

router = APIRouter()


@router.get("/ops")
def ops_page(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    """What runs, and where to look at it."""
    flower = f"http://{settings.flower_address}:{settings.flower_port}/"
    return render(request, "ops/index.html", {"flower_url": flower}, user=user, nav="ops")
