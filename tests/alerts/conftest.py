"""Fixtures for alert tests: a real SMTP sink on loopback and a migrated database in a tmp dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.smtp import SmtpSink
from worker.settings import Settings, get_settings


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


def configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: object) -> Settings:
    """Point settings at ``tmp_path`` (SQLite) plus ``env`` (NIANBAO_<KEY>), migrate, return them."""
    from worker.store.db import upgrade

    for key in ("DATABASE_URL", "NIANBAO_DATABASE_URL", "NIANBAO_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NIANBAO_CONFIG", str(tmp_path / "none.toml"))  # the checkout's TOML must not leak in
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NIANBAO_INBOX", str(tmp_path / "inbox"))
    for key, value in env.items():
        monkeypatch.setenv(f"NIANBAO_{key.upper()}", value if isinstance(value, str) else __import__("json").dumps(value))
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings)
    return settings


@pytest.fixture
def alert_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Settings]:
    """Settings sending to ``smtp_sink``, no digest window, fast retries."""
    from worker.store.db import dispose_engines

    yield configure(
        monkeypatch, tmp_path, smtp_port=str(smtp_sink.port), digest_window_seconds="0", digest_threshold="10",
        alert_retry_backoff="0.2", alert_recipients=["zwgk@example.gov.cn"], mail_from="nianbao@example.gov.cn",
        mail_reply_to="office@example.gov.cn",
    )
    dispose_engines()
    get_settings.cache_clear()
