"""What a table reader returns: cells as plain data with their locations, row infos, warnings, scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from worker.parse.models import ParseWarning, RowInfo
from worker.parse.rows import Item, Taken

CellData = dict[str, Any]


@dataclass
class TableResult:
    grid: dict[str, dict[str, CellData]] = field(default_factory=dict)  # 三/四: row -> col -> cell
    blocks: dict[str, dict[str, dict[str, CellData]]] = field(default_factory=dict)  # 二: block -> row -> col
    rows: dict[str, RowInfo] = field(default_factory=dict)
    warnings: list[ParseWarning] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # {"2021": .., "2019": ..}

    def warn(self, code: str, message: str, line: int | None) -> None:
        self.warnings.append(ParseWarning(code=code, message=message, line=line))


def cells_data(
    taken: Taken, cols: Sequence[str], *, table: str, row: str, section: str
) -> dict[str, CellData]:
    """The taken cells under their column keys."""
    out: dict[str, CellData] = {}
    for col, item in zip(cols, taken.cells, strict=False):
        out[col] = cell_data(item, table=table, row=row, col=col, section=section)
    return out


def cell_data(item: Item, *, table: str, row: str, col: str, section: str) -> CellData:
    """One cell: its value, raw text, unit and location."""
    loc = {"table": table, "row": row, "col": col, "line": item.line, "page": item.page, "section": section}
    return {"value": item.value.value, "raw": item.text, "unit": item.value.unit, "location": loc}


def warn_extras(res: TableResult, taken: Taken, where: str) -> None:
    """Warn about value cells after a row that were not taken."""
    extra = [c for c in taken.extras if not c.is_blank]
    if extra:
        res.warn("extra_cells", f"{where}: {len(extra)} value(s) after the row were ignored", extra[0].line)
