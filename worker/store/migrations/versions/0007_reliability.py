"""Reliability (issue 10): lossless names, move intents, the outbox, exact integer cells.

* ``source_file.name_raw``, ``quarantine.name_raw``: the hex bytes of a file name that is not UTF-8
  (``name`` holds its display form, valid in every database);
* ``delivery.destination``: where the file is being moved, written before the move so a sweep can
  complete a move whose last update was cut short;
* ``outbox``: follow-up tasks (alerts) recorded in the transaction that calls for them;
* ``cell.value_exact``: the exact digits of an integer cell (``value`` is a float: 20 digits do not fit).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source_file") as batch:
        batch.add_column(sa.Column("name_raw", sa.Text(), nullable=True))
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("name_raw", sa.Text(), nullable=True))
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("destination", sa.Text(), nullable=True))
    with op.batch_alter_table("cell") as batch:
        batch.add_column(sa.Column("value_exact", sa.Text(), nullable=True))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=64), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_unsent", "outbox", ["sent_at", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("cell") as batch:
        batch.drop_column("value_exact")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("destination")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("name_raw")
    with op.batch_alter_table("source_file") as batch:
        batch.drop_column("name_raw")
