"""Operations: re-check stored reports (a run of ``nianbao.recheck`` tasks) with progress; the live workers and
whether their verdict settings agree (worker/verdict_settings.py); the Flower link.

The page lists the latest re-check runs with their progress; ``static/ops.js`` polls ``/ops/rechecks.json``
while one is running and updates the bars (without JavaScript the page still shows the state at load).
Starting a run is an operator action (audit-logged). ``SenderDep`` is the Celery producer the routes use
to send tasks (also the quarantine's re-queue).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from worker.recheck import RecheckNotQueued, SendTask, start_recheck, task_sender
from worker.store import queries
from worker.store.web_models import AuditAction, AuditOutcome
from worker.web.audit import record_action
from worker.web.deps import CurrentUser, OperatorUser, SessionDep, SettingsDep
from worker.web.pages import flash, render

router = APIRouter(prefix="/ops")
RUNS_SHOWN = 10


def get_sender(request: Request, settings: SettingsDep) -> SendTask:
    """The application's task producer, made on first use."""
    sender: SendTask | None = getattr(request.app.state, "task_sender", None)
    if sender is None:
        sender = request.app.state.task_sender = task_sender(settings)
    return sender


SenderDep = Annotated[SendTask, Depends(get_sender)]


@router.get("")
def ops_page(request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser) -> Response:
    """Re-check runs and their progress, the false-finding rate by rule, the live workers and whether their
    verdict settings agree, and where to look at the queue."""
    context = {
        "flower_url": f"http://{settings.flower_address}:{settings.flower_port}/",
        "runs": queries.recheck_runs(session, limit=RUNS_SHOWN),
        "rates": queries.false_finding_rates(session),
        "workers": queries.worker_settings_check(session),  # do the live workers check with the same settings?
    }
    return render(request, "ops/index.html", context, user=user, nav="ops")


@router.get("/rechecks.json")
def rechecks_json(session: SessionDep, user: CurrentUser) -> JSONResponse:
    """The latest runs' progress, for ``static/ops.js``."""
    runs = queries.recheck_runs(session, limit=RUNS_SHOWN)
    return JSONResponse(
        {"runs": [{"id": r.id, "state": r.state, "total": r.total, "done": r.done, "failed": r.failed,
                   "finished": r.finished, "percent": r.percent} for r in runs]}
    )  # fmt: skip


def _optional_year(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and 1990 <= int(text) <= 2100 else None


@router.post("/recheck")
def start(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: OperatorUser,
    send: SenderDep,
    year: Annotated[str, Form(max_length=8)] = "",
    path_prefix: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Re-check every stored report, or those of one year and/or administrative path prefix."""
    if year.strip() and _optional_year(year) is None:
        flash(request, "年度格式有误（例如 2024）。")
        return RedirectResponse("/ops", status_code=303)
    chosen_year, prefix = _optional_year(year), path_prefix.strip().strip("/") or None
    scope = f"year={chosen_year or '*'} path={prefix or '*'}"
    try:
        run_id = start_recheck(settings, send, year=chosen_year, path_prefix=prefix, requested_by=user.name)
    except RecheckNotQueued as exc:
        record_action(session, request, user=user, action=AuditAction.RECHECK, outcome=AuditOutcome.FAILED,
                      detail=f"{scope}: {exc}")  # fmt: skip
        flash(request, "无法把重新校验任务放入队列（任务队列不可用），请稍后再试。")
        return RedirectResponse("/ops", status_code=303)
    record_action(session, request, user=user, action=AuditAction.RECHECK, target=f"recheck:{run_id}",
                  detail=scope)  # fmt: skip
    flash(request, f"已开始重新校验（第 {run_id} 次）。")
    return RedirectResponse("/ops", status_code=303)
