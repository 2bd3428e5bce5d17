"""From the tokens of a table region to raw rows: a label (the text fragments joined) and its cells.

The same reading serves every layout: a tab row, a pipe row, a real table row, one cell per line, or a row
flattened with single spaces. Text fragments accumulate until the first value cell: that is how labels split
across lines (and across rows) are joined. The cells after a label are kept with a *segment* number: a
physical row (or a run of one-cell lines up to a blank line) is one segment. ``take_cells`` then anchors on
the label and takes the next N cells, blanks included, trimming only merged-region blanks around them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from worker.parse.digits import Reading
from worker.parse.models import Certainty
from worker.parse.tokens import Blank, Prose, TableRow, Token
from worker.parse.values import Value, parse_value

_THOUSANDS_SPACED = re.compile(r"^[1-9]\d{0,2}(?: \d{3})+$")


@dataclass(slots=True, eq=False)
class Item:
    """One text fragment or one value cell of a table region.

    Items compare by identity: two cells printed alike (same text, line, column) are still two cells, and
    ``c not in taken.extras`` asks about this very cell.
    """

    text: str
    value: Value
    line: int
    page: int | None
    seg: int  # segment id: one physical row (or run of one-cell lines)
    col: int  # position in its physical row (0 for one-cell lines)
    width: int = 1  # number of cells of its physical row
    grid: bool = False  # from a real table (docx/html/pdf): merged regions resolved to a regular grid
    spaced: bool = False  # from a line of text without tab/pipe separators (words split on spaces only)
    certainty: Certainty | None = None  # set by a reconstruction (digits.py); else exact (grid) or separated

    @property
    def read_as(self) -> Certainty:
        """How this cell was read: its reconstruction's verdict, else exact (real grid) or separated (text)."""
        return self.certainty or ("exact" if self.grid else "separated")

    @property
    def is_cell(self) -> bool:
        return self.value.is_cell

    @property
    def is_blank(self) -> bool:
        return self.value.kind in ("blank", "placeholder")


@dataclass(slots=True)
class RawRow:
    """A label (its text fragments) and the value cells that follow it, up to the next text."""

    fragments: list[Item] = field(default_factory=list)
    cells: list[Item] = field(default_factory=list)
    wrapped: list[Item] = field(default_factory=list)  # label text printed below the cells (a wrapped cell)

    @property
    def label(self) -> str:
        return "".join(f.text.replace(" ", "") for f in (*self.fragments, *self.wrapped))

    @property
    def line(self) -> int | None:
        if self.fragments:
            return self.fragments[-1].line
        return self.cells[0].line if self.cells else None


def _split_cell(text: str) -> list[str]:
    """A cell holding several numbers separated by spaces (flattened inside a cell) becomes several cells."""
    if " " not in text or _THOUSANDS_SPACED.match(text):
        return [text]
    words = text.split(" ")
    if len(words) > 1 and all(parse_value(w).is_cell for w in words):
        return words
    return [text]


def _numbering_joined(words: list[str]) -> list[str]:
    """In a flattened row, "1 .属于…" is numbering split by a space, not a value: join it back."""
    out: list[str] = []
    for word in words:
        if out and word[:1] in ".、" and out[-1].isdigit() and len(out[-1]) <= 2:
            out[-1] += word
        else:
            out.append(word)
    return out


