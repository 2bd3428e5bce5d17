"""Review of findings in a real browser (Debian's chromium): seeds through the real ingest, an operator
marks a finding "not an error", a viewer sees the mark but no form and is refused the action."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.utils.stored import SEEDS_DIR
from tests.web.conftest import Visit, web_settings_for
from worker.ingest import ingest_file
from worker.settings import Settings
from worker.store import queries
from worker.store.db import session_scope


@pytest.fixture
def web_settings(tmp_path: Path, default_database_url: str) -> Settings:
    return web_settings_for(tmp_path, default_database_url)


def ingest_seed(settings: Settings, prefix: str, name: str) -> int:
    """Drop a seed in the inbox and run the real ingest on it; returns the stored report id."""
    seed = next(SEEDS_DIR.glob(f"{prefix}_*.txt"))
    path = settings.inbox_path / name
    path.write_bytes(seed.read_bytes())
    result = ingest_file(path, settings=settings, task_id=f"b-{name}", send_task=lambda _n, _a: None)
    assert result.report_id is not None, result
    return result.report_id


def test_operator_marks_not_an_error_and_a_viewer_cannot(visit: Visit, web_settings: Settings) -> None:
    rid = ingest_seed(web_settings, "002", "南岭镇年报.txt")
    with session_scope(web_settings) as s:
        fid = next(f.id for f in queries.report_findings(s, rid) if f.rule == "STRUCT_CELL_COUNT")
    visit.login("zhang")
    visit.goto(f"/reports/{rid}/review")
    item = visit.page.locator(f"#finding-{fid}")
    assert "尚未人工复核" in item.inner_text()
    item.locator("input[name=reason]").fill("复议诉讼表为合并单元格，人工核对无误")
    item.locator("button.review-dismiss").click()
    visit.page.wait_for_url(f"{visit.base}/reports/{rid}/review#finding-{fid}")
    item = visit.page.locator(f"#finding-{fid}")
    assert "人工复核：非错误" in item.inner_text() and "人工核对无误" in item.inner_text()
    assert "zhang" in item.inner_text()
    assert "已记录人工复核：STRUCT_CELL_COUNT 非错误" in visit.page.inner_text("main")
    visit.screenshot("review")
    with session_scope(web_settings) as s:
        assert fid in queries.dismissed_finding_ids(s, rid)

    visit.page.click("button:has-text('退出')")
    visit.login("li")
    visit.goto(f"/reports/{rid}/review")
    assert "人工复核：非错误" in visit.page.locator(f"#finding-{fid}").inner_text()
    assert visit.page.locator("form.review-form").count() == 0  # no form for a viewer
    token = visit.page.get_attribute("meta[name=csrf-token]", "content")
    refused = visit.page.request.post(
        f"{visit.base}/reports/{rid}/findings/{fid}/review",
        form={"csrf_token": token or "", "verdict": "confirmed"},
    )
    assert refused.status == 403
    with session_scope(web_settings) as s:
        review = queries.finding_reviews(s, rid)[fid]
    assert (review.verdict.value, review.user_name) == ("not_error", "zhang")
