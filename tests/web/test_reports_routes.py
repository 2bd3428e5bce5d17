"""The report pages through the TestClient: list filters and counts, one report, download, versions, years."""

from __future__ import annotations

import re
from pathlib import Path

from tests.utils.stored import CORRECTED, store_seeds
from tests.web.conftest import listed_ids, viewer_client, web_settings_for
from worker.store import crud
from worker.store.db import session_scope
from worker.store.models import StoredReport


def test_list_filters_sorts_counts_and_pages(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    ids = store_seeds(settings)
    client = viewer_client(settings)
    page = client.get("/reports")
    assert page.status_code == 200 and sorted(listed_ids(page.text)) == sorted(ids.values())
    assert 'data-facet="status-errors"' in page.text
    errors = client.get("/reports", params={"status": "errors"})
    assert sorted(listed_ids(errors.text)) == sorted([ids["002"], ids["003"]])
    assert '<strong id="total">2</strong>' in errors.text
    assert sorted(listed_ids(client.get("/reports", params={"q": "南口镇"}).text)) == sorted(
        [ids["000"], ids["003"], ids[CORRECTED]])  # fmt: skip
    assert listed_ids(client.get("/reports", params={"path": "泽州县", "year": "2024"}).text) == [ids["002"]]
    assert listed_ids(client.get("/reports", params={"rule": "SEC6_FEE", "template": "2021"}).text) == sorted(
        [ids["000"], ids["004"]], reverse=True)  # fmt: skip
    by_year = listed_ids(client.get("/reports", params={"sort": "year"}).text)
    assert by_year[0] == ids["002"]  # 2024 first
    odd = client.get("/reports", params={"year": "abc", "status": "nonsense", "sort": "x", "page": "99"})
    assert odd.status_code == 200 and "没有符合条件的报告" not in odd.text  # bad values are ignored
    with session_scope(settings) as s:
        for n in range(60):
            s.add(StoredReport(sha256=f"{n:064d}", file_name=f"{n}.txt", organ="批量", year=2021, template="2021",
                               status="ok", report_json="{}"))  # fmt: skip
    first = client.get("/reports", params={"q": "批量"})
    second = client.get("/reports", params={"q": "批量", "page": "2"})
    assert len(listed_ids(first.text)) == 50 and len(listed_ids(second.text)) == 10
    assert "第 1 / 2 页" in first.text and 'href="/reports?q=%E6%89%B9%E9%87%8F&amp;page=2"' in first.text


def test_report_page_tables_findings_text_and_escaping(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    ids = store_seeds(settings)
    client = viewer_client(settings)
    page = client.get(f"/reports/{ids['000']}")
    assert page.status_code == 200
    html = page.text
    for fact in ("将乐县", "2023", "2021", "000_4689dce2e0afb553.txt", "第 1 版，共 2 版", "SHA-256"):
        assert fact in html
    assert "二、主动公开政府信息情况" in html and "（七）总计" in html and "复议后起诉" in html
    # the blank fee cell is named by a BLANK_CELL warning: highlighted and linked to the finding
    cell = re.search(r'<td class="([^"]*)" id="cell-disclosure.art20_8-fees-amount_wan">\s*<a href="#finding-(\d+)"',
                     html)  # fmt: skip
    assert cell is not None and "flagged flagged-warning" in cell.group(1)
    assert f'id="finding-{cell.group(2)}"' in html
    assert "TITLE_MISSING" in html and "一、总体情况" in html
    assert 'class="line focus"' in html  # the sentence of a prose finding (SEC6_FEE, TITLE_MISSING)
    assert client.get("/reports/999999").status_code == 404
    with session_scope(settings) as s:
        row = s.get(StoredReport, ids["004"])
        assert row is not None
        row.organ = "<script>alert(1)</script>"
    hostile = client.get(f"/reports/{ids['004']}").text
    assert "<script>alert(1)</script>" not in hostile and "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile


def test_download_serves_only_files_under_the_archive(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    ids = store_seeds(settings)
    client = viewer_client(settings)
    assert client.get(f"/reports/{ids['000']}/file").status_code == 404  # recorded at /archive/..., outside
    archived = settings.archive_path / "2024" / "报告.txt"
    archived.parent.mkdir(parents=True, exist_ok=True)
    archived.write_bytes("原文".encode())
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    with session_scope(settings) as s:
        crud.add_source_file(s, sha256="9" * 64, name="x.txt", original_path="/in/x.txt", size=1,
                             status="ingested", report_id=ids["001"])  # fmt: skip
        crud.set_archived(s, sha256="9" * 64, name="x.txt", archived_path=str(archived))
        crud.add_source_file(s, sha256="8" * 64, name="y.txt", original_path="/in/y.txt", size=1,
                             status="ingested", report_id=ids["004"])  # fmt: skip
        crud.set_archived(s, sha256="8" * 64, name="y.txt",
                          archived_path=str(settings.archive_path / ".." / "secret.txt"))  # fmt: skip
    download = client.get(f"/reports/{ids['001']}/file")
    assert download.status_code == 200 and download.content == "原文".encode()
    assert download.headers["content-disposition"].startswith("attachment;")
    assert client.get(f"/reports/{ids['004']}/file").status_code == 404


def test_versions_and_years(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    ids = store_seeds(settings)
    client = viewer_client(settings)
    versions = client.get(f"/reports/{ids[CORRECTED]}/versions")
    assert versions.status_code == 200
    assert "已更正的问题（1）" in versions.text and "SEC6_FEE" in versions.text
    assert "新出现的问题（0）" in versions.text and "各单元格数值相同" in versions.text
    single = client.get(f"/reports/{ids['002']}/versions")
    assert "这份报告只有一个版本" in single.text
    years = client.get("/bodies/将乐县/南口镇/years")
    assert years.status_code == 200 and "<svg" in years.text and "本年新收申请" in years.text
    assert f'href="/reports/{ids[CORRECTED]}"' in years.text
    assert client.get("/bodies/无此主体/years").status_code == 404
    report = client.get(f"/reports/{ids['000']}").text
    assert 'href="/bodies/%E5%B0%86%E4%B9%90%E5%8E%BF/%E5%8D%97%E5%8F%A3%E9%95%87/years"' in report
