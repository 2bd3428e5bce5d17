"""Matching stored reports in the database: ``bodies match``, ``unmatched``, ``resolve`` (remembered), regions."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SEEDS_DIR as SEEDS
from tests.registry.conftest import Cli
from tests.registry.helpers import generated, store
from tests.registry.helpers import write_csv as _csv
from worker.ingest import ingest_file
from worker.registry.assign import match_stored
from worker.settings import Settings
from worker.store import queries
from worker.store.db import session_scope

pytestmark = pytest.mark.integration

TODAY = dt.date(2025, 1, 15)

REGISTRY = [
    ["将乐县南口镇人民政府", "南口镇", "", "福建省/三明市/将乐县/南口镇", "township", "", "", "", ""],
    ["将乐县教育局", "县教育局", "", "福建省/三明市/将乐县/教育局", "county_department", "", "", "", ""],
    ["顺昌县教育局", "县教育局", "", "福建省/南平市/顺昌县/教育局", "county_department", "", "", "", ""],
]  # fmt: skip


def test_match_unmatched_resolve_and_regions(make_registry_settings: Callable[..., Settings], cli: Cli,
                                             tmp_path: Path) -> None:  # fmt: skip
    settings = make_registry_settings(default_region="福建省/三明市/将乐县")
    cli("bodies", "import", _csv(tmp_path / "r.csv", REGISTRY))
    rng = random.Random(7)
    inbox = settings.inbox_path
    by_path = store(settings, generated(rng, path=["福建省", "三明市", "将乐县", "南口镇"], organ="将乐县南口镇人民政府",
                                        year=2024), file_name="a.txt")  # fmt: skip
    # a short name, arrived through the inbox folder 顺昌县: matched there, not by the default region
    from_folder = store(settings, generated(rng, path=[], organ="县教育局", year=2024), file_name="b.txt",
                        original_path=str(inbox / "顺昌县" / "b.txt"))  # fmt: skip
    # a short name dropped at the top of the inbox: the default region decides
    by_default = store(settings, generated(rng, path=[], organ="县教育局", year=2024), file_name="c.txt",
                       original_path=str(inbox / "c.txt"))  # fmt: skip
    nobody = store(settings, generated(rng, path=[], organ="某某中心", year=2024), file_name="d.txt")
    code, out, _ = cli("bodies", "match")
    assert code == 0 and "已匹配 3，无法确定 0，未匹配 1" in out
    with session_scope(settings) as s:
        ids = {b.name: b.id for b in queries.list_bodies(s)}
        roster = queries.roster(s, region="福建省", year=2024, today=TODAY)
    reports = {e.body.name: e.report_id for e in roster.entries}
    assert reports == {"将乐县南口镇人民政府": by_path, "将乐县教育局": by_default, "顺昌县教育局": from_folder}

    code, out, _ = cli("bodies", "unmatched", "--json")
    assert [(u["report_id"], u["state"]) for u in json.loads(out)] == [(nobody, "unmatched")]
    code, out, _ = cli("bodies", "resolve", str(nobody), str(ids["将乐县教育局"]))
    assert code == 0 and "已指定" in out
    assert json.loads(cli("bodies", "unmatched", "--json")[1]) == []
    # a later version of the same identity reuses the resolution, and a re-match keeps it
    later = store(settings, generated(rng, path=[], organ="某某中心", year=2024), file_name="d2.txt")
    with session_scope(settings) as s:
        assert match_stored(s, later, settings=settings).body_id == ids["将乐县教育局"]
    cli("bodies", "match")
    with session_scope(settings) as s:
        entry = next(e for e in queries.roster(s, region="将乐县", year=2024, today=TODAY).entries
                     if e.body.name == "将乐县教育局")  # fmt: skip
    assert entry.report_id == later and entry.versions == 3


def test_short_name_without_any_region_is_ambiguous(settings: Settings, cli: Cli, tmp_path: Path) -> None:
    cli("bodies", "import", _csv(tmp_path / "r.csv", REGISTRY))
    report = store(settings, generated(random.Random(1), path=[], organ="县教育局", year=2024), file_name="x.txt")
    cli("bodies", "match")
    code, out, _ = cli("bodies", "unmatched")
    assert code == 0 and str(report) in out and "多个候选" in out and "将乐县教育局" in out and "顺昌县教育局" in out
    code, _, err = cli("bodies", "resolve", str(report), "999")
    assert code == 2 and "主体 #999 不存在" in err


def test_the_ingest_matches_a_new_report_to_its_registered_body(
    make_registry_settings: Callable[..., Settings], cli: Cli, tmp_path: Path
) -> None:
    settings = make_registry_settings(default_region="福建省/三明市/将乐县")
    cli("bodies", "import", _csv(tmp_path / "r.csv", REGISTRY))
    dropped = settings.inbox_path / "南口镇.txt"
    dropped.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SEEDS / "000_4689dce2e0afb553.txt", dropped)  # 将乐县南口镇人民政府, 2023
    result = ingest_file(dropped, settings=settings, task_id="t1", send_task=lambda name, args: None)
    assert result.status == "ingested" and result.report_id is not None
    with session_scope(settings) as s:  # on the roster at once, no `bodies match` needed
        body = queries.matched_body(s, result.report_id)
        roster = queries.roster(s, region="将乐县", year=2023, today=TODAY)
    assert body is not None and body.name == "将乐县南口镇人民政府"
    assert [e.report_id for e in roster.entries if e.body.name == "将乐县南口镇人民政府"] == [result.report_id]


def test_the_ingest_without_a_registry_matches_nothing(
    make_registry_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_registry_settings()
    dropped = settings.inbox_path / "a.txt"
    dropped.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SEEDS / "000_4689dce2e0afb553.txt", dropped)
    result = ingest_file(dropped, settings=settings, task_id="t1", send_task=lambda name, args: None)
    assert result.status == "ingested" and result.report_id is not None
    with session_scope(settings) as s:
        assert queries.matched_body(s, result.report_id) is None
        assert queries.unmatched_reports(s) == []
