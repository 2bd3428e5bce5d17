"""The audit log (操作记录): every login, logout and operator action, newest first (operators only).

    GET /audit?page=      100 entries a page; times in the configured zone
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from worker.store.queries.audit import audit_log
from worker.store.web_models import AuditAction, AuditOutcome
from worker.web.deps import OperatorUser, SessionDep
from worker.web.pages import render

router = APIRouter()
PER_PAGE = 100
ACTION_ZH = {
    AuditAction.LOGIN: "登录", AuditAction.LOGOUT: "退出", AuditAction.QUARANTINE_DELETE: "删除隔离文件",
    AuditAction.QUARANTINE_REQUEUE: "重新处理隔离文件", AuditAction.FINDING_REVIEW: "人工复核",
    AuditAction.RECHECK: "重新校验", AuditAction.BODY_RESOLVE: "指定报告主体",
}  # fmt: skip
OUTCOME_ZH = {AuditOutcome.OK: "成功", AuditOutcome.REFUSED: "被拒绝", AuditOutcome.FAILED: "未能完成"}
ROLE_ZH = {"operator": "管理员", "viewer": "查看者"}


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, user: OperatorUser, page: int = 1) -> Response:
    """Who did what through the web application, and when."""
    log = audit_log(session, page=page, per_page=PER_PAGE)
    context = {
        "log": log, "action_zh": {a.value: z for a, z in ACTION_ZH.items()},
        "outcome_zh": {o.value: z for o, z in OUTCOME_ZH.items()}, "role_zh": ROLE_ZH,
    }  # fmt: skip
    return render(request, "audit/list.html", context, user=user, nav="ops")
