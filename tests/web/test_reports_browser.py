"""The report pages in a real browser: seeds through the real ingest, list, filters, a report, versions.

Debian's chromium via Playwright (tests/web/conftest.py). Screenshots at 1366x768 go to
tests/artifacts/screenshots/ (not committed); docs/screenshots/report.png is a copy of ``report``.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from tests.utils.stored import SEEDS_DIR
from tests.web.conftest import Visit
from worker.ingest import ingest_file
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.models import StoredReport

DRAFT = "将乐县南口镇年报（初稿）.txt"  # seed 000 with 3 new applications by natural persons and a total of 0


def _drop_and_ingest(settings: Settings, name: str, data: bytes, n: int) -> None:
    path = settings.inbox_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    result = ingest_file(path, settings=settings, task_id=f"browser-{n}", send_task=lambda _name, _args: None)
    assert result.status == "ingested", result


def _draft_of_seed_000() -> bytes:
    lines = sorted(SEEDS_DIR.glob("000_*.txt"))[0].read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if "本年新收政府信息公开申请数量" in line)
    lines[at + 1] = lines[at + 1].replace("0", "3")  # 自然人 3, 总计 still 0: T3_COL_TOTAL and T3_BALANCE
    return "\n".join(lines).encode("utf-8")


def _ingest_seeds(settings: Settings) -> dict[str, int]:
    _drop_and_ingest(settings, DRAFT, _draft_of_seed_000(), 0)
    for n, seed in enumerate(sorted(SEEDS_DIR.glob("*.txt")), start=1):
        _drop_and_ingest(settings, seed.name, seed.read_bytes(), n)
    with session_scope(settings) as s:
        return {r.file_name: r.id for r in s.exec(select(StoredReport)).all() if r.id is not None}


def test_list_filter_report_cell_versions(visit: Visit, web_settings: Settings) -> None:
    ids = _ingest_seeds(web_settings)
    assert len(ids) == 6
    visit.login("li")
    page = visit.page
    assert page.locator("#total").inner_text() == "6"
    visit.screenshot("reports-list")

    page.click("a[data-facet=status-errors]")  # the counts beside each status are links
    page.wait_for_url("**status=errors**")
    rows = page.locator("tr[data-report]")
    assert rows.count() == 3 and page.locator("#total").inner_text() == "3"
    assert {int(rows.nth(i).get_attribute("data-report") or 0) for i in range(3)} == {
        v for k, v in ids.items() if k == DRAFT or k.startswith(("002_", "003_"))}  # fmt: skip

    page.fill("input[name=q]", "南口镇")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**q=**")
    assert page.locator("#total").inner_text() == "2"  # errors among the two 南口镇: the draft and seed 003
    page.select_option("select[name=status]", "")
    page.fill("input[name=path]", "将乐县")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**path=**")
    assert page.locator("#total").inner_text() == "2"  # the draft and the corrected seed 000

    page.click(f"tr[data-report='{ids[DRAFT]}'] td.organ a")
    page.wait_for_url(f"**/reports/{ids[DRAFT]}")
    flagged = page.locator("td[id='cell-applications-new-total']")
    assert "flagged-error" in (flagged.get_attribute("class") or "")
    assert flagged.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    flagged.locator("a").click()
    target = page.locator(":target")
    assert "T3_COL_TOTAL" in target.inner_text() and "应为" in target.inner_text()
    assert "第 1 版，共 2 版" in page.locator("dl.facts").inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    visit.screenshot("report")
    page.locator("table.applications caption").evaluate("e => e.scrollIntoView()")
    visit.screenshot("report-table")  # the copy in docs/screenshots/report.png

    page.click("a.versions-link")
    page.wait_for_url(f"**/reports/{ids[DRAFT]}/versions")
    fixed = page.locator("ol.findings.fixed").inner_text()
    assert "T3_COL_TOTAL" in fixed and "T3_BALANCE" in fixed
    assert "（一）" not in page.locator("table.cell-changes").inner_text()
    assert "一、本年新收申请数量·自然人" in page.locator("table.cell-changes").inner_text()
    visit.screenshot("versions")

    page.click(f"a[href='/reports/{ids[DRAFT]}']")
    page.click("a.body-years")
    page.wait_for_url("**/years")
    assert page.locator("svg.chart").count() == 1
    visit.screenshot("body-years")


def test_screenshot_copy_in_docs_is_a_png() -> None:
    shot = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "report.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
