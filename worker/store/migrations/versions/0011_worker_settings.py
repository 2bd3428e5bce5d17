"""``worker_settings``: each running worker's fingerprint of the settings that change a verdict or an alert, so
workers on several hosts that differ are shown (``nianbao status``) and fail ``nianbao health``. See
worker/store/worker_models.py.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_settings",
        sa.Column("node", sa.String(length=255), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("data_dir", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("secret_digests", sa.JSON(), nullable=False),
        sa.Column("heartbeat_seconds", sa.Float(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("node"),
    )
    op.create_index("ix_worker_settings_last_seen", "worker_settings", ["last_seen"])


def downgrade() -> None:
    op.drop_index("ix_worker_settings_last_seen", table_name="worker_settings")
    op.drop_table("worker_settings")
