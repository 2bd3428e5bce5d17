"""Fixtures of the read-layer tests: a migrated database per test, and the stored seeds shared per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.services import make_settings, migrated, shared_database
from tests.utils.stored import store_seeds
from worker.settings import Settings


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return migrated(make_settings(tmp_path, database_url))


@pytest.fixture
def ids(settings: Settings) -> dict[str, int]:
    return store_seeds(settings)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, dict[str, int]]]:
    """The stored seeds once per database for the module's tests that only read them (``ids`` per test)."""
    with shared_database(request.param, tmp_path_factory) as url:
        settings = migrated(make_settings(tmp_path_factory.mktemp("seeded"), url))
        yield settings, store_seeds(settings)
