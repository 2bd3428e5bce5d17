"""Review of findings (人工复核): mark a finding "confirmed" or "not an error" with a reason.

``POST /reports/{id}/findings/{finding_id}/review`` (operators; CSRF; audit-logged) stores the verdict
(worker/store/reviews.py) and goes back to ``next`` (the report page, say). ``GET /reports/{id}/review``
lists a report's findings, each with its review and, for operators, the form. The form is the macro
``review_form`` of ``templates/review/form.html``; the report page includes it next to each finding::

    {% from "review/form.html" import review_form %}
    {{ review_form(report.id, finding.id, reviews.get(finding.id), user, csrf_field, next=request.url.path) }}

with ``reviews = queries.finding_reviews(session, report.id)``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from worker.store import queries
from worker.store.review_models import ReviewVerdict
from worker.store.reviews import FindingNotFound, review_finding
from worker.store.web_models import AuditAction
from worker.web.audit import record_action
from worker.web.deps import CurrentUser, OperatorUser, SessionDep
from worker.web.pages import flash, render
from worker.web.routes.login import safe_next

router = APIRouter()


@router.get("/reports/{report_id}/review")
def review_page(request: Request, report_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """A report's findings with their reviews (and the review form for operators)."""
    report = queries.get_report(session, report_id, with_cells=False)
    if report is None:
        raise HTTPException(status_code=404)
    context = {"report": report, "reviews": queries.finding_reviews(session, report_id)}
    return render(request, "review/page.html", context, user=user, nav="reports")


@router.post("/reports/{report_id}/findings/{finding_id}/review")
def review(
    request: Request,
    report_id: int,
    finding_id: int,
    session: SessionDep,
    user: OperatorUser,
    verdict: Annotated[ReviewVerdict, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record the operator's verdict on one finding and go back to the page it was given on."""
    back = safe_next(next or f"/reports/{report_id}/review")
    if verdict is ReviewVerdict.NOT_ERROR and not reason.strip():
        flash(request, "标记为“非错误”时请填写理由。")
        return RedirectResponse(f"{back}#finding-{finding_id}", status_code=303)
    try:
        stored = review_finding(
            session, report_id, finding_id, verdict=verdict, reason=reason, user_name=user.name
        )
    except FindingNotFound as exc:
        raise HTTPException(status_code=404) from exc
    record_action(
        session, request, user=user, action=AuditAction.FINDING_REVIEW,
        target=f"report:{report_id}/{stored.rule}@{stored.location}", detail=f"{verdict.value}: {stored.reason}",
    )  # fmt: skip
    flash(request, f"已记录人工复核：{stored.rule} {verdict.label}。")
    return RedirectResponse(f"{back}#finding-{finding_id}", status_code=303)
