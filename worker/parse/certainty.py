"""How each table was read as a whole (``Report.table_reads``): the weakest reading of its rows, and why.

A row's certainty is set by its reader (exact for real grid cells, separated for text with separators,
reconstructed or ambiguous for text whose digits ran together, see ``digits.py``). A table is as certain as
its least certain row; a 三 table with a numbered row whose label matched nothing *and* a template row
missing is ambiguous too, since its numbers may belong to the missing row.
"""

from __future__ import annotations

from collections.abc import Mapping

from worker.parse.labels import REASON_DIGITS_ZH, REASON_UNRECOGNISED_ZH, row_zh
from worker.parse.models import CERTAIN, Certainty, RowInfo, TableRead, weakest

_SHOWN_ROWS = 3


def table_of(row_key: str) -> tuple[str, str]:
    """("applications", "granted") from "applications.granted"; ("disclosure.art20_1", "rules") for 二."""
    table, _, row = row_key.rpartition(".")
    return table, row


def table_reads(
    rows: Mapping[str, RowInfo], *, unsure: Mapping[str, str] | None = None
) -> dict[str, TableRead]:
    """One ``TableRead`` per table that has rows.

    Args:
        rows: the ``Report.rows`` (row key -> RowInfo).
        unsure: table key -> a reason (Chinese) the reader found the table ambiguous besides its rows.
    """
    by_table: dict[str, list[tuple[str, Certainty]]] = {}
    for key, info in rows.items():
        table, row = table_of(key)
        by_table.setdefault(table, []).append((row, info.certainty))
    out: dict[str, TableRead] = {}
    for table, read in by_table.items():
        certainty = weakest(c for _, c in read)
        uncertain = [r for r, c in read if c not in CERTAIN]
        reason = None
        if uncertain:
            shown = "、".join(f"“{row_zh(table.split('.')[0], r)}”" for r in uncertain[:_SHOWN_ROWS])
            more = "等" if len(uncertain) > _SHOWN_ROWS else ""
            reason = f"{shown}{more}行{REASON_DIGITS_ZH}"
        extra = (unsure or {}).get(table)
        if extra:
            certainty = weakest((certainty, "ambiguous"))
            reason = f"{reason}；{extra}" if reason else extra
        out[table] = TableRead(table=table, certainty=certainty, reason_zh=reason)
    for table, extra in (unsure or {}).items():
        out.setdefault(table, TableRead(table=table, certainty="ambiguous", reason_zh=extra))
    return out


__all__ = ["REASON_UNRECOGNISED_ZH", "table_of", "table_reads"]
