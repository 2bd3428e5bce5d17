"""Indexes for the read layer (worker/store/queries.py): report filters, versions, failing rule, recent rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    ("ix_report_identity_key_year", "report", ["identity_key", "year"]),
    ("ix_report_status_warnings", "report", ["status", "warning_count"]),
    ("ix_report_template", "report", ["template"]),
    ("ix_report_created_at", "report", ["created_at"]),
    ("ix_finding_rule_status_report", "finding", ["rule", "status", "report_id"]),
    ("ix_quarantine_created_at", "quarantine", ["created_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
