"""Workers on several hosts record the fingerprint of their verdict settings (``worker_settings``, revision
0011): ``nianbao status`` says whether the live ones agree and lists the hosts and keys that differ,
``nianbao health`` fails on a difference, a secret is compared without ever being stored or shown, and a
worker not seen within the window is not counted. On SQLite and PostgreSQL, plus one real ``nianbao worker``."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from pydantic import SecretStr

from tests.alerts.conftest import configure, smtp_overrides
from tests.utils.services import WorkerProcess, make_settings, migrated, pg_base_url, pg_schema, wait_until
from tests.utils.smtp import SmtpSink
from worker.cli import main
from worker.peers import RETENTION, Presence
from worker.settings import Settings, get_settings
from worker.store.models import utcnow

pytestmark = pytest.mark.integration

PASSWORD = "Qx7-smtp-password-nobody-may-read"


@pytest.fixture
def here(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, smtp_sink: SmtpSink, broker_url: str
) -> Iterator[Settings]:
    """The settings ``nianbao status`` / ``health`` run with (an SMTP sink, so only our check can fail)."""
    from worker.store.db import dispose_engines

    yield configure(monkeypatch, tmp_path, database_url, broker_url, **smtp_overrides(smtp_sink))
    dispose_engines()
    get_settings.cache_clear()


def _worker_on(base: Settings, tmp_path: Path, host: str, **overrides: Any) -> Presence:
    """A worker on ``host`` with the settings ``base`` plus ``overrides``, recorded as its start does."""
    settings = base.model_copy(update={"data_dir": tmp_path / host, **overrides})
    presence = Presence(settings, f"nianbao-1@{host}", host=host)
    presence.announce()
    return presence


def _status() -> tuple[int, dict[str, Any], str]:
    runner = CliRunner()
    as_json = runner.invoke(main, ["status", "--json"], catch_exceptions=False)
    text = runner.invoke(main, ["status"], catch_exceptions=False)
    return as_json.exit_code, json.loads(as_json.output), text.output


def _health() -> tuple[int, dict[str, Any], str]:
    runner = CliRunner()
    as_json = runner.invoke(main, ["health", "--json"], catch_exceptions=False)
    text = runner.invoke(main, ["health"], catch_exceptions=False)
    return as_json.exit_code, json.loads(as_json.output), text.output


def _table_text(settings: Settings) -> str:
    from worker.store.db import get_engine

    with get_engine(settings).connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM worker_settings")).all()
    return "\n".join(str(tuple(row)) for row in rows)


def test_host_local_differences_are_consistent(here: Settings, tmp_path: Path) -> None:
    _worker_on(here, tmp_path, "host-a", worker_concurrency=2, log_level="INFO")
    differences = _worker_on(here, tmp_path, "host-b", worker_concurrency=8, log_level="DEBUG",
                             sweep_interval=5).announce()  # fmt: skip
    assert differences == []
    code, st, text = _status()
    ws = st["worker_settings"]
    assert code == 0 and ws["consistent"] and ws["workers"] == 2 and ws["differing"] == []
    assert ws["groups"][0]["hosts"] == ["host-a", "host-b"]
    assert "处理进程设置 一致（2 个处理进程，主机 host-a、host-b" in text
    code, health, text = _health()
    assert code == 0 and health["worker_settings"]["ok"], health
    assert "正常  处理进程设置：一致" in text


def test_a_different_rule_severity_is_listed_and_fails_health(here: Settings, tmp_path: Path) -> None:
    _worker_on(here, tmp_path, "host-a")
    _worker_on(here, tmp_path, "host-b")
    differences = _worker_on(here, tmp_path, "host-c", rule_severity={"PUB_AFTER_JAN31": "warning"}).announce()
    assert [(w.host, keys) for w, keys in differences] == [("host-a", ["rule_severity"]), ("host-b", ["rule_severity"])]

    code, st, text = _status()
    ws = st["worker_settings"]
    assert code == 0  # status reports it; its exit code is about the broker and the database
    assert not ws["consistent"] and ws["differing"] == ["rule_severity"]
    assert [g["hosts"] for g in ws["groups"]] == [["host-a", "host-b"], ["host-c"]]
    assert [g["values"] for g in ws["groups"]] == [{"rule_severity": {}}, {"rule_severity": {"PUB_AFTER_JAN31": "warning"}}]
    assert "不一致：2 组处理进程的校验与告警设置不同，不同的设置项：rule_severity" in text
    assert "第 2 组  主机 host-c（nianbao-1@host-c）" in text

    code, health, text = _health()
    assert code == 2 and not health["healthy"]
    assert [name for name, v in health.items() if name != "healthy" and not v["ok"]] == ["worker_settings"]
    assert "失败  处理进程设置：运行中的处理进程校验与告警设置不同：rule_severity（第 1 组 host-a、host-b；第 2 组 host-c）" in text


def test_a_different_smtp_password_differs_and_is_never_shown(here: Settings, tmp_path: Path) -> None:
    _worker_on(here, tmp_path, "host-a", smtp_password=SecretStr(PASSWORD))
    differences = _worker_on(here, tmp_path, "host-b", smtp_password=SecretStr(PASSWORD + "-old")).announce()
    assert [(w.host, keys) for w, keys in differences] == [("host-a", ["smtp_password"])]
    _, st, text = _status()
    assert st["worker_settings"]["differing"] == ["smtp_password"]
    assert all(g["values"] == {} for g in st["worker_settings"]["groups"])  # a secret: its name only
    assert "smtp_password 不同（保密设置，不显示其值）" in text
    code, health, health_text = _health()
    assert code == 2 and "smtp_password" in health["worker_settings"]["detail"]
    shown = "\n".join([json.dumps(st, ensure_ascii=False), text, json.dumps(health, ensure_ascii=False),
                       health_text, _table_text(here)])  # fmt: skip
    assert PASSWORD not in shown


def test_a_worker_not_seen_within_the_window_is_not_counted(here: Settings, tmp_path: Path) -> None:
    """A killed worker's row stops counting after the window; one whose heartbeat goes on still counts."""
    from worker.store.db import session_scope
    from worker.store.queries import worker_settings_check

    now = utcnow()
    beating = Presence(here.model_copy(update={"alert_on_warnings": True}), "nianbao-2@host-b", host="host-b")
    beating.announce(now=now - dt.timedelta(minutes=30))  # started half an hour ago ...
    beating.heartbeat(now=now - dt.timedelta(seconds=30))  # ... and refreshed since
    gone = Presence(here.model_copy(update={"rule_severity": {"PUB_AFTER_JAN31": "off"}}), "nianbao-9@host-old",
                    host="host-old")  # fmt: skip
    gone.announce(now=now - dt.timedelta(minutes=6))  # killed 6 minutes ago: its row stayed
    stopped = _worker_on(here, tmp_path, "host-stopped", timezone="Asia/Urumqi")
    stopped.withdraw()  # a clean stop deletes the row
    stopped.heartbeat()  # and its sweep loop, still running as the worker stops, writes nothing again
    live = Presence(here, "nianbao-1@host-a", host="host-a")
    assert [(w.host, keys) for w, keys in live.announce(now=now)] == [("host-b", ["alert_on_warnings"])]
    with session_scope(here) as s:
        check = worker_settings_check(s, now=now)
        assert [w.host for w in check.workers] == ["host-a", "host-b"]
        assert check.differing == ["alert_on_warnings"]  # not rule_severity nor timezone: those are gone
        # within the window (5 minutes, or 2 heartbeats when those are longer) the killed one counted too
        assert worker_settings_check(s, now=now - dt.timedelta(minutes=2)).differing == [
            "rule_severity", "alert_on_warnings"
        ]
    beating.withdraw()
    assert _health()[0] == 0

    live.announce(now=now + RETENTION)  # a week later the next start deletes the row nobody refreshed
    assert "host-old" not in _table_text(here)


