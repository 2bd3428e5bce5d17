"""``/healthz``: the application answers and reaches its database (no login: for monitoring)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from worker.store.db import ping
from worker.web.deps import SettingsDep

router = APIRouter()


@router.get("/healthz")
def healthz(settings: SettingsDep) -> JSONResponse:
    """``{"status": "ok", "database": "ok"}``, or 503 with ``"database": "unavailable"``."""
    try:
        ping(settings)
    except SQLAlchemyError:
        return JSONResponse({"status": "degraded", "database": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
