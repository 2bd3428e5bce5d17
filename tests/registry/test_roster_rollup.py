"""The roster (states, deadlines with time moved by ``--today``) and the roll-up (sums vs. independent totals)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.registry.conftest import REGISTRY, Cli, town
from tests.registry.helpers import store
from tests.registry.helpers import write_csv as _csv
from tests.utils.gen import APP_COLS, REVIEW_COLS
from worker.settings import Settings

pytestmark = pytest.mark.integration

def test_roster_states_and_days_moved_by_today(region: dict[str, Any], cli: Cli) -> None:
    code, out, err = cli("roster", "--region", "将乐县", "--year", "2024", "--today", "2025-01-20", "--json")
    assert code == 0, err
    roster = json.loads(out)
    states = {b["name"]: (b["state"], b["state_zh"], b["versions"]) for b in roster["bodies"]}
    assert states == {
        "将乐县南口镇人民政府": ("passing", "已收到·通过", 1),
        "将乐县万安镇人民政府": ("failing", "已收到·未通过", 1),
        "将乐县白莲镇人民政府": ("corrected", "更正后通过", 2),
        "将乐县高唐镇人民政府": ("failing", "已收到·未通过", 2),
        "将乐县光明镇人民政府": ("not_received", "未收到", 0),
        "将乐县人民政府": ("not_received", "未收到", 0),
    }
    assert roster["counts"] == {"not_received": 2, "failing": 2, "needs_review": 0, "passing": 1, "corrected": 1}
    days = {b["name"]: (b["deadline"], b["days_left"]) for b in roster["bodies"]}
    assert days["将乐县光明镇人民政府"] == ("2025-01-31", 11)
    assert days["将乐县人民政府"] == ("2025-03-31", 70)
    later = json.loads(cli("roster", "--region", "福建省/三明市/将乐县", "--year", "2024", "--today", "2025-02-05",
                           "--json")[1])  # fmt: skip
    days = {b["name"]: b["days_left"] for b in later["bodies"]}
    assert days["将乐县光明镇人民政府"] == -5 and days["将乐县人民政府"] == 54
    code, out, _ = cli("roster", "--region", "将乐县", "--year", "2024", "--today", "2025-02-05")
    assert "逾期 5 天" in out and "共 6 个主体" in out and "未收到 2" in out


def _expected(reports: list[dict[str, Any]], table: str, rows: tuple[str, ...], cols: tuple[str, ...]
              ) -> dict[tuple[str, str], int]:  # fmt: skip
    return {(r, c): sum(rep["tables"][table][r][c] for rep in reports) for r in rows for c in cols}


def test_rollup_sums_members_and_checks(region: dict[str, Any], cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli("rollup", "--region", "将乐县", "--year", "2024", "--json")
    assert code == 0, err
    rollup = json.loads(out)
    included = {m["name"]: m["latest_fails"] for m in rollup["included"]}
    assert included == {"将乐县南口镇人民政府": False, "将乐县白莲镇人民政府": False, "将乐县高唐镇人民政府": True}
    assert {m["name"] for m in rollup["missing"]} == {"将乐县万安镇人民政府", "将乐县光明镇人民政府", "将乐县人民政府"}
    summed = [region[t] for t in ("南口镇", "白莲镇", "高唐镇")]  # 高唐镇: its earlier, passing version
    cells = {(c["table"], c["row"], c["col"]): c["value"] for c in rollup["cells"]}
    app_rows = tuple(summed[0]["tables"]["applications"])
    for (row, column), total in _expected(summed, "applications", app_rows, APP_COLS).items():
        assert cells[("applications", row, column)] == total, (row, column)
    for (row, column), total in _expected(summed, "reviews", tuple(summed[0]["tables"]["reviews"]), REVIEW_COLS).items():
        assert cells[("reviews", row, column)] == total
    fees = sum(rep["tables"]["disclosure"]["art20_8"]["fees"]["amount_wan"] for rep in summed)
    assert cells[("disclosure.art20_8", "fees", "amount_wan")] == pytest.approx(fees)
    assert rollup["findings"] == []  # the arithmetic of passing reports holds for their sums

    code, out, _ = cli("rollup", "--region", "将乐县", "--year", "2024")
    assert "提示：将乐县高唐镇人民政府 最新版本" in out and "汇总校验：无问题" in out

    cli("rollup", "--region", "将乐县", "--year", "2024", "--xlsx", tmp_path / "rollup.xlsx")
    book = load_workbook(tmp_path / "rollup.xlsx")
    assert book.sheetnames[:4] == ["三、申请情况", "四、复议诉讼", "二、主动公开", "纳入情况"]
    table3 = book["三、申请情况"]
    assert table3.freeze_panes == "A4" and "A1:A3" in {str(r) for r in table3.merged_cells.ranges}
    assert (table3["B2"].value, table3["C2"].value, table3["H2"].value) == ("自然人", "法人或其他组织", "总计")
    assert [table3.cell(3, c).value for c in range(3, 8)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    by_label = {row[0]: row[1:] for row in table3.iter_rows(min_row=4, values_only=True)}
    expected = _expected(summed, "applications", ("total",), APP_COLS)
    assert list(by_label["（七）总计"]) == [expected[("total", c)] for c in APP_COLS]
    reviews = book["四、复议诉讼"]
    assert [c.value for c in reviews[3]] == [cells[("reviews", r, c)] for r in ("review", "litigation_direct",
                                             "litigation_after_review") for c in REVIEW_COLS]  # fmt: skip

    code, out, _ = cli("rollup", "--region", "将乐县", "--year", "2024", "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["表", "行", "列", "合计", "纳入份数"]
    assert ["applications", "total", "total", str(expected[("total", "total")]), "3"] in rows


def test_rollup_checks_catch_a_broken_sum(settings: Settings, cli: Cli, tmp_path: Path) -> None:
    """A report that passes with 三's totals left blank makes the summed table not add up: the checks say so."""
    cli("bodies", "import", _csv(tmp_path / "r.csv", REGISTRY))
    rng = random.Random(5)
    good = town(rng, "南口镇")
    blank_total = town(rng, "万安镇")
    for c in APP_COLS:
        blank_total["tables"]["applications"]["total"][c] = None  # T3_TOTAL_BLANK is a warning: still passes
    store(settings, good, file_name="a.txt")
    store(settings, blank_total, file_name="b.txt")
    cli("bodies", "match")
    rollup = json.loads(cli("rollup", "--region", "将乐县", "--year", "2024", "--json")[1])
    assert len(rollup["included"]) == 2
    assert {f["rule"] for f in rollup["findings"]} & {"T3_RESULT_SUM", "T3_BALANCE"}