def test_migration_0011_matches_the_model_and_downgrades(tmp_path: Path, database_url: str) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from worker.store.db import alembic_config, current_revision, get_engine, upgrade

    settings = migrated(make_settings(tmp_path, database_url))
    engine = get_engine(settings)
    assert current_revision(settings) >= "0011"
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert [d for d in diffs if "worker_settings" in repr(d)] == []
    with engine.begin() as conn:
        cfg = alembic_config(settings.sqlalchemy_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    assert "worker_settings" not in sa.inspect(engine).get_table_names()
    assert current_revision(settings) == "0010"
    upgrade(settings)
    assert "worker_settings" in sa.inspect(engine).get_table_names()


@pytest.mark.slow
def test_a_real_worker_warns_at_start_and_leaves_when_stopped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, broker_url: str, smtp_sink: SmtpSink
) -> None:
    """``nianbao worker`` on PostgreSQL (file_store = "database") beside a worker of another host with another
    ``rule_severity`` and SMTP password: it starts anyway, logs which settings differ (not the password), status
    lists both hosts, and its row goes when it stops."""
    from worker.store.db import dispose_engines

    with pg_schema(pg_base_url()) as url:
        settings = configure(monkeypatch, tmp_path, url, broker_url, file_store="database",
                             smtp_password=SecretStr(PASSWORD), **smtp_overrides(smtp_sink))  # fmt: skip
        _worker_on(settings, tmp_path, "host-b", rule_severity={"PUB_AFTER_JAN31": "off"},
                   smtp_password=SecretStr(PASSWORD + "-b"))  # fmt: skip
        worker = WorkerProcess(settings, tmp_path / "worker.log", concurrency=1)
        try:
            line = wait_until(lambda: next((ln for ln in worker.output().splitlines()
                                            if "verdict_settings_differ" in ln), None), 60, "the warning")  # fmt: skip
            warning = json.loads(line)
            assert warning["level"] == "warning" and warning["host"] == socket.gethostname()
            assert [(o["host"], o["settings"]) for o in warning["others"]] == [("host-b", ["rule_severity", "smtp_password"])]
            assert warning["others"][0]["values"] == {
                "rule_severity": {"here": {}, "there": {"PUB_AFTER_JAN31": "off"}}
            }
            _, st, text = _status()
            assert st["worker_settings"]["differing"] == ["rule_severity", "smtp_password"]
            assert sorted(h for g in st["worker_settings"]["groups"] for h in g["hosts"]) == sorted(
                ["host-b", socket.gethostname()]
            )
        finally:
            worker.stop()
        log = worker.log_path.read_text(errors="replace")
        assert PASSWORD not in log and PASSWORD not in text and PASSWORD not in _table_text(settings)
        assert socket.gethostname() not in _table_text(settings)  # its clean stop deleted its row
        dispose_engines()
        get_settings.cache_clear()
