"""The report list's status filter 待人工复核 and the status on the report page (issue 11), over a report stored
by the real ingest with a table not read with certainty, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

from tests.rules.conftest import FIXTURES
from tests.utils.stored import store_seeds
from tests.web.conftest import listed_ids, viewer_client, web_settings_for
from worker.ingest import ingest_file


def test_list_filter_and_report_page_show_needs_review(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    ids = store_seeds(settings)
    path = settings.inbox_path / "南山镇2023年报.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((FIXTURES / "TABLE_UNREADABLE" / "bad.txt").read_bytes())
    result = ingest_file(path, settings=settings, task_id="t", send_task=lambda _n, _a: None)
    rid = result.report_id
    assert rid is not None and rid not in ids.values()
    client = viewer_client(settings)

    everything = client.get("/reports").text
    assert '<option value="needs_review">待人工复核</option>' in everything
    facet = re.search(r'data-facet="status-needs_review">待人工复核</a>\s*<span[^>]*>(\d+)</span>', everything)
    assert facet is not None and facet.group(1) == "1"
    listed = client.get("/reports", params={"status": "needs_review"}).text
    assert listed_ids(listed) == [rid] and "status-needs_review" in listed
    assert rid not in listed_ids(client.get("/reports", params={"status": "warnings"}).text)

    page = client.get(f"/reports/{rid}").text
    assert '<span class="status status-needs_review">待人工复核</span>' in page
    assert "TABLE_UNREADABLE" in page
