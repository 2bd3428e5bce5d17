"""What a table reader returns: cells as plain data with their locations, row infos, warnings, scores.

Also ``reconstruct``: the one right split of a text row whose digits ran together (``digits.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from worker.parse.digits import Split, is_digit_run, unique_split
from worker.parse.models import Certainty, ParseWarning, RowInfo
from worker.parse.rows import Item, RawRow, Taken
from worker.parse.values import parse_value

CellData = dict[str, Any]


@dataclass
class TableResult:
    grid: dict[str, dict[str, CellData]] = field(default_factory=dict)  # 三/四: row -> col -> cell
    blocks: dict[str, dict[str, dict[str, CellData]]] = field(default_factory=dict)  # 二: block -> row -> col
    rows: dict[str, RowInfo] = field(default_factory=dict)
    warnings: list[ParseWarning] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # {"2021": .., "2019": ..}
    unrecognised: int = 0  # rows with numbers whose label matched nothing

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
    return {
        "value": item.value.value,
        "raw": item.text,
        "unit": item.value.unit,
        "location": loc,
        "certainty": item.read_as,
    }


def warn_extras(res: TableResult, taken: Taken, where: str) -> None:
    """Warn about value cells after a row that were not taken."""
    extra = [c for c in taken.extras if not c.is_blank]
    if extra:
        res.warn("extra_cells", f"{where}: {len(extra)} value(s) after the row were ignored", extra[0].line)


def reconstruct(
    row: RawRow, taken: Taken, n: int, holds: Callable[[Split], bool] | None
) -> tuple[Taken, Certainty]:
    """A text row with fewer than ``n`` cells whose digits may have run together (``3000003``).

    Only cells from lines of text without tab or pipe separators, or a row with one value cell, are
    reconstructed (a tab, pipe or grid row with several values kept its separators: a short one is short). Returns the taken cells and how they were read:
    unchanged and ``exact``/``separated`` (a row of ``n`` cells or more, a row with something else than plain
    digits, or too few digits for ``n`` cells: blanks lost, not digits joined); the one split satisfying ``holds`` as ``reconstructed`` cells; else unchanged
    and ``ambiguous``.
    """
    cells = [c for c in row.cells if c not in taken.extras] or taken.cells
    if (
        taken.count >= n
        or not (len(cells) == 1 or all(c.spaced for c in cells))
        or not all(is_digit_run(c.text) for c in cells)
        or sum(len(c.text) for c in cells) < n
    ):
        return taken, "exact" if cells and cells[0].grid else "separated"
    split, _ = unique_split([c.text for c in cells], n, holds)
    if split is None:
        for c in taken.cells:
            c.certainty = "ambiguous"
        return taken, "ambiguous"
    first = cells[0]
    items = [
        Item(str(v), parse_value(str(v)), first.line, first.page, first.seg, first.col + i, first.width,
             certainty="reconstructed")
        for i, v in enumerate(split)
    ]  # fmt: skip
    return Taken(items, n, []), "reconstructed"
