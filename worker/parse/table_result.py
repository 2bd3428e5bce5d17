"""What a table reader returns: cells as plain data with their locations, row infos, warnings, scores.

Also ``reconstruct``: the one right split of a text row whose digits ran together (``digits.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from worker.parse.digits import (
    Holds,
    Piece,
    Reading,
    application_constraints,
    narrow_by_columns,
    piece,
    printed_reading,
    read_row,
)
from worker.parse.models import CERTAIN, Certainty, ParseWarning, RowInfo
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
    row: RawRow, taken: Taken, n: int, holds: Callable[[Reading], bool] | None, *, strict: bool = False
) -> tuple[Taken, Certainty]:
    """How a row was read (``digits.read_row``): a real grid row is ``exact``; a text row is ``separated`` when
    its printed reading stands, ``reconstructed`` when another reading is the only one that satisfies the
    row's constraint, else ``ambiguous`` (cells as printed). ``Taken.candidates`` keeps the readings that
    satisfy the constraint for the column totals across rows (``digits.narrow_by_columns``).
    """
    cells = [c for c in row.cells if c not in taken.extras] or taken.cells
    if not cells or cells[0].grid:
        return taken, "exact" if cells else "separated"
    printed = [_piece(c) for c in taken.cells] if taken.count >= n and len(taken.cells) == n else None
    spaced = [c for c in cells if " " in c.text]  # "1 234": one number, or two cells partly spaced
    if not strict and not spaced and _holds_as_printed(printed, n, holds):
        taken.candidates = None
        return taken, "separated"  # ``read_row`` would keep it without a search: skip making its pieces
    pieces = [_piece(c) for c in cells]
    alternatives = [[p for c in cells for p in _pieces_split(c)]] if spaced else []
    verdict = read_row(pieces, printed, n, holds, strict=strict, alternatives=alternatives)
    taken.candidates = verdict.candidates if verdict.complete else []
    if verdict.verdict == "ambiguous":
        for c in taken.cells:
            c.certainty = "ambiguous"
        return taken, "ambiguous"
    if verdict.verdict == "printed" or verdict.reading is None:
        taken.candidates = None
        return taken, "separated"
    out = reading_taken(verdict.reading, cells[0])
    out.candidates = [verdict.reading]
    return out, "reconstructed"


def _holds_as_printed(printed: Sequence[Piece] | None, n: int, holds: Holds | None) -> bool:
    """The row as printed is complete, well formed and satisfies its constraint (``read_row``'s first case)."""
    plain = printed_reading(printed, n)
    return plain is not None and (holds is None or holds(plain))


def _piece(item: Item) -> Piece:
    return piece(item.text, item.value.value, item.is_blank)


def _pieces_split(item: Item) -> list[Piece]:
    if " " not in item.text:
        return [_piece(item)]
    return [piece(w, int(w), False) for w in item.text.split(" ") if w]


def reading_taken(reading: Reading, first: Item) -> Taken:
    """The cells of an accepted reading, located where the row's first cell was printed."""
    items = []
    for i, v in enumerate(reading):
        text = "" if v is None else str(v)
        items.append(Item(text, parse_value(text), first.line, first.page, first.seg, first.col + i, first.width,
                          certainty="reconstructed"))  # fmt: skip
    return Taken(items, len(reading), [])


@dataclass
class Suspect:
    """A 三 row whose printed reading was not kept as is: its candidates and where its cells were printed."""

    candidates: list[Reading]
    first: Item
    printed: Reading | None  # the values as printed when the row had all its cells


def narrow_rows(res: TableResult, suspects: dict[str, Suspect], cols: Sequence[str], table: str) -> None:
    """Settle reconstructed and ambiguous rows with the column totals across rows (``narrow_by_columns``).

    A row stays reconstructed (or becomes so) only when every assignment of the candidates that keeps the
    table's column equalities gives it the same reading; when none does, every such row is ambiguous.
    """
    if not suspects:
        return
    fixed: dict[str, Reading] = {}
    cands: dict[str, list[Reading]] = {k: s.candidates for k, s in suspects.items() if k in res.grid}
    for key, row in res.grid.items():
        if key in cands:
            continue
        if all(c in row for c in cols) and res.rows[f"{table}.{key}"].certainty in CERTAIN:
            fixed[key] = tuple(row[c]["value"] for c in cols)
        else:
            cands[key] = []  # unknown: constrains nothing
    settled = narrow_by_columns(fixed, cands, application_constraints(res.grid))
    for key, reading in settled.items():
        if key not in suspects:
            continue
        info = res.rows[f"{table}.{key}"]
        if reading is None:
            info.certainty = "ambiguous"
            for cell in res.grid[key].values():
                cell["certainty"] = "ambiguous"
            continue
        if reading == suspects[key].printed:
            info.certainty = "separated"
            for cell in res.grid[key].values():
                cell["certainty"] = "separated"
            continue
        taken = reading_taken(reading, suspects[key].first)
        res.grid[key] = cells_data(taken, cols, table=table, row=key, section=table)
        info.certainty = "reconstructed"
        info.cell_count = len(cols)
