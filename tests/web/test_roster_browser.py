"""What an office does on the registry pages, in Debian's chromium: roster, a download, resolving a report."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.web.conftest import Visit
from tests.web.roster_seed import seed
from worker.settings import Settings

pytestmark = pytest.mark.integration


def test_roster_download_and_resolve(visit: Visit, web_settings: Settings, tmp_path: Path) -> None:
    ids = seed(web_settings, tmp_path)
    visit.login("zhang")
    visit.goto("/roster?region=将乐县&year=2024&today=2025-02-03")
    page = visit.page
    assert page.locator("a[data-state=not_received] strong").inner_text() == "2"
    assert page.locator("a[data-state=corrected] strong").inner_text() == "1"
    row = page.locator("tr", has_text="将乐县光明镇人民政府")
    assert "未收到" in row.inner_text() and "逾期 3 天" in row.inner_text()
    assert page.locator("svg.chart").count() == 1
    visit.screenshot("roster")
    with page.expect_download() as info:
        page.click("text=报送情况 XLSX")
    saved = tmp_path / "roster.xlsx"
    info.value.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet is not None and sheet.max_row == 7
    page.click("text=待确认主体")
    form = page.locator(f"tr[data-report='{ids['xq']}'] form")
    form.locator("select").select_option(label="将乐县光明镇人民政府（福建省/三明市/将乐县/光明镇）")
    with page.expect_navigation():  # the form posts and redirects back to this same address
        form.locator("button").click()
    assert "所有报告都已对应到报告主体" in page.content()
    visit.goto("/roster?region=将乐县&year=2024&today=2025-02-03")
    assert page.locator("a[data-state=not_received] strong").inner_text() == "1"
    visit.goto("/rollup?region=将乐县&year=2024")
    assert "三、申请情况" in page.content()
    visit.screenshot("rollup")
    with page.expect_download() as info:
        page.click("text=区域汇总 XLSX")
    assert info.value.suggested_filename == "区域汇总-将乐县-2024.xlsx"
    info.value.save_as(tmp_path / "rollup.xlsx")
    assert load_workbook(tmp_path / "rollup.xlsx").sheetnames[:2] == ["三、申请情况", "四、复议诉讼"]


def test_the_page_an_action_redirects_to_shows_the_action_done(
    visit: Visit, web_settings: Settings, tmp_path: Path
) -> None:
    """The action's transaction commits before its redirect leaves, however slow the commit (here 0.4 s)."""
    import time

    from sqlalchemy import event

    from worker.store.db import get_engine

    ids = seed(web_settings, tmp_path)
    visit.login("zhang")
    visit.goto("/bodies/unmatched")
    page = visit.page
    form = page.locator(f"tr[data-report='{ids['xq']}'] form")
    form.locator("select").select_option(label="将乐县光明镇人民政府（福建省/三明市/将乐县/光明镇）")
    engine = get_engine(web_settings)
    slow_commit = lambda conn: time.sleep(0.4)  # noqa: E731
    event.listen(engine, "commit", slow_commit)
    try:
        with page.expect_navigation():
            form.locator("button").click()
        assert "所有报告都已对应到报告主体" in page.inner_text("main")
    finally:
        event.remove(engine, "commit", slow_commit)
