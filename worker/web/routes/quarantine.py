"""Quarantine (隔离区): every quarantined file with its reason, download, re-queue, delete with confirmation.

Viewers see the list and download; re-queue (重新处理: back into the inbox, ``nianbao.ingest`` sent) and
delete are operator actions, audit-logged. A file is only ever read or removed inside the quarantine
folder (the path comes from the database).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session

from worker import tasknames
from worker.logging import get_logger
from worker.requeue import RequeueRefused, quarantined_file, requeue_quarantined
from worker.spool import clear_quarantine
from worker.store import queries
from worker.store.models import QuarantineRecord
from worker.store.web_models import AuditAction, AuditOutcome
from worker.web.audit import record_action
from worker.web.deps import CurrentUser, OperatorUser, SessionDep, SettingsDep
from worker.web.pages import flash, render
from worker.web.routes.ops import SenderDep

log = get_logger(__name__)
router = APIRouter(prefix="/quarantine")
PER_PAGE = 50
STAGE_LABELS = {
    "extract": "读取文件",
    "parse": "解析报告",
    "store": "校验或入库",
    "deliveries": "多次处理未完成",
    "too_large": "文件过大",
    "time_limit": "处理超时",
    "claim": "领取文件",
}
STAGE_REASONS = {  # when the stored reason is not Chinese (the ingest's own stages write English)
    "store": "校验或入库时出错。",
    "deliveries": "多次开始处理都未能完成（处理进程被终止或超时），已停止重试。",
    "too_large": "文件超过允许的大小。",
    "time_limit": "处理时间超过限制。",
    "claim": "无法领取文件。",
    "extract": "无法读取文件。",
    "parse": "无法解析报告内容。",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def reason_zh(stage: str, reason: str) -> str:
    """The reason in Chinese: the stored one when it is Chinese, else a Chinese sentence for its stage."""
    return reason if _CJK.search(reason) else STAGE_REASONS.get(stage, "无法处理此文件。")


def _record(session: Session, record_id: int) -> QuarantineRecord:
    record = session.get(QuarantineRecord, record_id)
    if record is None:
        raise HTTPException(status_code=404)
    return record


@router.get("")
def list_quarantine(request: Request, session: SessionDep, user: CurrentUser, page: int = 1) -> Response:
    """Every quarantined file, newest first."""
    listing = queries.list_quarantine(session, page=page, per_page=PER_PAGE)
    context = {
        "listing": listing,
        "pages": max(1, -(-listing.total // PER_PAGE)),
        "stage_labels": STAGE_LABELS,
        "reason_zh": reason_zh,
    }
    return render(request, "quarantine/list.html", context, user=user, nav="quarantine")


@router.get("/{record_id}/download")
def download(record_id: int, session: SessionDep, settings: SettingsDep, user: CurrentUser) -> Response:
    """The quarantined file itself, as an attachment (never shown inline: it is untrusted)."""
    record = _record(session, record_id)
    path = quarantined_file(settings, record)
    if path is None or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, filename=record.name, media_type="application/octet-stream")


@router.post("/{record_id}/requeue")
def requeue(
    request: Request,
    record_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: OperatorUser,
    send: SenderDep,
) -> Response:
    """Move the file back into the inbox and send it to the workers again."""
    record = _record(session, record_id)
    target, name = f"quarantine:{record_id}", record.name
    try:
        inbox_path = requeue_quarantined(session, settings, record)
    except (RequeueRefused, OSError) as exc:
        message = str(exc) if isinstance(exc, RequeueRefused) else f"无法移动文件：{exc.strerror or exc}"
        record_action(session, request, user=user, action=AuditAction.QUARANTINE_REQUEUE,
                      outcome=AuditOutcome.FAILED, target=target, detail=message)  # fmt: skip
        flash(request, f"无法重新处理 {name}：{message}")
        return RedirectResponse("/quarantine", status_code=303)
    record_action(session, request, user=user, action=AuditAction.QUARANTINE_REQUEUE, target=target,
                  detail=f"{name} -> {inbox_path}")  # fmt: skip
    session.commit()  # the file is in the inbox now: its record must go even if the broker is down
    if settings.relays_files:  # the watcher hands it over (worker/relay): it watches the inbox
        flash(request, f"已重新处理：{name}（已移回收件目录，由监视程序转交）")
        return RedirectResponse("/quarantine", status_code=303)
    try:
        send(tasknames.INGEST, [str(inbox_path)])
    except Exception as exc:  # the watcher (if running) still finds the file in the inbox
        log.warning("requeue_send_failed", record=record_id, path=str(inbox_path), error=str(exc))
        flash(request, f"{name} 已移回收件目录，但任务队列暂不可用：运行中的监视进程会处理它。")
        return RedirectResponse("/quarantine", status_code=303)
    flash(request, f"已重新处理：{name}（已移回收件目录）")
    return RedirectResponse("/quarantine", status_code=303)


@router.get("/{record_id}/delete")
def confirm_delete(request: Request, record_id: int, session: SessionDep, user: OperatorUser) -> Response:
    """Ask before deleting."""
    record = _record(session, record_id)
    return render(request, "quarantine/delete.html", {"record": record}, user=user, nav="quarantine")


@router.post("/{record_id}/delete")
def delete(
    request: Request, record_id: int, session: SessionDep, settings: SettingsDep, user: OperatorUser
) -> Response:
    """Delete the quarantined file (and its note) and its record."""
    record = _record(session, record_id)
    target = f"quarantine:{record_id}"
    path = quarantined_file(settings, record)
    try:
        if path is not None:
            path.unlink(missing_ok=True)
            clear_quarantine(path, settings)
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
