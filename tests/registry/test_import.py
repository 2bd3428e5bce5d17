"""``nianbao bodies import / export / list`` with real CSV and XLSX files (clean, GBK, messy), real databases."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.registry.conftest import Cli
from tests.registry.helpers import HEADER
from tests.registry.helpers import write_csv as _csv
from tests.utils.services import export_settings, make_settings, migrated
from worker.settings import Settings, get_settings
from worker.store import queries
from worker.store.db import session_scope

pytestmark = pytest.mark.integration

ROWS = [
    ["将乐县南口镇人民政府", "南口镇", "", "福建省/三明市/将乐县/南口镇", "township", "张三", "nk@jl.gov.cn;zs@jl.gov.cn", "", ""],
    ["将乐县教育局", "县教育局", "将乐县教育委员会", "福建省/三明市/将乐县/教育局", "county_department", "李四", "jy@jl.gov.cn", "2019", ""],
    ["将乐县人民政府", "县政府", "", "福建省/三明市/将乐县", "county_government", "", "zf@jl.gov.cn", "", ""],
]  # fmt: skip


def _bodies(settings: Settings) -> dict[str, queries.BodyView]:
    with session_scope(settings) as s:
        return {b.name: b for b in queries.list_bodies(s)}


def test_csv_import_dry_run_then_idempotent(settings: Settings, cli: Cli, tmp_path: Path) -> None:
    path = _csv(tmp_path / "bodies.csv", ROWS)
    code, out, _ = cli("bodies", "import", path, "--dry-run")
    assert code == 0 and out.count("新增") == 4 and "试运行，未写入：新增 3，更新 0，不变 0" in out
    assert _bodies(settings) == {}

    code, out, _ = cli("bodies", "import", path)
    assert code == 0 and "已导入：新增 3，更新 0，不变 0" in out
    stored = _bodies(settings)
    assert stored["将乐县南口镇人民政府"].contact_emails == ["nk@jl.gov.cn", "zs@jl.gov.cn"]
    assert stored["将乐县教育局"].former_names == ["将乐县教育委员会"] and stored["将乐县教育局"].year_from == 2019
    assert stored["将乐县人民政府"].level == "county_government"

    code, out, _ = cli("bodies", "import", path)
    assert code == 0 and "新增 0，更新 0，不变 3" in out
    changed = [r[:] for r in ROWS]
    changed[0][6] = "nk@jl.gov.cn"
    code, out, _ = cli("bodies", "import", _csv(tmp_path / "v2.csv", changed), "--dry-run")
    assert "第 2 行 更新：福建省/三明市/将乐县/南口镇 将乐县南口镇人民政府（联系邮箱）" in out
    assert _bodies(settings)["将乐县南口镇人民政府"].contact_emails == ["nk@jl.gov.cn", "zs@jl.gov.cn"]
    cli("bodies", "import", tmp_path / "v2.csv")
    assert _bodies(settings)["将乐县南口镇人民政府"].contact_emails == ["nk@jl.gov.cn"]
    code, out, _ = cli("bodies", "list", "--region", "将乐县", "--json")
    assert [b["name"] for b in json.loads(out)] == ["将乐县人民政府", "将乐县南口镇人民政府", "将乐县教育局"]


def test_gbk_csv_with_english_headers(settings: Settings, cli: Cli, tmp_path: Path) -> None:
    header = ["name", "short_names", "former_names", "path", "level", "contact_name", "emails", "year_from", "year_to"]
    path = _csv(tmp_path / "gbk.csv", ROWS[:2], encoding="gbk", header=header)
    code, out, err = cli("bodies", "import", path)
    assert code == 0, err
    assert set(_bodies(settings)) == {"将乐县南口镇人民政府", "将乐县教育局"}


def _messy_xlsx(path: Path) -> Path:
    """A title row merged across, a two-row header (merged cells), trailing spaces, full-width text, a duplicate."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["将乐县政务公开年报主体名录（2025）"])
    ws.merge_cells("A1:I1")
    ws.append(["名称 ", "简称", "曾用名", "行政区划路径", "层级", "联系方式", "", "起始年份", "终止年份"])
    ws.append(["", "", "", "", "", "联系人", "联系邮箱 ", "", ""])
    for col in "ABCDEHI":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("F2:G2")
    ws.append(["将乐县南口镇人民政府  ", "南口镇 ", "", "福建省／三明市／将乐县／南口镇 ", "乡镇", "张三",
               "ｎｋ＠ｊｌ．ｇｏｖ．ｃｎ；zs@jl.gov.cn", "２０２０", None])  # fmt: skip
    ws.append(["将乐县教育局", "县教育局", None, "福建省/三明市/将乐县/教育局", "county_department", "李四", "jy@jl.gov.cn", 2019, None])
    ws.append([None] * 9)
    ws.append(["将乐县南口镇人民政府", "", "", "福建省/三明市/将乐县/南口镇", "township", "", "", "", ""])
    book.save(path)
    return path


