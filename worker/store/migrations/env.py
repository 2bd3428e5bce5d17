"""Alembic environment: runs on the connection handed over by ``worker.store.db.upgrade`` (or the URL)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import worker.store.models  # noqa: F401  (registers the core tables)
import worker.store.ops_models  # noqa: F401  (alert ledger, task runs: revision 0002)
import worker.store.relay_models  # noqa: F401  (blobs and submissions of the relay: revision 0010)
import worker.store.review_models  # noqa: F401  (finding reviews, re-check runs: revision 0006)
import worker.store.web_models  # noqa: F401  (web audit log: revision 0005)
import worker.store.worker_models  # noqa: F401  (the workers' verdict settings: revision 0011)

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
