"""A small registry with reports for the registry pages' tests (tests/registry fixtures, real store functions).

将乐县: 南口镇 passes, 万安镇 fails, 白莲镇 failed then corrected, 高唐镇 passed then failed, 光明镇 and the
county government sent nothing; one report of an unregistered 新区 stays unmatched.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.registry.conftest import REGISTRY, TOWNS, town
from tests.registry.helpers import broken, generated, store, write_csv
from worker.registry.assign import match_all
from worker.registry.bodies import import_bodies, parse_file
from worker.settings import Settings
from worker.store.db import session_scope


def seed(settings: Settings, tmp_path: Path) -> dict[str, int]:
    """Import the registry, store the reports, match them; returns file stem -> report id."""
    rows, errors = parse_file(write_csv(tmp_path / "registry.csv", REGISTRY))
    assert not errors
    with session_scope(settings) as s:
        import_bodies(s, rows, errors, dry_run=False)
    rng = random.Random(2024)
    reports = {t: town(rng, t) for t in TOWNS[:4]}
    ids = {
        "nk": store(settings, reports["南口镇"], file_name="nk.txt"),
        "wa": store(settings, broken(reports["万安镇"]), file_name="wa.txt"),
        "bl1": store(settings, broken(reports["白莲镇"]), file_name="bl1.txt"),
        "bl2": store(settings, reports["白莲镇"], file_name="bl2.txt"),
        "gt1": store(settings, reports["高唐镇"], file_name="gt1.txt"),
        "gt2": store(settings, broken(reports["高唐镇"]), file_name="gt2.txt"),
    }
    stray = generated(rng, path=["福建省", "三明市", "将乐县", "新区"], organ="将乐县新区管理委员会", year=2024)
    ids["xq"] = store(settings, stray, file_name="xq.txt")
    with session_scope(settings) as s:
        match_all(s, settings=settings)
    return ids
