"""Operational tables: alert_ledger, alert_delivery, task_run (worker/store/ops_models.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_ledger",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.Integer),
        sa.Column("content_sha256", sa.String(80), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("message_kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("previous_id", sa.Integer),
        sa.Column("delivery_id", sa.Integer),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("claimed_at", TS),
        sa.Column("claim", sa.String(32)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.UniqueConstraint("content_sha256", "fingerprint", "recipient", name="uq_alert_ledger_key"),
    )
    op.create_index("ix_alert_ledger_due", "alert_ledger", ["status", "recipient", "due_at"])
    op.create_index("ix_alert_ledger_content_sha256", "alert_ledger", ["content_sha256"])
    op.create_index("ix_alert_ledger_delivery_id", "alert_ledger", ["delivery_id"])

    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("message_id", sa.String(255)),
        sa.Column("smtp_reply", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS),
    )
    op.create_index("ix_alert_delivery_recipient", "alert_delivery", ["recipient"])
    op.create_index("ix_alert_delivery_created_at", "alert_delivery", ["created_at"])

    op.create_table(
        "task_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("task_id", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("args", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("queued_at", TS),
        sa.Column("started_at", TS),
        sa.Column("finished_at", TS),
        sa.Column("runtime_s", sa.Float),
        sa.Column("retries", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(255)),
        sa.Column("error", sa.Text),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_task_run_name", "task_run", ["name"])
    op.create_index("ix_task_run_state", "task_run", ["state"])
    op.create_index("ix_task_run_finished_at", "task_run", ["finished_at"])


def downgrade() -> None:
    op.drop_table("task_run")
    op.drop_table("alert_delivery")
    op.drop_table("alert_ledger")
