"""Revision 0002 creates exactly the tables ops_models.py declares (no drift), and downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from tests.utils.services import make_settings, migrated
from worker.store import ops_models

OPS_TABLES = {"alert_ledger", "alert_delivery", "task_run"}


def test_migration_0002_matches_models(tmp_path: Path, database_url: str) -> None:
    from worker.store.db import alembic_config, get_engine

    settings = migrated(make_settings(tmp_path, database_url))
    engine = get_engine(settings)
    assert ops_models.AlertLedger.__tablename__ in sa.inspect(engine).get_table_names()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, SQLModel.metadata)

    def table_of(diff: object) -> str | None:
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:] if isinstance(item, tuple) else ():
            name = getattr(part, "name", None) if not isinstance(part, str) else None
            table = getattr(part, "table", None)
            if table is not None and getattr(table, "name", None):
                return str(table.name)
            if name in OPS_TABLES:
                return str(name)
            if isinstance(part, str) and part in OPS_TABLES:
                return part
        return None

    ours = [d for d in diffs if table_of(d) in OPS_TABLES]
    assert ours == []

    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config(settings.sqlalchemy_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert OPS_TABLES.isdisjoint(sa.inspect(engine).get_table_names())
