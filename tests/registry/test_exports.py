"""``nianbao export reports | findings | roster | rollup``: files read back with openpyxl / csv and compared."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.registry.conftest import Cli
from tests.utils.stored import store_seeds
from worker.settings import Settings
from worker.store import queries
from worker.store.db import session_scope

pytestmark = pytest.mark.integration


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _xlsx_rows(path: Path) -> list[list[object]]:
    ws = load_workbook(path).active
    assert ws is not None and ws.freeze_panes == "A2"
    assert all((ws.column_dimensions[c].width or 0) >= 4 for c in "ABC")
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_reports_and_findings_exports_with_filters(settings: Settings, cli: Cli, tmp_path: Path) -> None:
    store_seeds(settings)
    with session_scope(settings) as s:
        failed = queries.list_reports(s, filters=queries.ReportFilter(status=queries.ReportStatus.ERRORS))
        findings = queries.list_findings(s, filters=queries.ReportFilter(status=queries.ReportStatus.ERRORS))
    code, out, err = cli("export", "reports", "--status", "errors", "-o", tmp_path / "r.csv")
    assert code == 0, err
    rows = _csv_rows(tmp_path / "r.csv")
    assert rows[0][:6] == ["编号", "报告主体", "主体路径", "年度", "格式版本", "状态"]
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(r.id for r in failed.items)
    assert {r[5] for r in rows[1:]} == {"未通过"}
    # 接收时间 in the configured zone (Asia/Shanghai by default), not the stored UTC
    received = {r.id: r.created_at for r in failed.items}
    zone = ZoneInfo(settings.timezone)
    for row in rows[1:]:
        utc = received[int(row[0])]
        utc = utc if utc.tzinfo else utc.replace(tzinfo=dt.UTC)
        assert row[10] == utc.astimezone(zone).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    assert settings.timezone == "Asia/Shanghai" and all(row[10] for row in rows[1:])

    cli("export", "reports", "--format", "xlsx", "-o", tmp_path / "r.xlsx")
    assert len(_xlsx_rows(tmp_path / "r.xlsx")) == 1 + 7

    cli("export", "findings", "--status", "errors", "-o", tmp_path / "f.xlsx")
    got = _xlsx_rows(tmp_path / "f.xlsx")
    assert got[0][:7] == ["报告编号", "报告主体", "主体路径", "年度", "文件", "规则", "级别"]
    assert [(r[0], r[5], r[8]) for r in got[1:]] == [(f.report_id, f.finding.rule, f.finding.message) for f in findings]
    cli("export", "findings", "--rule", "SEC6_FEE", "-o", tmp_path / "f.csv")
    assert {r[5] for r in _csv_rows(tmp_path / "f.csv")[1:]} == {"SEC6_FEE"}
    code, _, err = cli("export", "reports", "-o", tmp_path / "r.pdf")
    assert code == 2 and "不支持的导出格式" in err


def test_roster_and_rollup_exports(region: dict[str, object], cli: Cli, tmp_path: Path) -> None:
    cli("export", "roster", "--region", "将乐县", "--year", "2024", "--today", "2025-02-01", "-o", tmp_path / "ro.xlsx")
    rows = _xlsx_rows(tmp_path / "ro.xlsx")
    states = {r[1]: (r[4], r[10]) for r in rows[1:]}
    assert states["将乐县光明镇人民政府"] == ("未收到", -1) and states["将乐县白莲镇人民政府"][0] == "更正后通过"
    cli("export", "roster", "--region", "将乐县", "--year", "2024", "--today", "2025-02-01", "-o", tmp_path / "ro.csv")
    assert [r[1:5] for r in _csv_rows(tmp_path / "ro.csv")[1:]] == [[str(v) for v in r[1:5]] for r in rows[1:]]

    cli("export", "rollup", "--region", "将乐县", "--year", "2024", "-o", tmp_path / "ru.csv")
    cells = {(r[0], r[1], r[2]): r[3] for r in _csv_rows(tmp_path / "ru.csv")[1:]}
    cli("export", "rollup", "--region", "将乐县", "--year", "2024", "-o", tmp_path / "ru.xlsx")
    book = load_workbook(tmp_path / "ru.xlsx")
    members = [list(r) for r in book["纳入情况"].iter_rows(min_row=2, values_only=True)]
    assert sum(1 for m in members if m[2] == "已纳入") == 3
    total = {r[0]: r[-1] for r in book["三、申请情况"].iter_rows(min_row=4, values_only=True)}["（七）总计"]
    assert str(total) == cells[("applications", "total", "total")]
