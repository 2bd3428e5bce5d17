"""Core tables: source_file, report, cell, finding, quarantine, delivery.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("organ", sa.Text),
        sa.Column("identity_key", sa.Text),
        sa.Column("year", sa.Integer),
        sa.Column("template", sa.String(16), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("warning_count", sa.Integer, nullable=False),
        sa.Column("parse_warning_count", sa.Integer, nullable=False),
        sa.Column("report_json", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("checked_at", TS, nullable=False),
    )
    op.create_index("ix_report_identity_key", "report", ["identity_key"])
    op.create_index("ix_report_year", "report", ["year"])

    op.create_table(
        "source_file",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("original_path", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("report.id")),
        sa.Column("archived_path", sa.Text),
        sa.Column("received_at", TS, nullable=False),
        sa.UniqueConstraint("sha256", "name", name="uq_source_file_sha256_name"),
    )
    op.create_index("ix_source_file_sha256", "source_file", ["sha256"])
    op.create_index("ix_source_file_report_id", "source_file", ["report_id"])

    op.create_table(
        "cell",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), nullable=False),
        sa.Column("table_key", sa.String(64), nullable=False),
        sa.Column("row_key", sa.String(64), nullable=False),
        sa.Column("col_key", sa.String(64), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("unit", sa.String(16)),
        sa.Column("line", sa.Integer),
        sa.Column("page", sa.Integer),
    )
    op.create_index("ix_cell_report_id", "cell", ["report_id"])

    op.create_table(
        "finding",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("table_key", sa.String(64)),
        sa.Column("row_key", sa.String(64)),
        sa.Column("col_key", sa.String(64)),
        sa.Column("section", sa.String(32)),
        sa.Column("line", sa.Integer),
        sa.Column("page", sa.Integer),
        sa.Column("expected", sa.Text),
        sa.Column("actual", sa.Text),
        sa.Column("compared_with", sa.String(64)),
        sa.Column("compared_report_id", sa.Integer, sa.ForeignKey("report.id", ondelete="SET NULL")),
    )
    op.create_index("ix_finding_report_id", "finding", ["report_id"])
    op.create_index("ix_finding_rule", "finding", ["rule"])

    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64)),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("original_path", sa.Text, nullable=False),
        sa.Column("quarantine_path", sa.Text),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("sha256", "name", name="uq_quarantine_sha256_name"),
    )
    op.create_index("ix_quarantine_sha256", "quarantine", ["sha256"])

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("unfinished", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("last_task_id", sa.String(64)),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("sha256", "name", name="uq_delivery_sha256_name"),
    )


def downgrade() -> None:
    for table in ("delivery", "quarantine", "finding", "cell", "source_file", "report"):
        op.drop_table(table)
