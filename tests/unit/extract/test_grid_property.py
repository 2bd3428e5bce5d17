"""Property: any merged-cell table laid out like Word does comes back as the same grid from docx and html."""

from __future__ import annotations

import tempfile
from pathlib import Path

from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils.render_formats import _docx_table
from tests.utils.render_formats_layout import Cell, Table, grid
from worker.extract import extract_file


@st.composite
def merged_tables(draw: st.DrawFn) -> Table:
    """A random table: a grid of H x W where random rectangles are merged, each cell numbered."""
    height, width = draw(st.integers(1, 6)), draw(st.integers(2, 6))
    owner = [[-1] * width for _ in range(height)]
    rects: list[tuple[int, int, int, int]] = []
    for r in range(height):
        for c in range(width):
            if owner[r][c] != -1:
                continue
            max_w = 1
            while c + max_w < width and owner[r][c + max_w] == -1:
                max_w += 1
            cs = draw(st.integers(1, max_w))
            rs = draw(st.integers(1, height - r))
            while rs > 1 and any(owner[r + rs - 1][c + k] != -1 for k in range(cs)):
                rs -= 1
            for dr in range(rs):
                for dc in range(cs):
                    owner[r + dr][c + dc] = len(rects)
            rects.append((r, c, rs, cs))
    rows: list[list[Cell]] = [[] for _ in range(height)]
    for i, (r, _c, rs, cs) in enumerate(sorted(rects)):
        rows[r].append(Cell(f"格{i}" if draw(st.booleans()) or i == 0 else "", colspan=cs, rowspan=rs))
    return Table(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(merged_tables())
def test_docx_and_html_give_the_layout_grid(table: Table) -> None:
    expected, _ = grid(table)
    expected = [row for row in expected if any(row)]  # rows with no text at all are not emitted
    with tempfile.TemporaryDirectory() as tmp:
        doc = Document()
        doc.add_paragraph("表")
        _docx_table(doc, table)
        path = Path(tmp) / "t.docx"
        doc.save(str(path))
        got_docx = [ln.cells for ln in extract_file(path).lines if ln.cells is not None]
        page = Path(tmp) / "t.html"
        _write_table_html(table, page)
        got_html = [ln.cells for ln in extract_file(page).lines if ln.cells is not None]
    assert got_docx == expected
    assert got_html == expected


def _write_table_html(table: Table, path: Path) -> None:
    cells = "".join(
        "<tr>"
        + "".join(f"<td colspan={c.colspan} rowspan={c.rowspan}>{c.text or '&nbsp;'}</td>" for c in row)
        + "</tr>"
        for row in table.rows
    )
    path.write_text(f"<html><body><p>表</p><table border=1>{cells}</table></body></html>", encoding="utf-8")
