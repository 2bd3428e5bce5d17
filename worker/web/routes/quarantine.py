"""Quarantine: the quarantined files, and deleting one (operators only, confirmed, audit-logged).

The list is a placeholder until the read layer (worker/store/queries.py) is merged; re-queue comes later.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from worker.logging import get_logger
from worker.settings import Settings
from worker.store.models import QuarantineRecord
from worker.store.web_models import AuditAction, AuditOutcome
from worker.web.audit import record_action
from worker.web.deps import CurrentUser, OperatorUser, SessionDep, SettingsDep
from worker.web.pages import flash, render

log = get_logger(__name__)
router = APIRouter(prefix="/quarantine")
PLACEHOLDER_LIMIT = 200


def _record(session: Session, record_id: int) -> QuarantineRecord:
    record = session.get(QuarantineRecord, record_id)
    if record is None:
        raise HTTPException(status_code=404)
    return record


def _quarantined_file(settings: Settings, record: QuarantineRecord) -> Path | None:
    """The record's file, only when it lies inside the quarantine folder (the path comes from the database)."""
    if not record.quarantine_path:
        return None
    path = Path(record.quarantine_path).resolve()
    return path if path.is_relative_to(settings.quarantine_path) else None


@router.get("")
def list_quarantine(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every quarantined file, newest first."""
    # TODO(issue 12): use the quarantine list of worker/store/queries.py once it is merged.
    records = session.exec(
        select(QuarantineRecord).order_by(col(QuarantineRecord.id).desc()).limit(PLACEHOLDER_LIMIT)
    ).all()
    return render(request, "quarantine/list.html", {"records": records}, user=user, nav="quarantine")


@router.get("/{record_id}/delete")
def confirm_delete(request: Request, record_id: int, session: SessionDep, user: OperatorUser) -> Response:
    """Ask before deleting."""
    record = _record(session, record_id)
    return render(request, "quarantine/delete.html", {"record": record}, user=user, nav="quarantine")


@router.post("/{record_id}/delete")
def delete(
    request: Request, record_id: int, session: SessionDep, settings: SettingsDep, user: OperatorUser
) -> Response:
    """Delete the quarantined file and its record."""
    record = _record(session, record_id)
    target = f"quarantine:{record_id}"
    path = _quarantined_file(settings, record)
    try:
        if path is not None:
            path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("quarantine_delete_failed", record=record_id, error=str(exc))
        record_action(
            session, request, user=user, action=AuditAction.QUARANTINE_DELETE,
            outcome=AuditOutcome.FAILED, target=target, detail=str(exc),
        )  # fmt: skip
        flash(request, f"无法删除文件：{record.name}")
        return RedirectResponse("/quarantine", status_code=303)
    session.delete(record)
    record_action(
        session, request, user=user, action=AuditAction.QUARANTINE_DELETE, target=target, detail=record.name
    )
    flash(request, f"已删除：{record.name}")
    return RedirectResponse("/quarantine", status_code=303)