def _drop_label_column_blanks(pieces: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Blank cells in front of a row's label are merged label columns, never values: drop them.

    Kept, they would read as trailing cells of the row above ("\t结果纠正\t2" under "行政复议\t结果维持\t1").
    """
    first_text = next((i for i, (_, t) in enumerate(pieces) if t and not parse_value(t).is_cell), None)
    if not first_text or any(t for _, t in pieces[:first_text]):
        return pieces
    return pieces[first_text:]


def items_of(tokens: Sequence[Token]) -> list[Item]:
    """Flatten the tokens of a region into items with segment numbers."""
    out: list[Item] = []
    seg = 0
    single_run = False
    for tok in tokens:
        if isinstance(tok, Blank):
            seg += 1
            single_run = False
            continue
        if isinstance(tok, TableRow) and tok.kind == "single":
            if not single_run:
                seg += 1
                single_run = True
            for text in _split_cell(tok.cells[0]):
                out.append(Item(text, parse_value(text), tok.line, tok.page, seg, 0, 1))
            continue
        seg += 1
        single_run = False
        if isinstance(tok, TableRow):
            pieces = [(i, t) for i, cell in enumerate(tok.cells) for t in _split_cell(cell)]
        elif isinstance(tok, Prose):
            pieces = list(enumerate(_numbering_joined([w for w in tok.words if w])))
        else:  # pragma: no cover - every token kind is handled above
            continue
        width = len(pieces)
        grid = isinstance(tok, TableRow) and tok.kind == "cells"
        if not grid and isinstance(tok, TableRow):
            pieces = _drop_label_column_blanks(pieces)
        spaced = not isinstance(tok, TableRow)
        for col, text in pieces:
            out.append(Item(text, parse_value(text), tok.line, tok.page, seg, col, width, grid, spaced))
    return out


def raw_rows(items: Sequence[Item]) -> list[RawRow]:
    """Group items: text fragments since the last cell form a label; the cells after it are its cells."""
    rows: list[RawRow] = []
    current: RawRow | None = None
    for item in items:
        if item.is_cell:
            if current is None:
                current = RawRow()
                rows.append(current)
            current.cells.append(item)
        else:
            if current is None or current.cells:
                current = RawRow()
                rows.append(current)
            current.fragments.append(item)
    return rows


@dataclass(slots=True)
class Taken:
    cells: list[Item]  # at most n cells, in order
    count: int  # cells found for the row (blanks included), before cutting to n
    extras: list[Item]  # cells after the row that were not taken
    trimmed: bool = False  # merged-region blanks were trimmed (the choice of cells was a guess)
    # readings of a degraded text row that satisfy its constraint (digits.read_row); None: read as printed
    candidates: list[Reading] | None = None


def take_cells(row: RawRow, n: int) -> Taken:
    """Anchor on the label and take the next ``n`` cells, blanks included.

    Segments are pulled in order until there are at least ``n`` cells. If there are more, blanks at the ends
    (merged regions around the values) are trimmed: alternating sides, leading first, when the label opened
    its physical row (the seed 002 shape "label, blank, values, blank"); else trailing blanks first (the
    merged cells in front of the next row's label), then leading ones. Whatever still exceeds ``n`` is
    counted (``count``) and cut.
    """
    segs: list[list[Item]] = []
    for cell in row.cells:
        if segs and segs[-1][-1].seg == cell.seg:
            segs[-1].append(cell)
        else:
            segs.append([cell])
    last = row.fragments[-1] if row.fragments else None
    used = 0
    if (
        last is not None
        and len(segs) > 1
        and segs[0][0].seg == last.seg
        and len(segs[0]) < n
        and all(c.value.kind == "blank" for c in segs[0])
    ):
        used = 1  # blank tail of the label's own row (a header row's merged cells): not the values
    taken: list[Item] = []
    while used < len(segs) and len(taken) < n:
        taken.extend(segs[used])
        used += 1
    extras = [c for seg in segs[used:] for c in seg]
    lead_first = bool(
        last is not None and taken and last.col == 0 and taken[0].seg == last.seg and taken[0].col > 0
    )
    trimmed = len(taken) > n
    if lead_first:  # seed 002: "label, blank, values, blank": one merged blank on each side
        while len(taken) > n:
            progressed = False
            for side in (0, -1):
                if len(taken) > n and taken[side].value.kind == "blank":
                    taken.pop(side)
                    progressed = True
            if not progressed:
                break
    else:  # the label is the last thing before its values: surplus blanks trail (next row's merged cells)
        while len(taken) > n and taken[-1].value.kind == "blank":
            taken.pop()
        while len(taken) > n and taken[0].value.kind == "blank":
            taken.pop(0)
    count = len(taken)
    return Taken(taken[:n], count, extras + taken[n:], trimmed)


def row_shape(row: RawRow, taken: Taken) -> tuple[int, int] | None:
    """(label column, row width) when the label and all its taken cells share one physical row.

    In a real grid every row keeps its values in the same columns whatever its label column, so there the
    shape is the width alone (label column -1).
    """
    last = row.fragments[-1] if row.fragments else None
    if last is None or not taken.cells or last.width < 2 or any(c.seg != last.seg for c in taken.cells):
        return None
    return (-1 if last.grid else last.col), last.width


class ValuePositions:
    """Where the values of a row shape start, learnt from the unambiguous rows of the same table.

    In a regular grid (a docx table with merged cells resolved to ""), rows of the same shape keep their
    values in the same columns; a row whose blanks made ``take_cells`` guess is re-read at those columns.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.starts: dict[tuple[int, int], dict[int, int]] = {}

    def learn(self, row: RawRow, taken: Taken) -> None:
        shape = row_shape(row, taken)
        if shape and len(taken.cells) == self.n and not any(c.is_blank for c in taken.cells):
            counts = self.starts.setdefault(shape, {})
            counts[taken.cells[0].col] = counts.get(taken.cells[0].col, 0) + 1

    def refit(self, row: RawRow, taken: Taken) -> Taken:
        shape = row_shape(row, taken)
        if shape is None:
            return taken
        # only a guess that kept a blank can be wrong: trimming blanks around N numbers is always right
        if not taken.trimmed or not any(c.is_blank for c in taken.cells):
            return taken
        if shape in self.starts:
            counts = self.starts[shape]
            start = max(counts, key=lambda k: (counts[k], -k))
        elif shape[0] == -1:  # a grid with no unambiguous row: the label columns come first, values last
            start = shape[1] - self.n
        else:
            return taken
        seg = row.fragments[-1].seg
        cells = [c for c in row.cells if c.seg == seg and start <= c.col < start + self.n]
        if len(cells) != self.n or cells == taken.cells:
            return taken
        return Taken(cells, taken.count, [c for c in row.cells if c not in cells], True)


_LEADING_ZERO = re.compile(r"^0\d")


def lost_separators(rows: Sequence[tuple[RawRow, Taken]], n: int) -> bool:
    """Whether a text table shows separators lost somewhere: a row with digits but fewer than ``n`` cells,
    a digit run with a leading zero (``00``, ``047``: no report prints them), or digits partly spaced.

    In such a table a blank cell at the end of a row may be a cell that moved, not a merged-region filler:
    every row is then read strictly (``digits.read_row``).
    """
    for raw, taken in rows:
        cells = [c for c in raw.cells if not c.grid]
        if not cells:
            continue
        if taken.count < n and any(ch.isdigit() for c in cells for ch in c.text):
            return True
        if any(_LEADING_ZERO.match(c.text) or (" " in c.text and c.value.kind == "number") for c in cells):
            return True
    return False
