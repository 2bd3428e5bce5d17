"""The web application's access rule, sessions, audit and schema, through Starlette's TestClient."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlmodel import SQLModel, select

from tests.web.conftest import PASSWORDS, web_settings_for
from worker.errors import ConfigError
from worker.store.db import get_engine, session_scope
from worker.store.web_models import WEB_TABLES, AuditEntry
from worker.web.app import create_app
from worker.web.auth import hash_password, verify_password


def _client(settings: object) -> TestClient:
    return TestClient(create_app(settings), base_url="http://127.0.0.1")  # type: ignore[arg-type]


def _token(client: TestClient, path: str = "/login") -> str:
    html = client.get(path).text
    return html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def _login(client: TestClient, name: str, *, next_: str = "/") -> object:
    form = {"name": name, "password": PASSWORDS[name], "next": next_, "csrf_token": _token(client)}
    return client.post("/login", data=form, follow_redirects=False)


def test_beyond_loopback_needs_users(tmp_path: Path, database_url: str) -> None:
    no_users = web_settings_for(tmp_path, database_url, web_users=[])
    with pytest.raises(ConfigError, match="without web_users"):
        create_app(no_users, address="0.0.0.0")
    create_app(no_users, address="127.0.0.1")
    create_app(web_settings_for(tmp_path, database_url), address="0.0.0.0")
    bad = web_settings_for(tmp_path, database_url, web_users=[{"name": "a", "password_hash": "plain"}])
    with pytest.raises(ConfigError, match="not valid"):
        create_app(bad)


def test_without_users_the_local_user_needs_no_login(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url, web_users=[], web_local_role="viewer")
    client = _client(settings)
    page = client.get("/")
    assert page.status_code == 200 and "本机用户" in page.text and "查看者" in page.text
    assert client.get("/login", follow_redirects=False).headers["location"] == "/"
    assert client.get("/quarantine/1/delete").status_code == 403  # the local role is a viewer here
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_login_redirects_only_within_the_site(tmp_path: Path, database_url: str) -> None:
    client = _client(web_settings_for(tmp_path, database_url))
    to_login = client.get("/quarantine?x=1", follow_redirects=False)
    assert to_login.headers["location"] == "/login?next=%2Fquarantine%3Fx%3D1"
    assert _login(client, "zhang", next_="//evil.example/").headers["location"] == "/"  # type: ignore[attr-defined]
    client = _client(web_settings_for(tmp_path, database_url))
    assert _login(client, "li", next_="/quarantine").headers["location"] == "/quarantine"  # type: ignore[attr-defined]


def test_a_login_expires(tmp_path: Path, database_url: str) -> None:
    client = _client(web_settings_for(tmp_path, database_url, web_session_hours=4 / 3600))
    _login(client, "zhang")
    assert client.get("/reports", follow_redirects=False).status_code == 200  # within 4 s, even on a busy CI
    time.sleep(4.2)
    assert client.get("/reports", follow_redirects=False).headers["location"].startswith("/login")


def test_a_user_removed_from_the_configuration_is_logged_out(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    client = _client(settings)
    _login(client, "li")
    assert client.get("/reports", follow_redirects=False).status_code == 200
    client.app.state.settings = settings.model_copy(update={"web_users": settings.web_users[:1]})  # type: ignore[attr-defined]
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_refused_login_is_audited_with_the_client(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    client = _client(settings)
    form = {"name": "nobody", "password": "x", "csrf_token": _token(client)}
    assert client.post("/login", data=form).status_code == 401
    with session_scope(settings) as s:
        entry = s.exec(select(AuditEntry)).one()
    assert (entry.user_name, entry.role, entry.action, entry.outcome) == ("nobody", None, "login", "refused")
    assert entry.client


def test_password_hash_cli_round_trip() -> None:
    from worker.cli import main

    result = CliRunner().invoke(main, ["web", "hash-password"], input="秘密 pass\n秘密 pass\n")
    assert result.exit_code == 0, result.output
    hashed = result.output.strip().splitlines()[-1]
    assert verify_password("秘密 pass", hashed) and not verify_password("秘密 pas", hashed)
    assert hash_password("a") != hash_password("a")  # salted


def test_web_refuses_a_public_address_without_users(tmp_path: Path) -> None:
    from worker.cli import main

    env = {"NIANBAO_CONFIG": "/dev/null", "NIANBAO_DATA_DIR": str(tmp_path), "NIANBAO_WEB_USERS": "[]"}
    from worker.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["web", "--address", "0.0.0.0"], env=env)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "refusing to serve the web application on 0.0.0.0" in result.output
    assert not (tmp_path / "nianbao.sqlite").exists()  # refused before touching the database


def test_migration_matches_web_models(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    engine = get_engine(settings)
    assert set(WEB_TABLES) <= set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, SQLModel.metadata)
    assert [d for d in diffs if "audit" in repr(d)] == []


def test_pages_are_read_beside_a_worker_holding_the_write_lock(tmp_path: Path) -> None:
    """On SQLite a GET reads beside the workers' store transaction (WAL) instead of waiting for its write
    lock; a POST still writes under it (here it waits, then fails, as a locked database does)."""
    import sqlite3

    path = tmp_path / "web.sqlite"
    settings = web_settings_for(tmp_path, f"sqlite:///{path}", db_busy_timeout=0.3)
    client = _client(settings)
    assert _login(client, "zhang").status_code == 303  # type: ignore[attr-defined]
    token = _token(client, "/")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a worker's store transaction
    try:
        for page in ("/", "/reports", "/quarantine", "/roster", "/audit", "/healthz"):
            assert client.get(page).status_code == 200, page
        with pytest.raises(Exception, match="locked"):
            client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
