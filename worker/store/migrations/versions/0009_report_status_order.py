"""Index for the report list filtered by verdict, newest first: ``report (status, id)``.

bench/bench_web.py at 100,000 reports: the page of ``/reports?status=errors`` took 70-130 ms of SQL because
``ix_report_status_warnings`` gives the failing reports in warning-count order and every one was sorted by
id; with ``(status, id)`` the 50 newest are read off the index (under 1 ms). See docs/web.md.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_report_status_id", "report", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_report_status_id", table_name="report")
