"""Fixtures for alert tests: a real SMTP sink on loopback and a migrated database (tests/utils/services.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# the fixtures broker_url, database_url, default_database_url come from tests/conftest.py's plugin: importing
# them here too made a second session broker for this folder
from tests.utils.services import export_settings, make_settings, migrated
from tests.utils.smtp import SmtpSink
from worker.settings import Settings, get_settings


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


def configure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str, broker: str | None = None, **overrides: Any
) -> Settings:
    """Make ``get_settings()`` (what tasks read) return settings under ``tmp_path``; migrate the database."""
    wanted = make_settings(tmp_path, db_url, broker, **overrides)
    export_settings(monkeypatch, wanted)
    return migrated(get_settings())


def smtp_overrides(sink: SmtpSink, **kw: Any) -> dict[str, Any]:
    """Settings sending to ``sink``, no digest window, fast retries (override with ``kw``)."""
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": sink.port,
        "smtp_security": "none",
        "digest_window_seconds": 0,
        "digest_threshold": 10,
        "alert_retry_backoff": 0.2,
        "alert_recipients": ["zwgk@example.gov.cn"],
        "mail_from": "nianbao@example.gov.cn",
        "mail_reply_to": "office@example.gov.cn",
        "alert_routes": [],
    }
    values.update(kw)
    return values


@pytest.fixture
def alert_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink
) -> Iterator[Settings]:
    """SQLite settings sending to ``smtp_sink``."""
    from worker.store.db import dispose_engines

    yield configure(
        monkeypatch, tmp_path, f"sqlite:///{tmp_path / 'nianbao.sqlite'}", **smtp_overrides(smtp_sink)
    )
    dispose_engines()
    get_settings.cache_clear()
