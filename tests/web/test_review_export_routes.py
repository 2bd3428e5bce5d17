"""The report page's review of findings, the list's review filter, the list's export buttons and times in
the configured zone, through Starlette's TestClient (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import re
from pathlib import Path
from urllib.parse import unquote

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import col, select

from tests.utils.stored import CLEAN, store_seeds
from tests.web.conftest import web_settings_for
from tests.web.test_review_routes import client_for, login
from worker.settings import Settings
from worker.store import queries
from worker.store.db import session_scope
from worker.store.review_models import FindingReview
from worker.store.web_models import AuditEntry
from worker.web.pages import local_time

ZONE = "Pacific/Kiritimati"  # UTC+14 (no summer time): the local hour always differs from UTC


def _listed(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr data-report="(\d+)">', page)}


def _failing(settings: Settings, report_id: int) -> list[int]:
    with session_scope(settings) as s:
        return [f.id for f in queries.report_findings(s, report_id) if f.status == "fail"]


def _mark(client: TestClient, csrf: str, rid: int, fid: int, verdict: str, reason: str) -> str:
    form = {"csrf_token": csrf, "verdict": verdict, "reason": reason, "next": f"/reports/{rid}"}
    answer = client.post(f"/reports/{rid}/findings/{fid}/review", data=form, follow_redirects=False)
    assert answer.status_code == 303
    location: str = answer.headers["location"]
    return location


def _finding_html(page: str, fid: int) -> str:
    start = page.index(f'id="finding-{fid}"')
    return page[start:page.index("</li>", start)]


def test_report_page_review_form_mark_and_viewer(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url, timezone=ZONE)
    ids = store_seeds(settings)
    rid = ids["002"]
    findings = _failing(settings, rid)
    assert len(findings) >= 2
    operator = client_for(settings)
    csrf = login(operator, "zhang")
    page = operator.get(f"/reports/{rid}").text
    assert page.count('class="review-form"') == len(queries_findings(settings, rid))  # one form per finding
    assert "尚未人工复核" in _finding_html(page, findings[0])

    reason = "<b>合并单元格</b>，人工核对无误"
    back = _mark(operator, csrf, rid, findings[0], "not_error", reason)
    assert back == f"/reports/{rid}#finding-{findings[0]}"
    page = operator.get(f"/reports/{rid}").text
    item = _finding_html(page, findings[0])
    assert "人工复核：非错误" in item and "zhang" in item
    assert html_lib.escape(reason, quote=False) in item and "<b>合并单元格" not in item  # escaped
    with session_scope(settings) as s:
        stored = s.exec(select(FindingReview)).one()
        at = stored.reviewed_at if stored.reviewed_at.tzinfo else stored.reviewed_at.replace(tzinfo=dt.UTC)
    local = at.astimezone(dt.timezone(dt.timedelta(hours=14))).strftime("%Y-%m-%d %H:%M")
    assert local in item and at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") not in item
    assert "尚未人工复核" in _finding_html(page, findings[1])

    viewer = client_for(settings)
    login(viewer, "li")
    seen = viewer.get(f"/reports/{rid}").text
    assert 'class="review-form"' not in seen
    assert "人工复核：非错误" in _finding_html(seen, findings[0]) and "zhang" in _finding_html(seen, findings[0])


def queries_findings(settings: Settings, report_id: int) -> list[int]:
    with session_scope(settings) as s:
        return [f.id for f in queries.report_findings(s, report_id)]


def test_list_filters_by_review_state(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    ids = store_seeds(settings)
    operator = client_for(settings)
    csrf = login(operator, "zhang")
    with_failing = {rid for rid in ids.values() if _failing(settings, rid)}
    assert ids["002"] in with_failing and ids["003"] in with_failing and ids[CLEAN] not in with_failing
    dismissed, confirmed = ids["002"], ids["003"]
    for fid in _failing(settings, dismissed):  # every failing finding of 002 reviewed: no longer needs review
        _mark(operator, csrf, dismissed, fid, "not_error", "人工核对无误")
    _mark(operator, csrf, confirmed, _failing(settings, confirmed)[0], "confirmed", "")

    listed = {state: _listed(operator.get("/reports", params={"review": state}).text)
              for state in ("unreviewed", "confirmed", "not_error", "reviewed")}  # fmt: skip
    assert listed["not_error"] == {dismissed}
    assert listed["confirmed"] == {confirmed}
    assert listed["reviewed"] == {dismissed, confirmed}
    assert listed["unreviewed"] == with_failing - {dismissed}
    page = operator.get("/reports", params={"review": "not_error"}).text
    assert '<option value="not_error" selected>' in page and "清除筛选" in page
    assert _listed(operator.get("/reports", params={"review": "bogus"}).text) == set(ids.values())


def test_list_export_buttons_download_the_filtered_list(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    ids = store_seeds(settings)
    viewer = client_for(settings)
    login(viewer, "li")
    page = viewer.get("/reports", params={"status": "errors", "sort": "body"}).text
    shown = [int(i) for i in re.findall(r'<tr data-report="(\d+)">', page)]
    assert set(shown) == {ids["002"], ids["003"]}
    links = re.findall(r'href="([^"]+)"[^>]*data-export="([^"]+)"', page)
    hrefs = {kind: html_lib.unescape(href) for href, kind in links}
    assert set(hrefs) == {"reports-xlsx", "reports-csv", "findings-xlsx", "findings-csv"}

    xlsx = viewer.get(hrefs["reports-xlsx"])
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = xlsx.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "报告列表.xlsx"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and [r[0] for r in rows[1:]] == shown  # the list's rows, in its order

    text = viewer.get(hrefs["reports-csv"])
    assert text.headers["content-type"].startswith("text/csv") and text.content.startswith(b"\xef\xbb\xbf")
    assert [int(r[0]) for r in list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))[1:]] == shown

    findings = load_workbook(io.BytesIO(viewer.get(hrefs["findings-xlsx"]).content)).active
    assert findings is not None
    assert {r[0] for r in list(findings.iter_rows(values_only=True))[1:]} == set(shown)

    named = viewer.get("/exports/reports.xlsx", params={"path": "泽州县/", "year": "2024"})
    name = unquote(named.headers["content-disposition"].split("filename*=UTF-8''", 1)[1])
    assert name == "报告列表-泽州县-2024.xlsx"
    assert [r[0] for r in list(load_workbook(io.BytesIO(named.content)).active.iter_rows(values_only=True))[1:]] == [
        ids["002"]]  # fmt: skip


def test_times_in_the_configured_zone() -> None:
    noon_utc = dt.datetime(2025, 1, 20, 6, 3, 59, tzinfo=dt.UTC)
    assert local_time(noon_utc) == "2025-01-20 14:03"  # Asia/Shanghai by default
    assert local_time(noon_utc.replace(tzinfo=None)) == "2025-01-20 14:03"  # SQLite: naive means UTC
    assert local_time(noon_utc, "Europe/Berlin") == "2025-01-20 07:03"
    assert local_time(None) == ""


def test_audit_page_shows_actions_in_the_configured_zone(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url, timezone=ZONE)
    rid = store_seeds(settings)["002"]
    operator = client_for(settings)
    csrf = login(operator, "zhang")
    _mark(operator, csrf, rid, _failing(settings, rid)[0], "not_error", "<i>核对</i>无误")
    page = operator.get("/audit")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-audit="\d+"[^>]*>(.*?)</tr>', page.text, re.S)
    assert len(rows) == 2 and "人工复核" in rows[0] and "登录" in rows[1]  # newest first
    assert "&lt;i&gt;核对&lt;/i&gt;无误" in rows[0] and "zhang" in rows[0] and "管理员" in rows[0]
    with session_scope(settings) as s:
        at = s.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
        assert at is not None
        stamp = at.at if at.at.tzinfo else at.at.replace(tzinfo=dt.UTC)
    assert stamp.astimezone(dt.timezone(dt.timedelta(hours=14))).strftime("%Y-%m-%d %H:%M") in rows[0]
    assert 'href="/audit"' in operator.get("/ops").text

    viewer = client_for(settings)
    login(viewer, "li")
    assert viewer.get("/audit").status_code == 403
    assert 'href="/audit"' not in viewer.get("/ops").text
