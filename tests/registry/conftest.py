"""Fixtures of the registry tests: a migrated database and the in-process CLI configured for it."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.registry.helpers import broken, generated, store, write_csv
from tests.utils.services import export_settings, make_settings, migrated
from worker.cli import main
from worker.settings import Settings, get_settings

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def make_registry_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
                           ) -> Iterator[Callable[..., Settings]]:  # fmt: skip
    """Settings for a migrated database, exported to the environment so ``nianbao …`` in-process sees them."""

    def make(**overrides: Any) -> Settings:
        settings = migrated(make_settings(tmp_path, database_url, **overrides))
        export_settings(monkeypatch, settings)
        return settings

    yield make
    get_settings.cache_clear()


@pytest.fixture
def settings(make_registry_settings: Callable[..., Settings]) -> Settings:
    return make_registry_settings()


@pytest.fixture
def cli() -> Cli:
    def run(*args: str) -> tuple[int, str, str]:
        res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        return res.exit_code, res.stdout, res.stderr

    return run


TOWNS = ["南口镇", "万安镇", "白莲镇", "高唐镇", "光明镇"]  # fmt: skip
REGION = ["福建省", "三明市", "将乐县"]
REGISTRY = [
    *[[f"将乐县{t}人民政府", t, "", "/".join([*REGION, t]), "township", "", f"{i}@jl.gov.cn", "", ""]
      for i, t in enumerate(TOWNS)],
    ["将乐县人民政府", "县政府", "", "/".join(REGION), "county_government", "", "", "", ""],
    ["将乐县安仁乡人民政府", "安仁乡", "", "/".join([*REGION, "安仁乡"]), "township", "", "", "2010", "2020"],
    ["顺昌县洋口镇人民政府", "洋口镇", "", "福建省/南平市/顺昌县/洋口镇", "township", "", "", "", ""],
]  # fmt: skip


def town(rng: random.Random, name: str) -> dict[str, Any]:
    """A consistent 2024 report of the township ``name`` of 将乐县."""
    return generated(rng, path=[*REGION, name], organ=f"将乐县{name}人民政府", year=2024)


@pytest.fixture
def region(settings: Settings, cli: Cli, tmp_path: Path) -> dict[str, Any]:
    """南口镇 passes, 万安镇 fails, 白莲镇 failed then corrected, 高唐镇 passed then a failing version, 光明镇
    and the county government sent nothing; 安仁乡 is no longer active; 洋口镇 lies outside the region."""
    cli("bodies", "import", write_csv(tmp_path / "r.csv", REGISTRY))
    rng = random.Random(2024)
    reports = {t: town(rng, t) for t in TOWNS[:4]}
    store(settings, reports["南口镇"], file_name="nk.txt")
    store(settings, broken(reports["万安镇"]), file_name="wa.txt")
    store(settings, broken(reports["白莲镇"]), file_name="bl1.txt")
    store(settings, reports["白莲镇"], file_name="bl2.txt")
    store(settings, reports["高唐镇"], file_name="gt1.txt")
    store(settings, broken(reports["高唐镇"]), file_name="gt2.txt")
    outside = generated(rng, path=["福建省", "南平市", "顺昌县", "洋口镇"], organ="顺昌县洋口镇人民政府", year=2024)
    store(settings, outside, file_name="yk.txt")
    assert cli("bodies", "match")[0] == 0
    return reports
