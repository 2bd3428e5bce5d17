from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from worker.settings import Settings, SettingsInvalid, get_settings


def test_settings_env_overrides_and_aliases(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:pw-4711@127.0.0.1:5432/test")
    monkeypatch.setenv("NIANBAO_INBOX", str(tmp_path / "in"))
    s = Settings()
    assert s.broker_url == "redis://127.0.0.1:6379/3"
    assert s.sqlalchemy_url == "postgresql+psycopg://u:pw-4711@127.0.0.1:5432/test"
    assert s.inbox_path == (tmp_path / "in").resolve()
    assert "pw-4711" not in str(s.redacted())


def test_settings_default_database_is_sqlite_under_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.sqlalchemy_url == f"sqlite:///{tmp_path.resolve()}/nianbao.sqlite"
    assert s.archive_path == (tmp_path / "archive").resolve()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ops@example.gov.cn", ["ops@example.gov.cn"]),
        ("a@x.cn, b@y.cn", ["a@x.cn", "b@y.cn"]),
        ("a@x.cn; b@y.cn;", ["a@x.cn", "b@y.cn"]),
        ("a@x.cn，b@y.cn", ["a@x.cn", "b@y.cn"]),
        ('["a@x.cn", "b@y.cn"]', ["a@x.cn", "b@y.cn"]),
    ],
    ids=["single", "comma", "semicolon", "fullwidth-comma", "json"],
)
def test_list_settings_accept_what_people_type(monkeypatch: pytest.MonkeyPatch, typed: str, expected: list[str]) -> None:
    monkeypatch.setenv("NIANBAO_ALERT_RECIPIENTS", typed)
    monkeypatch.setenv("NIANBAO_IGNORE_PATTERNS", typed)
    s = Settings()
    assert s.alert_recipients == expected
    assert s.ignore_patterns == expected


def test_list_settings_from_the_config_file_accept_a_string(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "nianbao.toml"
    config.write_text('alert_recipients = "a@x.cn; b@y.cn"\n', encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))
    monkeypatch.delenv("NIANBAO_ALERT_RECIPIENTS", raising=False)
    assert Settings().alert_recipients == ["a@x.cn", "b@y.cn"]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("NIANBAO_STABLE_SECONDS", "soon", "配置错误：stable_seconds：应为数字（当前值 'soon'）"),
        ("NIANBAO_ALERT_RECIPIENTS", "[a@x.cn", "配置错误：alert_recipients：不是有效的 JSON 列表"),
        ("NIANBAO_RULE_SEVERITY", "r1=error", "配置错误：rule_severity：应为 JSON 对象"),
        ("NIANBAO_SMTP_SECURITY", "tls", "配置错误：smtp_security：应为以下之一"),
    ],
)
def test_settings_error_is_one_line_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsInvalid) as caught:
            get_settings()
    finally:
        get_settings.cache_clear()
    assert caught.value.one_line().startswith(expected)
    assert "\n" not in caught.value.one_line()


def test_settings_error_never_shows_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_FLOWER_PORT", "secret-ish")
    monkeypatch.setenv("NIANBAO_SMTP_PASSWORD", "1")  # valid; must not appear anywhere
    monkeypatch.setenv("NIANBAO_BROKER_URL", "redis://:hunter2@127.0.0.1:1/0")
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsInvalid) as caught:
            get_settings()
    finally:
        get_settings.cache_clear()
    assert "hunter2" not in caught.value.one_line()
    assert caught.value.keys == ["flower_port"]


@pytest.mark.parametrize(
    ("key", "value"),
    [("NIANBAO_ALERT_RECIPIENTS", "[oops"), ("NIANBAO_POLLING", "maybe")],
)
def test_cli_prints_a_settings_error_as_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str
) -> None:
    env = {**os.environ, key: value}
    done = subprocess.run(
        [sys.executable, "-c", "from worker.cli import main; main()", "rules", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"配置错误：{key.removeprefix('NIANBAO_').lower()}：")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr + done.stdout


def test_cli_accepts_a_single_recipient(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "NIANBAO_ALERT_RECIPIENTS": "ops@example.gov.cn"}
    done = subprocess.run(
        [sys.executable, "-c", "from worker.cli import main; main()", "rules", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
