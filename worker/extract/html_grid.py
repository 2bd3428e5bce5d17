"""Resolve an HTML table's ``rowspan``/``colspan`` to a rectangular grid (the HTML table model, simplified).

A cell spanning N columns is followed by N-1 empty continuation cells (span 0); the cells a ``rowspan``
covers in later rows are empty (span -1). ``rowspan="0"`` reaches the end of the table. Spans are capped so
that a hostile ``colspan="1000000"`` cannot allocate a huge grid.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

MAX_COLSPAN = 200
MAX_ROWSPAN = 2000
MAX_GRID_CELLS = 1_000_000  # a report table has a few hundred; beyond this it is an attack or not a report


class TableTooLarge(ValueError):
    """The spans of a table would lay out more than ``MAX_GRID_CELLS`` grid cells."""


def _span(cell: etree._Element, attr: str, cap: int) -> int:
    raw = str(cell.get(attr, "1")).strip().rstrip(";")
    try:
        value = int(float(raw))
    except ValueError:
        return 1
    if value < 0:
        return 1
    return min(value, cap)


def own_rows(table: etree._Element) -> list[etree._Element]:
    """The ``tr`` elements of ``table`` itself (not of tables nested in its cells), in order."""
    rows: list[etree._Element] = []
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if isinstance(r.tag, str) and r.tag.lower() == "tr")
    return rows


def table_grid(
    table: etree._Element, cell_text: Callable[[etree._Element], str]
) -> tuple[list[list[str]], list[list[int]]]:
    """Lay the table's cells on a grid.

    Args:
        table: the ``<table>`` element.
        cell_text: turns a ``td``/``th`` into its text.

    Raises:
        TableTooLarge: the spans would lay out a hostile number of grid cells.

    Returns:
        ``(grid, spans)``: rows of cell texts, all of the table's width, and the span codes per cell
        (N for a cell covering N columns, 0 for a horizontal continuation, -1 for a vertical one).
    """
    rows = own_rows(table)
    n_rows = len(rows)
    texts: list[dict[int, str]] = [{} for _ in rows]
    codes: list[dict[int, int]] = [{} for _ in rows]
    placed = 0
    for r, tr in enumerate(rows):
        col = 0
        for cell in tr:
            tag = cell.tag.lower() if isinstance(cell.tag, str) else ""
            if tag not in ("td", "th"):
                continue
            while col in codes[r]:
                col += 1
            colspan = _span(cell, "colspan", MAX_COLSPAN) or 1
            rowspan = _span(cell, "rowspan", MAX_ROWSPAN)
            if rowspan == 0:
                rowspan = n_rows - r
            rowspan = max(1, min(rowspan, n_rows - r))
            text = cell_text(cell)
            placed += rowspan * colspan
            if placed > MAX_GRID_CELLS:
                raise TableTooLarge(f"table spans cover more than {MAX_GRID_CELLS} grid cells")
            for dr in range(rowspan):
                for dc in range(colspan):
                    if dr == 0 and dc == 0:
                        texts[r][col] = text
                        codes[r][col] = colspan
                    elif dr == 0:
                        texts[r][col + dc] = ""
                        codes[r][col + dc] = 0
                    elif col + dc not in codes[r + dr]:
                        texts[r + dr][col + dc] = ""
                        codes[r + dr][col + dc] = -1 if dc == 0 else 0
            col += colspan
    width = max((max(c) + 1 for c in codes if c), default=0)
    grid = [[t.get(i, "") for i in range(width)] for t in texts]
    spans = [[c.get(i, 1) for i in range(width)] for c in codes]
    return grid, spans
