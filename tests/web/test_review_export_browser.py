"""Review on the report page, the review filter and the export buttons, in Debian's chromium (Playwright).

Seeds go through the real ingest. An operator opens a report from the list, marks a finding 非错误 with a
reason and sees the mark; filters the list by review state; downloads the filtered list as XLSX and reads it
back with openpyxl. A viewer sees the mark but no review form.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tests.web.conftest import Visit, web_settings_for
from tests.web.test_reports_browser import DRAFT, _ingest_seeds
from worker.settings import Settings
from worker.store import queries
from worker.store.db import session_scope


@pytest.fixture
def web_settings(tmp_path: Path, default_database_url: str) -> Settings:
    return web_settings_for(tmp_path, default_database_url)


def test_review_on_report_page_filter_and_export(visit: Visit, web_settings: Settings, tmp_path: Path) -> None:
    ids = _ingest_seeds(web_settings)
    rid = ids[DRAFT]
    with session_scope(web_settings) as s:
        fid = next(f.id for f in queries.report_findings(s, rid) if f.rule == "T3_COL_TOTAL")
    page = visit.page
    visit.login("zhang")
    page.click(f"tr[data-report='{rid}'] td.organ a")
    page.wait_for_url(f"**/reports/{rid}")
    item = page.locator(f"#finding-{fid}")
    assert "尚未人工复核" in item.inner_text()
    assert page.locator("form.review-form").count() == page.locator("ol.findings > li.finding").count()
    item.locator("input[name=reason]").fill("表中“总计”为报送系统自动生成，人工核对原件无误")
    item.locator("button.review-dismiss").click()
    page.wait_for_url(f"{visit.base}/reports/{rid}#finding-{fid}")
    item = page.locator(f"#finding-{fid}")
    shown = item.inner_text()
    assert "人工复核：非错误" in shown and "人工核对原件无误" in shown and "zhang" in shown
    assert "已记录人工复核：T3_COL_TOTAL 非错误" in page.inner_text("main")
    visit.screenshot("report-reviewed")

    visit.goto("/reports")
    assert page.locator("#total").inner_text() == str(len(ids))
    page.select_option("select[name=review]", "not_error")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**review=not_error**")
    rows = page.locator("tr[data-report]")
    assert page.locator("#total").inner_text() == "1" and rows.get_attribute("data-report") == str(rid)
    page.select_option("select[name=review]", "unreviewed")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**review=unreviewed**")
    listed = {int(rows.nth(i).get_attribute("data-report") or 0) for i in range(rows.count())}
    with session_scope(web_settings) as s:  # reports with a failing finding and no review of it
        expected = {r for r in ids.values() if any(f.status == "fail" and f.id != fid
                                                    for f in queries.report_findings(s, r))}  # fmt: skip
    assert listed == expected and listed
    visit.screenshot("reports-needs-review")

    with page.expect_download() as info:
        page.click("a[data-export=reports-xlsx]")
    download = info.value
    assert download.suggested_filename == "报告列表.xlsx"
    saved = tmp_path / "export.xlsx"
    download.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet is not None and sheet.freeze_panes == "A2"
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:2] == ("编号", "报告主体")
    assert [r[0] for r in table[1:]] == [int(rows.nth(i).get_attribute("data-report") or 0)
                                         for i in range(rows.count())]  # the rows shown, in their order
    assert unquote(download.url).endswith("/exports/reports.xlsx?review=unreviewed")

    page.click("button:has-text('退出')")
    visit.login("li")
    visit.goto(f"/reports/{rid}")
    assert page.locator("form.review-form").count() == 0
    shown = page.locator(f"#finding-{fid}").inner_text()
    assert "人工复核：非错误" in shown and "zhang" in shown
