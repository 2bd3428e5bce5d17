"""The one guard of every rule that compares numbers: run only on rows and tables read with certainty.

A table read from degraded text may be ``ambiguous`` (``Report.table_reads``): its numbers are guesses, and
a sum over guesses "finds" errors the report does not have. Such a table gets one TABLE_UNREADABLE finding
instead; T3_*, T4_*, BLANK_CELL, NUM_TYPE, STRUCT_CELL_COUNT, TXT_TABLE_MISMATCH, UNIT_* and XY_* ask here
first (exact, separated and reconstructed readings count as certain).
"""

from __future__ import annotations

from worker.parse.models import Report


def certain(report: Report, table: str, *rows: str) -> bool:
    """Whether ``table`` was read with certainty, or, with ``rows``, each of those rows (absent rows pass)."""
    if not rows:
        return report.is_certain(table)
    return all(report.is_certain(table, row) for row in rows)


def certain_table(report: Report, table: str) -> bool:
    """The whole table and every row of it read with certainty (for sums over a whole table)."""
    if not report.is_certain(table):
        return False
    prefix = f"{table}."
    return all(report.is_certain(table, key[len(prefix) :]) for key in report.rows if key.startswith(prefix))
