"""Fixtures for the extraction tests: the committed samples and small-limit settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.settings import Settings

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "formats"


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def small_limits() -> Settings:
    """Settings with tiny limits, to test them without writing large files."""
    return Settings(max_file_mb=0.05, zip_max_uncompressed_mb=1, zip_max_entries=20)
