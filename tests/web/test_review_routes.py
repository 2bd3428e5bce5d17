"""The review route and page through Starlette's TestClient (SQLite and PostgreSQL): operators mark, viewers
read, CSRF and roles enforced, every mark audit-logged, reasons escaped."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import select

from tests.utils.stored import store_seeds
from tests.web.conftest import PASSWORDS, web_settings_for
from worker.settings import Settings
from worker.store import queries
from worker.store.db import session_scope
from worker.store.review_models import FindingReview
from worker.store.web_models import AuditAction, AuditEntry
from worker.web.app import create_app


def client_for(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), base_url="http://127.0.0.1")


def token(client: TestClient, path: str = "/login") -> str:
    html = client.get(path).text
    return html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def login(client: TestClient, name: str) -> str:
    """Log ``name`` in; returns the session's CSRF token."""
    form = {"name": name, "password": PASSWORDS[name], "next": "/", "csrf_token": token(client)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return token(client, "/reports")


def audit(settings: Settings) -> list[tuple[str, str, str | None, str | None]]:
    with session_scope(settings) as s:
        rows = s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
        return [(r.user_name, r.action, r.target, r.detail) for r in rows if r.action != AuditAction.LOGIN]


def _first_finding(settings: Settings, report_id: int, rule: str) -> int:
    with session_scope(settings) as s:
        return next(f.id for f in queries.report_findings(s, report_id) if f.rule == rule)


def _reviews(settings: Settings) -> list[tuple[int, str, str, str, str]]:
    with session_scope(settings) as s:
        rows = s.exec(select(FindingReview).order_by(FindingReview.id)).all()  # type: ignore[arg-type]
        return [(r.report_id, r.rule, r.verdict, r.reason, r.user_name) for r in rows]


def test_operator_marks_a_finding_and_sees_it(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    rid = store_seeds(settings)["000"]
    fid = _first_finding(settings, rid, "SEC6_FEE")
    client = client_for(settings)
    csrf = login(client, "zhang")
    page = client.get(f"/reports/{rid}/review")
    assert page.status_code == 200 and "尚未人工复核" in page.text and 'class="review-form"' in page.text

    url = f"/reports/{rid}/findings/{fid}/review"
    hostile = "<script>alert(1)</script>费用为零，正文已说明"
    answer = client.post(url, data={"verdict": "not_error", "reason": hostile, "csrf_token": csrf,
                                    "next": f"/reports/{rid}/review"}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == f"/reports/{rid}/review#finding-{fid}"
    page = client.get(f"/reports/{rid}/review").text
    assert "已记录人工复核：SEC6_FEE 非错误" in page and "人工复核：非错误" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;费用为零" in page and "<script>alert(1)" not in page
    assert _reviews(settings) == [(rid, "SEC6_FEE", "not_error", hostile, "zhang")]

    # a second mark of the same finding replaces the first; "confirmed" needs no reason
    client.post(url, data={"verdict": "confirmed", "csrf_token": csrf}, follow_redirects=False)
    assert _reviews(settings) == [(rid, "SEC6_FEE", "confirmed", "", "zhang")]
    target = f"report:{rid}/SEC6_FEE@|||other|409"
    assert audit(settings) == [
        ("zhang", AuditAction.FINDING_REVIEW, target, f"not_error: {hostile}"),
        ("zhang", AuditAction.FINDING_REVIEW, target, "confirmed: "),
    ]


def test_not_an_error_needs_a_reason_and_a_real_finding(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    ids = store_seeds(settings)
    fid = _first_finding(settings, ids["000"], "SEC6_FEE")
    client = client_for(settings)
    csrf = login(client, "zhang")
    answer = client.post(f"/reports/{ids['000']}/findings/{fid}/review",
                         data={"verdict": "not_error", "reason": "  ", "csrf_token": csrf})  # fmt: skip
    assert "标记为“非错误”时请填写理由" in answer.text and _reviews(settings) == []
    other = client.post(f"/reports/{ids['001']}/findings/{fid}/review",
                        data={"verdict": "confirmed", "csrf_token": csrf}, follow_redirects=False)  # fmt: skip
    assert other.status_code == 404  # the finding is not one of that report's
    bad = client.post(f"/reports/{ids['000']}/findings/{fid}/review",
                      data={"verdict": "maybe", "csrf_token": csrf}, follow_redirects=False)  # fmt: skip
    assert bad.status_code == 422
    assert client.get("/reports/999999/review").status_code == 404
    assert _reviews(settings) == []


def test_viewers_read_reviews_but_cannot_mark(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    rid = store_seeds(settings)["000"]
    fid = _first_finding(settings, rid, "SEC6_FEE")
    operator = client_for(settings)
    operator.post(f"/reports/{rid}/findings/{fid}/review",
                  data={"verdict": "not_error", "reason": "正文已说明", "csrf_token": login(operator, "zhang")})  # fmt: skip
    viewer = client_for(settings)
    csrf = login(viewer, "li")
    page = viewer.get(f"/reports/{rid}/review").text
    assert "人工复核：非错误" in page and "正文已说明" in page and "review-form" not in page
    refused = viewer.post(f"/reports/{rid}/findings/{fid}/review",
                          data={"verdict": "confirmed", "csrf_token": csrf}, follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403
    no_token = operator.post(f"/reports/{rid}/findings/{fid}/review", data={"verdict": "confirmed"},
                             follow_redirects=False)  # fmt: skip
    assert no_token.status_code == 403
    assert _reviews(settings) == [(rid, "SEC6_FEE", "not_error", "正文已说明", "zhang")]
