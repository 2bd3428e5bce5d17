"""Registry of bodies: ``body``, the report-to-body match ``report_body``, remembered ``body_resolution``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "body",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("short_names", sa.Text, nullable=False),
        sa.Column("former_names", sa.Text, nullable=False),
        sa.Column("contact_name", sa.Text, nullable=True),
        sa.Column("contact_emails", sa.Text, nullable=False),
        sa.Column("year_from", sa.Integer, nullable=True),
        sa.Column("year_to", sa.Integer, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("path", "name", name="uq_body_path_name"),
    )
    op.create_index("ix_body_path", "body", ["path"])
    op.create_table(
        "report_body",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("body_id", sa.Integer, sa.ForeignKey("body.id", ondelete="SET NULL"), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("candidates", sa.Text, nullable=False),
        sa.Column("region", sa.Text, nullable=True),
        sa.Column("matched_at", _TS, nullable=False),
    )
    op.create_index("ix_report_body_state", "report_body", ["state"])
    op.create_index("ix_report_body_body_state", "report_body", ["body_id", "state"])
    op.create_table(
        "body_resolution",
        sa.Column("identity_key", sa.Text, primary_key=True),
        sa.Column("body_id", sa.Integer, sa.ForeignKey("body.id", ondelete="CASCADE"), nullable=False),
        sa.Column("resolved_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("body_resolution")
    op.drop_index("ix_report_body_body_state", table_name="report_body")
    op.drop_index("ix_report_body_state", table_name="report_body")
    op.drop_table("report_body")
    op.drop_index("ix_body_path", table_name="body")
    op.drop_table("body")