def test_messy_xlsx_duplicate_is_an_error_naming_both_lines(settings: Settings, cli: Cli, tmp_path: Path) -> None:
    path = _messy_xlsx(tmp_path / "messy.xlsx")
    code, out, err = cli("bodies", "import", path)
    assert code == 2
    assert "第 7 行：与第 4 行重复：福建省/三明市/将乐县/南口镇 将乐县南口镇人民政府" in err
    assert "未导入任何主体" in err and _bodies(settings) == {}

    code, out, err = cli("bodies", "import", path, "--skip-bad")
    assert code == 0 and "新增 2" in out and "跳过错误行 1 行" in out
    town = _bodies(settings)["将乐县南口镇人民政府"]
    assert town.path == "福建省/三明市/将乐县/南口镇" and town.short_names == ["南口镇"]
    assert town.contact_name == "张三" and town.contact_emails == ["nk@jl.gov.cn", "zs@jl.gov.cn"]
    assert town.level == "township" and town.year_from == 2020


def test_bad_rows_each_named_and_nothing_applied(settings: Settings, cli: Cli, tmp_path: Path) -> None:
    bad = [
        ROWS[0],
        ["", "", "", "福建省/三明市/将乐县/万安镇", "township", "", "", "", ""],
        ["将乐县白莲镇人民政府", "", "", "福建省/三明市/将乐县/白莲镇", "village", "", "", "", ""],
        ["将乐县高唐镇人民政府", "", "", "福建省/三明市/将乐县/高唐镇", "township", "", "not-an-email", "", ""],
        ["将乐县光明镇人民政府", "", "", "福建省/三明市/将乐县/光明镇", "township", "", "", "2024", "2020"],
        ["将乐县古镛镇人民政府", "", "", "", "township", "", "", "", ""],
    ]
    code, _, err = cli("bodies", "import", _csv(tmp_path / "bad.csv", bad))
    assert code == 2
    for expected in ("第 3 行：名称为空", "第 4 行：层级“village”无法识别", "第 5 行：联系邮箱“not-an-email”格式不正确",
                     "第 6 行：起始年份 2024 晚于终止年份 2020", "第 7 行：行政区划路径为空"):  # fmt: skip
        assert expected in err
    assert _bodies(settings) == {}


def test_export_round_trip_csv_and_xlsx(settings: Settings, cli: Cli, tmp_path: Path) -> None:
    cli("bodies", "import", _csv(tmp_path / "bodies.csv", ROWS))
    code, out, _ = cli("bodies", "export", tmp_path / "out.csv")
    assert code == 0 and "已导出 3 个主体" in out
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert sorted(rows[1:]) == sorted(ROWS)

    cli("bodies", "export", tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx").active
    assert ws is not None and ws.freeze_panes == "A2"
    values = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    assert values[0] == HEADER and sorted(values[1:]) == sorted(ROWS)
    for exported in ("out.csv", "out.xlsx"):
        code, out, _ = cli("bodies", "import", tmp_path / exported)
        assert code == 0 and "新增 0，更新 0，不变 3" in out


def test_bodies_list_export_and_unmatched_answer_while_a_worker_holds_the_write_lock(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the registry's read-only commands read beside a writer (WAL): they neither wait for a
    batch's store transaction nor hold the write lock against the workers."""
    import sqlite3

    from worker.store.db import dispose_engines

    settings = migrated(make_settings(tmp_path, f"sqlite:///{tmp_path / 'registry.db'}", db_busy_timeout=0.3))
    export_settings(monkeypatch, settings)
    assert cli("bodies", "import", _csv(tmp_path / "bodies.csv", ROWS))[0] == 0
    dispose_engines()
    writer = sqlite3.connect(settings.sqlalchemy_url.split("///", 1)[1], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a worker's store transaction
    try:
        code, out, _ = cli("bodies", "list", "--json")
        assert code == 0 and len(json.loads(out)) == 3
        code, out, _ = cli("bodies", "export", tmp_path / "out.csv")
        assert code == 0 and "已导出 3 个主体" in out
        assert cli("bodies", "unmatched")[0] == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        get_settings.cache_clear()