def test_a_report_needing_review_has_its_own_roster_state_and_reminder(
    region: dict[str, Any], settings: Settings, cli: Cli
) -> None:
    from worker.alerts.remind_compose import DueReminder, body_reminder
    from worker.store import queries
    from worker.store.db import session_scope
    from worker.store.models import StoredReport

    rid = store(settings, town(random.Random(5), "光明镇"), file_name="gm.txt")
    assert cli("bodies", "match")[0] == 0
    with session_scope(settings) as s:  # its table could not be read with certainty (worker/rules/status.py)
        stored = s.get(StoredReport, rid)
        assert stored is not None
        stored.status = "needs_review"
    roster = json.loads(cli("roster", "--region", "将乐县", "--year", "2024", "--today", "2025-01-20", "--json")[1])
    states = {b["name"]: (b["state"], b["state_zh"]) for b in roster["bodies"]}
    assert states["将乐县光明镇人民政府"] == ("needs_review", "已收到·待人工复核")
    assert roster["counts"]["needs_review"] == 1 and roster["counts"]["not_received"] == 1
    with session_scope(settings) as s:
        today = dt.date(2025, 1, 20)
        entry = next(e for e in queries.roster(s, region="将乐县", year=2024, today=today).entries if e.report_id == rid)
    mail = body_reminder(DueReminder(region="将乐县", year=2024, entry=entry, step="d14"))
    assert "待人工复核" in mail.subject and "原件" in mail.lead and "更正后" not in mail.lead
