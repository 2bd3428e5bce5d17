"""PostgreSQL: ``report.report_json`` compressed with lz4 instead of pglz (PostgreSQL 14 and later, built with lz4).

A report's JSON is ~50 KB: pglz took ~0.8 ms of the server per stored report, lz4 ~0.3 ms, for ~10 % more
bytes on disk (docs/throughput.md). Rows written from now on are compressed with lz4; older rows keep pglz
and read the same. A server without lz4 (or older than 14) keeps pglz: the migration changes nothing there.
SQLite does not compress: nothing to do.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _set_compression(method: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # EXECUTE: parsed when run, so "SET COMPRESSION" unknown to PostgreSQL 13 is caught like a missing lz4
    op.execute(
        "DO $$ BEGIN "
        f"EXECUTE 'ALTER TABLE report ALTER COLUMN report_json SET COMPRESSION {method}'; "
        "EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL; "
        "END $$"
    )


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("default")
