"""Alert channels: ``channel`` on alert_ledger (part of its key) and alert_delivery; existing rows are email.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_ledger") as batch:
        batch.add_column(sa.Column("channel", sa.String(32), nullable=False, server_default="email"))
        batch.drop_constraint("uq_alert_ledger_key", type_="unique")
        batch.create_unique_constraint(
            "uq_alert_ledger_key", ["content_sha256", "fingerprint", "channel", "recipient"]
        )
        batch.drop_index("ix_alert_ledger_due")
        batch.create_index("ix_alert_ledger_due", ["status", "channel", "recipient", "due_at"])
    with op.batch_alter_table("alert_delivery") as batch:
        batch.add_column(sa.Column("channel", sa.String(32), nullable=False, server_default="email"))


def downgrade() -> None:
    with op.batch_alter_table("alert_delivery") as batch:
        batch.drop_column("channel")
    with op.batch_alter_table("alert_ledger") as batch:
        batch.drop_index("ix_alert_ledger_due")
        batch.create_index("ix_alert_ledger_due", ["status", "recipient", "due_at"])
        batch.drop_constraint("uq_alert_ledger_key", type_="unique")
        batch.create_unique_constraint("uq_alert_ledger_key", ["content_sha256", "fingerprint", "recipient"])
        batch.drop_column("channel")
