"""The web application in a real browser (Debian's chromium via Playwright), against a real database."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from tests.web.conftest import Visit
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.models import QuarantineRecord, StoredReport
from worker.store.web_models import AuditAction, AuditEntry, AuditOutcome

HOSTILE_ORGAN = "<script>window.__pwned = 1</script>某县<b>人民政府</b>"
HOSTILE_FILE = '<img src=x onerror="window.__pwned = 2">.txt'


def _store_hostile_report(settings: Settings) -> None:
    with session_scope(settings) as s:
        s.add(
            StoredReport(
                sha256="a" * 64, file_name=HOSTILE_FILE, organ=HOSTILE_ORGAN, year=2024, template="2021",
                status="failed", error_count=1, report_json="{}",
            )
        )  # fmt: skip


def _store_quarantined(settings: Settings) -> tuple[int, Path]:
    path = settings.quarantine_path / "坏文件.doc"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    with session_scope(settings) as s:
        record = QuarantineRecord(
            sha256="b" * 64, name="坏文件.doc", original_path="/inbox/坏文件.doc", quarantine_path=str(path),
            stage="extract", reason="无法读取此格式",
        )  # fmt: skip
        s.add(record)
        s.flush()
        assert record.id is not None
        return record.id, path


def _audit(settings: Settings) -> list[tuple[str, str, str]]:
    with session_scope(settings) as s:
        rows = s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
        return [(r.user_name, r.action, r.outcome) for r in rows]


def test_login_as_operator_and_viewer(visit: Visit, web_settings: Settings) -> None:
    _store_quarantined(web_settings)
    response = visit.goto("/reports")
    assert visit.page.url.startswith(visit.base + "/login?next=")  # not logged in: to the login page
    assert response is not None and response.status == 200
    visit.screenshot("login")

    visit.page.fill("input[name=name]", "zhang")
    visit.page.fill("input[name=password]", "wrong")
    visit.page.click("button[type=submit]")
    assert "用户名或密码不正确" in visit.page.inner_text("main")

    visit.login("zhang")
    assert visit.page.inner_text(".whoami").split() == ["zhang", "管理员", "退出"]
    assert visit.page.inner_text("nav.mainnav").split() == [
        "报告",
        "隔离区",
        "报送情况",
        "区域汇总",
        "待确认主体",
        "运维",
    ]
    visit.screenshot("reports")
    visit.page.click("text=隔离区")
    assert visit.page.locator("a.danger", has_text="删除").count() == 1  # operators see the action
    visit.screenshot("quarantine")
    visit.page.click("button:has-text('退出')")
    visit.page.wait_for_url(visit.base + "/login")
    assert "已退出登录" in visit.page.inner_text("main")

    visit.login("li")
    assert visit.page.inner_text(".whoami").split() == ["li", "查看者", "退出"]
    visit.page.click("text=隔离区")
    assert visit.page.locator("a.danger").count() == 0  # viewers do not

    assert _audit(web_settings) == [
        ("zhang", AuditAction.LOGIN, AuditOutcome.REFUSED),
        ("zhang", AuditAction.LOGIN, AuditOutcome.OK),
        ("zhang", AuditAction.LOGOUT, AuditOutcome.OK),
        ("li", AuditAction.LOGIN, AuditOutcome.OK),
    ]


def test_post_without_csrf_token_is_refused(visit: Visit, web_settings: Settings) -> None:
    visit.goto("/login")
    refused = visit.page.request.post(
        visit.base + "/login", form={"name": "zhang", "password": "operator-口令-1", "next": "/"}
    )
    assert refused.status == 403
    assert "防伪令牌" in refused.text()
    visit.login("zhang")
    assert visit.page.request.post(visit.base + "/logout", form={}).status == 403
    token = visit.page.get_attribute("meta[name=csrf-token]", "content")
    wrong = visit.page.request.post(visit.base + "/logout", form={"csrf_token": "x" + (token or "")})
    assert wrong.status == 403
    visit.goto("/reports")
    assert visit.page.inner_text(".user-name") == "zhang"  # still logged in: nothing happened
    assert _audit(web_settings) == [("zhang", AuditAction.LOGIN, AuditOutcome.OK)]


def test_viewer_is_refused_an_operator_action(visit: Visit, web_settings: Settings) -> None:
    record_id, path = _store_quarantined(web_settings)
    visit.login("li")
    assert visit.goto(f"/quarantine/{record_id}/delete").status == 403
    assert "需要“管理员”权限" in visit.page.inner_text("main")
    visit.screenshot("forbidden")
    token = visit.page.get_attribute("meta[name=csrf-token]", "content")
    response = visit.page.request.post(
        visit.base + f"/quarantine/{record_id}/delete", form={"csrf_token": token or ""}
    )
    assert response.status == 403
    assert path.exists()
    with session_scope(web_settings) as s:
        assert s.get(QuarantineRecord, record_id) is not None

    visit.page.click("button:has-text('退出')")
    visit.login("zhang")
    visit.goto("/quarantine")
    visit.page.click("a.danger")
    assert "确定删除" in visit.page.inner_text("main")
    visit.page.click("button:has-text('确认删除')")
    visit.page.wait_for_url(visit.base + "/quarantine")
    assert "已删除：坏文件.doc" in visit.page.inner_text("main")
    assert not path.exists()
    with session_scope(web_settings) as s:
        assert s.get(QuarantineRecord, record_id) is None
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.QUARANTINE_DELETE)).one()
        assert (entry.user_name, entry.role, entry.target) == ("zhang", "operator", f"quarantine:{record_id}")


def test_security_headers(visit: Visit) -> None:
    for path in ("/login", "/static/app.css", "/no-such-page"):
        response = visit.goto(path)
        assert response is not None
        headers = response.headers
        assert headers["content-security-policy"].startswith("default-src 'self'"), path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
    assert visit.goto("/no-such-page").status == 404
    assert "页面不存在" in visit.page.inner_text("main")


def test_report_content_is_escaped(visit: Visit, web_settings: Settings) -> None:
    _store_hostile_report(web_settings)
    dialogs: list[str] = []
    visit.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    visit.login("zhang")
    assert visit.page.inner_text("td.organ") == HOSTILE_ORGAN  # shown as text, markup and all
    assert visit.page.inner_text("td.file") == HOSTILE_FILE
    assert visit.page.evaluate("window.__pwned") is None
    assert visit.page.locator("main script, main img, main b").count() == 0
    assert dialogs == []
    visit.screenshot("reports-escaped")


def test_every_page_stays_on_the_loopback(visit: Visit, web_settings: Settings) -> None:
    _store_hostile_report(web_settings)
    _store_quarantined(web_settings)
    visit.login("zhang")
    for path in ("/", "/reports", "/quarantine", "/ops", "/healthz", "/missing"):
        visit.goto(path)
        visit.page.wait_for_load_state("networkidle")
    assert any(u.endswith(".css") or "/static/app.css" in u for u in visit.requests)
    # the assertion itself runs in the `visit` fixture for every browser test
