"""Engine, sessions and migrations.

SQLite (default, ``<data_dir>/nianbao.sqlite``) runs in WAL mode with a busy timeout, and every transaction
starts with ``BEGIN IMMEDIATE`` so two worker processes never deadlock upgrading a read lock. PostgreSQL
comes from ``DATABASE_URL`` (psycopg 3). The schema is managed by Alembic (``worker/store/migrations``) and
applied once by ``nianbao run`` / ``nianbao worker`` / ``nianbao db upgrade`` before workers start.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from worker.errors import RetryableError, StorageError
from worker.logging import get_logger
from worker.settings import Settings, get_settings

log = get_logger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 30_000

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(busy_ms: int) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # autocommit mode at the driver level: SQLAlchemy's "begin" event below emits BEGIN IMMEDIATE
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return on_connect


_READ_ONLY = "nianbao_read_only"  # an execution option: the transaction only reads (``read_scope``, ``ping``)


def _sqlite_begin(conn: sa.Connection) -> None:
    # a transaction that only reads takes no write lock: WAL readers neither wait for the writer nor stop it
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(_READ_ONLY) else "BEGIN IMMEDIATE")


def _owner_only_file(path: Path, *, dir_mode: int | None, file_mode: int | None) -> None:
    """Create the SQLite file's directory and the file itself with the data modes (before SQLite does)."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    if dir_mode is not None:
        for created in missing:
            with contextlib.suppress(OSError):
                os.chmod(created, dir_mode)
    if file_mode is not None:
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, file_mode))
            os.chmod(path, file_mode)  # SQLite gives its -wal and -shm files the mode of this one


def make_engine(
    url: str,
    *,
    busy_timeout: float = SQLITE_BUSY_MS / 1000,
    dir_mode: int | None = None,
    file_mode: int | None = None,
) -> Engine:
    """Create an engine for ``url`` (SQLite gets WAL, a busy timeout in seconds and BEGIN IMMEDIATE).

    ``dir_mode`` / ``file_mode``: the SQLite file's new directories and the file itself (``data_mode``).
    """
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            _owner_only_file(Path(path), dir_mode=dir_mode, file_mode=file_mode)
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout})
        event.listen(engine, "connect", _sqlite_pragmas(int(busy_timeout * 1000)))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for the configured database (one per URL)."""
    settings = settings or get_settings()
    url = settings.sqlalchemy_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(
                url, busy_timeout=settings.db_busy_timeout, dir_mode=settings.dir_mode, file_mode=settings.file_mode
            )
        return engine


def dispose_engines() -> None:
    """Drop pooled connections (call in each forked worker process: sockets must not be shared)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose(close=False)
        _engines.clear()


@contextlib.contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error.

    Raises:
        RetryableError: For operational errors (locked database, lost connection).
    """
    session = Session(get_engine(settings), expire_on_commit=False)
    try:
        with _retryable_errors():
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        session.close()


@contextlib.contextmanager
def read_scope(settings: Settings | None = None) -> Iterator[Session]:
    """A session for reads only, ended with a rollback (its writes, if any, are lost).

    On SQLite its transaction begins without ``IMMEDIATE``: it neither waits for the write lock nor holds it
    (in WAL mode it reads the last committed state meanwhile). PostgreSQL: an ordinary transaction.

    Raises:
        RetryableError: For operational errors (locked database, lost connection).
    """
    session = Session(_reader(settings), expire_on_commit=False)
    event.listen(session, "before_flush", _refuse_writes)
    try:
        with _retryable_errors():
            yield session
    finally:
        session.rollback()
        session.close()


@contextlib.contextmanager
def _retryable_errors() -> Iterator[None]:
    """The database's operational errors (locked, unreachable) and lost connections as ``RetryableError``."""
    try:
        yield
    except OperationalError as exc:
        raise RetryableError(f"database unavailable: {exc.orig}") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise RetryableError(f"database connection lost: {exc.orig}") from exc
        raise


def ping(settings: Settings | None = None) -> None:
    """``SELECT 1`` in a transaction that only reads (health checks: no wait for SQLite's write lock while the
    workers store). Raises SQLAlchemy's error when the database cannot be reached."""
    with _reader(settings).connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def _reader(settings: Settings | None) -> Engine:
    return get_engine(settings).execution_options(**{_READ_ONLY: True})


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    """A read scope's changes would be rolled back unseen: a change made in one is a bug, raised at once."""
    raise StorageError("a change was made in a read-only transaction (db.read_scope)")


def lock_identity(session: Session, identity_key: str | None) -> None:
    """Serialise transactions about one issuing body (PostgreSQL advisory lock; SQLite is serial anyway).

    Two reports of the same body in adjacent years stored at the same moment must see each other, or
    neither would be checked against the other.
    """
    if identity_key and session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": identity_key})


def bulk_insert(session: Session, table: sa.Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows (one value per name in ``columns``, in that order) in the session's transaction.

    PostgreSQL: one ``COPY ... FROM STDIN``; SQLite: one ``executemany``. Both skip SQLAlchemy's per-row
    parameter processing, which costs more than the insert itself for a report's ~200 cells. The values must
    be what the driver takes as they are (str, int, float, None): no type processing is applied.
    """
    if not rows:
        return
    names = ", ".join(columns)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        dbapi: Any = connection.connection.dbapi_connection  # a psycopg Connection
        with dbapi.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


# --- migrations -------------------------------------------------------------------------------
def alembic_config(url: str) -> Any:
    """An Alembic ``Config`` for ``url`` without an ini file."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(settings: Settings | None = None, revision: str = "heads") -> None:
    """Apply all migrations to the configured database (idempotent).

    Raises:
        StorageError: When the database cannot be migrated.
    """
    import logging

    from alembic import command

    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = settings or get_settings()
    url = settings.sqlalchemy_url
    engine = get_engine(settings)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # several `nianbao worker` starting at once: one migrates, the others wait
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(7311)"))
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise StorageError(f"cannot migrate database {_safe(url)}: {exc.orig}") from exc
    log.info("db_upgraded", url=_safe(url), revision=current_revision(settings))


def current_revision(settings: Settings | None = None) -> str | None:
    """The revision(s) the database is at, comma-separated, or None when unmigrated."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(settings).connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def _safe(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)
