"""Label vocabularies of both templates (data, not if-chains). Filled in by the parser."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from worker.parse.models import Location


def describe_location_zh(loc: Location) -> str:
    parts = [p for p in (loc.table, loc.row, loc.col) if p]
    where = "·".join(parts)
    if loc.line:
        where += f"（第 {loc.line} 行）"
    return where
