"""Issue 14 "done when": 50 bodies, 40 reports (some failing, one corrected later): roster, reminders, roll-up and
exports agree, through the CLI and the read layer, with a real SMTP sink."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.alerts.conftest import smtp_overrides
from tests.registry.conftest import REGION, Cli
from tests.registry.helpers import broken, generated, store, write_csv
from tests.utils.smtp import SmtpSink
from worker.settings import Settings

pytestmark = pytest.mark.integration
TOWNS = [f"第{i:02d}镇" for i in range(48)]


def test_fifty_bodies_forty_reports(make_registry_settings: Callable[..., Settings], cli: Cli, tmp_path: Path) -> None:
    with SmtpSink() as sink:
        settings = make_registry_settings(**smtp_overrides(sink))
        rows = [[f"将乐县{t}人民政府", t, "", "/".join([*REGION, t]), "township", "", f"t{i}@jl.gov.cn", "", ""]
                for i, t in enumerate(TOWNS)]  # fmt: skip
        rows += [["将乐县人民政府", "", "", "/".join(REGION), "county_government", "", "", "", ""],
                 ["将乐县教育局", "", "", "/".join([*REGION, "教育局"]), "county_department", "", "", "", ""]]
        assert cli("bodies", "import", write_csv(tmp_path / "r.csv", rows))[0] == 0
        rng = random.Random(14)
        reports = [generated(rng, path=[*REGION, t], organ=f"将乐县{t}人民政府", year=2024) for t in TOWNS[:40]]
        for i, report in enumerate(reports):
            store(settings, broken(report) if i % 8 == 0 else report, file_name=f"{i}.txt")
        store(settings, reports[0], file_name="0-corrected.txt")  # body 0 corrects its failing report
        assert cli("bodies", "match")[0] == 0
        code, out, err = cli("roster", "--region", "将乐县", "--year", "2024", "--today", "2025-01-24", "--json")
        assert code == 0, err
        roster = json.loads(out)
        assert roster["counts"] == {"not_received": 10, "failing": 4, "needs_review": 0, "passing": 35, "corrected": 1}
        assert cli("remind", "--today", "2025-01-24")[0] == 0
        to = sorted(",".join(e["to"]) for e in sink.envelopes)
        assert len(to) == 8 + 4 + 1  # 8 townships not received, 4 failing (with emails), one office summary
        assert "zwgk@example.gov.cn" in to and "t0@jl.gov.cn" not in to and "t8@jl.gov.cn" in to
        assert cli("remind", "--today", "2025-01-24")[0] == 0 and len(sink.envelopes) == 13  # never twice
        code, out, err = cli("rollup", "--region", "将乐县", "--year", "2024", "--json")
        assert code == 0, err
        rollup = json.loads(out)
        assert len(rollup["included"]) == 36 and len(rollup["missing"]) == 14
        summed = [r for i, r in enumerate(reports) if i % 8 != 0 or i == 0]
        cells = {(c["table"], c["row"], c["col"]): c["value"] for c in rollup["cells"]}
        for row in ("new", "total"):
            for col in ("natural_person", "total"):
                want = sum(r["tables"]["applications"][row][col] for r in summed)
                assert cells[("applications", row, col)] == want
        assert cli("export", "roster", "--region", "将乐县", "--year", "2024", "-o", tmp_path / "r.xlsx")[0] == 0
        sheet = load_workbook(tmp_path / "r.xlsx").active
        assert sheet is not None and sheet.max_row == 51
