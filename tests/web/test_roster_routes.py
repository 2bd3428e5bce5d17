"""The registry pages through the TestClient: roster, roll-up, unmatched reports (resolve), downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import select

from tests.web.conftest import PASSWORDS, web_settings_for
from tests.web.roster_seed import seed
from worker.settings import Settings
from worker.store import queries
from worker.store.db import session_scope
from worker.store.web_models import AuditEntry
from worker.web.app import create_app

pytestmark = pytest.mark.integration
Q = "region=将乐县&year=2024&today=2025-01-20"


def _client(settings: Settings, name: str = "zhang") -> TestClient:
    client = TestClient(create_app(settings), base_url="http://127.0.0.1")
    form = {"name": name, "password": PASSWORDS[name], "next": "/", "csrf_token": _token(client, "/login")}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client


def _token(client: TestClient, path: str) -> str:
    return client.get(path).text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


@pytest.fixture
def seeded(tmp_path: Path, database_url: str) -> tuple[Settings, dict[str, int]]:
    settings = web_settings_for(tmp_path, database_url)
    return settings, seed(settings, tmp_path)


def test_roster_page_states_counts_deadlines_and_plot(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    client = _client(settings, "li")  # a viewer reads every page
    page = client.get(f"/roster?{Q}")
    assert page.status_code == 200
    html = page.text
    assert "共 6 个主体（截至 2025-01-20）" in html
    assert 'data-state="not_received">未收到 <strong>2</strong>' in html
    assert 'data-state="failing">已收到·未通过 <strong>2</strong>' in html
    assert 'data-state="corrected">更正后通过 <strong>1</strong>' in html
    assert f'<a href="/reports/{ids["bl2"]}">将乐县白莲镇人民政府</a>' in html  # the latest version
    assert f'<a href="/reports/{ids["gt2"]}">将乐县高唐镇人民政府</a>' in html
    assert "剩 11 天" in html and "剩 70 天" in html
    assert '<svg class="chart"' in html and "截止 1月31日" in html and "截止 3月31日" in html
    assert "<script" not in html
    only = client.get(f"/roster?{Q}&state=not_received").text
    assert "将乐县光明镇人民政府" in only and "将乐县南口镇人民政府" not in only
    assert 'href="/roster"' in html and 'href="/rollup"' in html  # navigation


def test_rollup_page_official_layout_members_warnings_and_history(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    html = _client(settings).get("/rollup?region=将乐县&year=2024").text
    with session_scope(settings) as s:
        rollup = queries.rollup(s, region="将乐县", year=2024)
    assert "纳入 3 个主体" in html and "未纳入 3 个" in html
    assert "<caption>三、申请情况</caption>" in html and "<caption>四、复议诉讼</caption>" in html
    assert '<th colspan="7">申请人情况</th>' in html
    total = rollup.value("applications", "new", "total")
    assert total is not None and f'<td class="num">{total:g}</td>' in html
    assert f'最新版本（<a href="/reports/{ids["gt2"]}">#{ids["gt2"]}</a>）未通过校验' in html
    assert "汇总数据通过勾稽校验" in html
    assert "历年主要数据" in html and '<svg class="chart"' in html


def test_downloads_read_back(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, _ = seeded
    client = _client(settings, "li")
    xlsx = client.get(f"/exports/roster.xlsx?{Q}")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 7 and sheet.freeze_panes == "A2"
    text = client.get(f"/exports/roster.csv?{Q}").content
    assert text.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert len(parsed) == 7 and any("将乐县光明镇人民政府" in r for r in parsed)
    book = load_workbook(io.BytesIO(client.get("/exports/rollup.xlsx?region=将乐县&year=2024").content))
    assert book.sheetnames[:2] == ["三、申请情况", "四、复议诉讼"]
    reports = client.get("/exports/reports.csv?year=2024").content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(reports)))) == 8
    assert client.get("/exports/secrets.xlsx").status_code == 404
    assert client.get("/exports/roster.pdf").status_code == 404


def test_resolving_an_unmatched_report(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    with session_scope(settings) as s:
        body = next(b for b in queries.list_bodies(s, region="将乐县") if b.name == "将乐县光明镇人民政府")
    viewer = _client(settings, "li")
    page = viewer.get("/bodies/unmatched").text
    assert "将乐县新区管理委员会" in page and "<form" not in page.split("<main>", 1)[1].split("</main>")[0]
    target = f"/bodies/unmatched/{ids['xq']}/resolve"
    token = _token(viewer, "/bodies/unmatched")
    assert viewer.post(target, data={"body_id": body.id, "csrf_token": token}).status_code == 403
    operator = _client(settings)
    assert operator.post(target, data={"body_id": body.id}).status_code == 403  # no CSRF token
    token = _token(operator, "/bodies/unmatched")
    answer = operator.post(target, data={"body_id": body.id, "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/bodies/unmatched"
    after = operator.get("/bodies/unmatched").text
    assert f"已为报告 #{ids['xq']} 指定报告主体" in after and "所有报告都已对应到报告主体" in after
    bad = operator.post(target, data={"body_id": 99999, "csrf_token": token}, follow_redirects=True)
    assert "无法指定报告主体" in bad.text
    with session_scope(settings) as s:
        audit = s.exec(select(AuditEntry).where(AuditEntry.action == "body_resolve")).all()
        assert [(a.user_name, a.outcome, a.target) for a in audit] == [
            ("zhang", "ok", f"report:{ids['xq']}"), ("zhang", "failed", f"report:{ids['xq']}")]
        roster = queries.roster(s, region="将乐县", year=2024, today=dt.date(2025, 1, 20))
    assert next(e for e in roster.entries if e.body.id == body.id).report_id == ids["xq"]


def test_roster_links_the_regions_reports_by_its_full_path(seeded: tuple[Settings, dict[str, int]]) -> None:
    """The roster names a region by one segment (将乐县); its report-list links filter by the full path prefix
    the bodies' paths give (福建省/三明市/将乐县), so the export holds the region's reports of the year."""
    settings, ids = seeded
    client = _client(settings, "li")
    html = client.get(f"/roster?{Q}").text
    href = html.split('download>报告列表 XLSX', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert unquote(href) == "/exports/reports.xlsx?path=福建省/三明市/将乐县&year=2024"
    sheet = load_workbook(io.BytesIO(client.get(href).content)).active
    assert sheet is not None
    exported = {r[0] for r in list(sheet.iter_rows(values_only=True))[1:]}
    assert exported == set(ids.values())  # the six towns' reports and the unmatched 新区 one, all 2024
    listed = client.get(href.replace("/exports/reports.xlsx", "/reports")).text
    assert all(f'<tr data-report="{i}">' in listed for i in ids.values())
