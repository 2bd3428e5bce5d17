from __future__ import annotations

import pytest

from worker.settings import Settings


def test_settings_env_overrides_and_aliases(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:secret@127.0.0.1:5432/test")
    monkeypatch.setenv("NIANBAO_INBOX", str(tmp_path / "in"))
    s = Settings()
    assert s.broker_url == "redis://127.0.0.1:6379/3"
    assert s.sqlalchemy_url == "postgresql+psycopg://u:secret@127.0.0.1:5432/test"
    assert s.inbox_path == (tmp_path / "in").resolve()
    assert "secret" not in str(s.redacted())


def test_settings_default_database_is_sqlite_under_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.sqlalchemy_url == f"sqlite:///{tmp_path.resolve()}/nianbao.sqlite"
    assert s.archive_path == (tmp_path / "archive").resolve()
