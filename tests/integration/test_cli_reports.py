"""``nianbao reports`` filters and ``nianbao show`` over stored seeds (real database, the CLI in-process)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from tests.utils.services import export_settings, make_settings, migrated, shared_database
from tests.utils.stored import CLEAN, CORRECTED, store_seeds
from worker.cli import main
from worker.settings import get_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def ids(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """The stored seeds, once per database for this module: its commands only read them."""
    with shared_database(request.param, tmp_path_factory) as url, pytest.MonkeyPatch.context() as monkeypatch:
        settings = migrated(make_settings(tmp_path_factory.mktemp("cli-reports"), url))
        export_settings(monkeypatch, settings)
        yield store_seeds(settings)
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


def _listed(*args: str) -> list[int]:
    code, out, err = _run("reports", "--json", *args)
    assert code == 0, err
    return [r["id"] for r in json.loads(out)]


def test_reports_filters(ids: dict[str, int]) -> None:
    assert _listed("--body", "南口镇", "--year", "2023") == [ids[CORRECTED], ids["000"]]
    assert _listed("--region", "将乐县") == _listed("--path", "将乐县/") == [ids[CORRECTED], ids["000"]]
    assert _listed("--template", "2019") == [ids["003"], ids["002"]]
    assert _listed("--status", "errors") == _listed("--failed") == [ids["003"], ids["002"]]
    assert _listed("--status", "ok") == [ids[CLEAN]]
    assert _listed("--status", "warnings", "--rule", "SEC6_FEE") == [ids["004"], ids["000"]]
    assert _listed("--limit", "2", "--page", "2", "--sort", "oldest") == [ids["002"], ids["003"]]
    code, _, err = _run("reports", "--failed", "--status", "ok")
    assert code == 2 and "冲突" in err


def test_reports_table_is_chinese_and_says_how_many(ids: dict[str, int]) -> None:
    code, out, _ = _run("reports", "--limit", "3")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["编号", "报告主体", "年度", "格式版本", "错误", "警告", "状态", "文件"]
    assert len(lines) == 5 and lines[-1] == "共 7 份，第 1/3 页（--page 翻页）"
    assert any("洋口镇" in line and "通过" in line and "2021版" in line for line in lines[1:4])
    code, out, _ = _run("reports", "--rule", "NO_SUCH_RULE")
    assert code == 0 and out.strip() == "没有符合条件的报告"


def test_show_prints_header_and_findings_in_chinese(ids: dict[str, int]) -> None:
    code, out, _ = _run("show", str(ids["002"]))
    assert code == 0
    assert f"报告 #{ids['002']}" in out and "报告主体：" in out and "报告年度：2024年度" in out
    assert "格式版本：2019版" in out and "状态：未通过（错误" in out and "版本：第 1 版，共 1 版" in out
    assert "[错误] FMT_OLD_USED" in out and "[无法判定] PUB_AFTER_JAN31" in out
    code, out, _ = _run("show", str(ids[CORRECTED]))
    assert "版本：第 2 版，共 2 版" in out and f"#{ids['000']} 通过" in out
    code, out, _ = _run("show", str(ids["000"]))
    assert "位置：" in out and "[警告] SEC6_FEE" in out


def test_show_json_has_facts_versions_and_findings(ids: dict[str, int]) -> None:
    code, out, _ = _run("show", str(ids["000"]), "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["id"], data["organ_path"], data["year"], data["template"]) == (
        ids["000"], ["将乐县", "南口镇"], 2023, "2021")
    assert (data["version_number"], data["version_count"]) == (1, 2)
    assert [v["id"] for v in data["versions"]] == [ids["000"], ids[CORRECTED]]
    fee = next(f for f in data["findings"] if f["rule"] == "SEC6_FEE")
    assert fee["severity"] == "warning" and fee["status"] == "fail" and fee["message"]
    assert fee["location_zh"] and "location" in fee
    assert "cells" not in data


def test_show_unknown_report_exits_2(ids: dict[str, int]) -> None:
    code, _, err = _run("show", "999999")
    assert code == 2 and "报告 #999999 不存在" in err
