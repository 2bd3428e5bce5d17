"""Fixtures of the registry tests: a migrated database and the in-process CLI configured for it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.utils.services import make_settings, migrated, settings_env
from worker.cli import main
from worker.settings import Settings, get_settings

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def make_registry_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
                           ) -> Iterator[Callable[..., Settings]]:  # fmt: skip
    """Settings for a migrated database, exported to the environment so ``nianbao …`` in-process sees them."""

    def make(**overrides: Any) -> Settings:
        settings = migrated(make_settings(tmp_path, database_url, **overrides))
        for key in list(os.environ):
            if key.startswith("NIANBAO_") or key in ("REDIS_URL", "DATABASE_URL"):
                monkeypatch.delenv(key)
        for key, value in settings_env(settings, base={}).items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
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
