"""PDF with a text layer: ruled tables and text lines from pdfium, in reading order.

* pdfium (``pdf_pdfium``) gives each page's characters and ruling lines in pdfplumber's object shape;
  pdfplumber's table finder (``lines`` strategy), rewritten in ``pdf_tables``, turns the lines into cells.
* Ruled tables become grid rows: the table finder leaves ``None`` where a merged cell covers the grid, which
  becomes an empty continuation cell (span 0 when the cell to the left covers it, -1 when a cell above
  does), as for docx and html.
* Text outside tables becomes lines; whitespace-aligned tables come out as tab-separated lines (``cells`` is
  None, as for text files), a gap wider than 1.5 em separating two columns.
* A table that ends one page and continues at the top of the next with as many columns keeps its table
  number and row count (a repeated header row is dropped); page headers, footers and page numbers go.
* Before pdfium sees it, ``pdf_guard`` refuses hostile nesting and decompression bombs, and
  ``ensure_headroom`` a stream that would not fit under the address-space ceiling.
* No text at all: ``Reason.PDF_SCANNED``. Password: a clear reason. Glyphs
  without a Unicode mapping are refused rather than guessed.

Celery's soft time limit is not caught here: a PDF that takes too long ends its task, not the worker.
"""

from __future__ import annotations

import resource
from bisect import bisect_left
from pathlib import Path
from typing import Any

from worker.errors import ExtractionError
from worker.extract.base import Extracted, SourceLine
from worker.extract.formats import Format, Sniffed
from worker.extract.pdf_guard import check_pdf_limits
from worker.extract.pdf_lines import (
    TextLine,
    chars_to_lines,
    chrome_lines,
    continues,
    fill_blank_columns,
    text_edges,
)
from worker.extract.pdf_pdfium import PageContent, dedupe_chars, open_pdf, read_page
from worker.extract.pdf_tables import Row, Table, cell_text, find_tables
from worker.extract.reasons import Reason, refuse
from worker.extract.safety import reraise_time_limit
from worker.limits import MB, address_space_bytes
from worker.settings import Settings


def _cell_texts(rows: list[Row], chars: list[dict[str, Any]]) -> list[list[str | None]]:
    """pdfplumber's ``Table.extract(x_tolerance=1.5, y_tolerance=3)`` with the characters found by bisection.

    As there, a character belongs to the row and the cell whose half-open box holds its centre, and a
    cell's characters keep the page order; ``Table.extract`` tests every character of the page against
    every row, which cost more than reading the page.
    """
    v_mid = [(ch["top"] + ch["bottom"]) / 2 for ch in chars]
    centres = sorted((v, i) for i, v in enumerate(v_mid))
    keys = [v for v, _ in centres]
    out: list[list[str | None]] = []
    for row in rows:
        x0, top, x1, bottom = row.bbox
        picked = sorted(i for _, i in centres[bisect_left(keys, top) : bisect_left(keys, bottom)])
        row_chars = [(chars[i], (chars[i]["x0"] + chars[i]["x1"]) / 2, v_mid[i]) for i in picked]
        row_chars = [c for c in row_chars if x0 <= c[1] < x1]
        values: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                values.append(None)
                continue
            inside = [ch for ch, h, v in row_chars if cell[0] <= h < cell[2] and cell[1] <= v < cell[3]]
            values.append(cell_text(inside))
        out.append(values)
    return out


def _table_rows(table: Table, chars: list[dict[str, Any]]) -> tuple[list[list[str]], list[list[int]]]:
    """Grid rows and span codes of a ruled table."""
    rows = table.rows
    xs = sorted({cell[0] for cell in table.cells})
    texts = _cell_texts(rows, chars)
    grid: list[list[str]] = []
    spans: list[list[int]] = []
    for row, values in zip(rows, texts, strict=True):
        cells_out: list[str] = []
        codes: list[int] = []
        row_top = min(cell[1] for cell in row.cells if cell is not None)
        for c, (bbox, value) in enumerate(zip(row.cells, values, strict=True)):
            if bbox is None:
                cover = next((b for b in table.cells if b[0] <= xs[c] + 1 < b[2] and b[1] <= row_top + 1 < b[3]), None)
                cells_out.append("")
                codes.append(0 if cover is not None and cover[0] < xs[c] - 1 else -1)
                continue
            cells_out.append((value or "").strip())
            codes.append(max(1, sum(1 for x in xs if bbox[0] - 1 <= x < bbox[2] - 1)))
        grid.append(cells_out)
        spans.append(codes)
    return grid, spans


class _Page:
    def __init__(self, number: int, height: float) -> None:
        self.number = number
        self.height = height
        self.lines: list[TextLine] = []
        self.tables: list[tuple[float, list[list[str]], list[list[int]]]] = []


def _read_page(content: PageContent, number: int) -> _Page:
    chars = dedupe_chars(content.chars)
    out = _Page(number, content.height)
    found = [t for t in find_tables(content.vertical, content.horizontal) if len(t.rows) >= 2 and len({c[0] for c in t.cells}) >= 2]
    boxes = [t.bbox for t in found]

    def outside(ch: dict[str, Any]) -> bool:
        mx = (ch["x0"] + ch["x1"]) / 2
        my = (ch["top"] + ch["bottom"]) / 2
        return not any(b[0] <= mx <= b[2] and b[1] <= my <= b[3] for b in boxes)

    out.lines = chars_to_lines([ch for ch in chars if outside(ch)])
    fill_blank_columns(out.lines)
    for table in found:
        grid, spans = _table_rows(table, chars)
        out.tables.append((float(table.bbox[1]), grid, spans))
    return out


def _emit(pages: list[_Page]) -> list[SourceLine]:
    drop = chrome_lines([(p.height, p.lines) for p in pages])
    lines: list[SourceLine] = []
    table_no = -1
    row_no = 0
    last_was_table = False
    last_width = 0
    last_header: list[str] | None = None
    prev_text: TextLine | None = None  # the last text line emitted, while nothing else came after it
    for p_index, page in enumerate(pages):
        body = [ln for i, ln in enumerate(page.lines) if (p_index, i) not in drop]
        left, right = text_edges(body)
        blocks: list[tuple[float, int, Any]] = [(ln.top, 1, ln) for ln in body]
        blocks += [(top, 0, (grid, spans)) for top, grid, spans in page.tables]
        blocks.sort(key=lambda b: (b[0], b[1]))
        for _, is_text, block in blocks:
            if is_text:
                if prev_text is not None and continues(prev_text, block, left=left, right=right):
                    lines[-1].text += block.text  # a wrapped paragraph line (Chinese needs no space)
                else:
                    lines.append(SourceLine(text=block.text, page=page.number))
                prev_text = block
                last_was_table = False
                continue
            prev_text = None
            grid, spans = block
            width = len(grid[0]) if grid else 0
            continued = last_was_table and width == last_width and lines and lines[-1].page == page.number - 1
            if not continued:
                table_no += 1
                row_no = 0
                last_header = grid[0] if grid else None
            elif grid and grid[0] == last_header:
                grid, spans = grid[1:], spans[1:]  # header row repeated on the new page
            for cells, codes in zip(grid, spans, strict=True):
                if any(cells):
                    lines.append(SourceLine(text="\t".join(cells), cells=cells, page=page.number,
                                            table=table_no, row=row_no, spans=codes))
                row_no += 1
            last_was_table = True
            last_width = width
    return lines


HEADROOM_FACTOR = 2  # pdfium's peak growth per byte of a page's largest stream: 1.5 measured
HEADROOM_BASE_MB = 32


def ensure_headroom(largest_stream: int) -> None:
    """Raise ``MemoryError`` when pdfium might outgrow this process's address-space ceiling.

    pdfium aborts the process (SIGABRT) when an allocation fails; under the pool child's ``RLIMIT_AS``
    that would kill the child, and the file would come back until the redelivery cap instead of being
    quarantined at once. A stream is decoded whole, so a file whose largest stream, twice over plus
    32 MB, does not fit in what is left under the ceiling is stopped here: ``extract_file`` turns the
    ``MemoryError`` into ``Reason.OUT_OF_MEMORY``, as for any other extractor. Without a ceiling: no-op.
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return
    need = HEADROOM_FACTOR * largest_stream + HEADROOM_BASE_MB * MB
    if soft - address_space_bytes() < need:
        raise MemoryError(f"PDF stream of {largest_stream} bytes: not enough address space left for pdfium")


def extract_pdf(path: Path) -> Extracted:
    """Read a PDF's text layer into lines and table rows.

    Raises:
        ExtractionError: encrypted, corrupt, scanned (no text layer), or unmapped glyphs.
    """
    pages: list[_Page] = []
    total_chars = 0
    blank_pages: list[int] = []
    cid_chars = 0
    ensure_headroom(check_pdf_limits(path))
    doc = open_pdf(path)
    try:
        if len(doc) == 0:
            raise refuse(Reason.PDF_CORRUPT, path=path, detail="没有页面")
        index = 0
        for index in range(len(doc)):
            page = doc[index]
            try:
                content = read_page(page)
            finally:
                page.close()
            chars = [c for c in content.chars if c["text"].strip()]
            total_chars += len(chars)
            cid_chars += content.unmapped
            if chars:
                pages.append(_read_page(content, index + 1))
            else:
                blank_pages.append(index + 1)
    except ExtractionError:
        raise
    except Exception as exc:  # pdfium raises PdfiumError on pages it cannot load
        reraise_time_limit(exc)
        raise refuse(Reason.PDF_CORRUPT, path=path, detail=f"第 {index + 1} 页无法读取（{type(exc).__name__}）") from exc
    finally:
        doc.close()
    if total_chars == 0:
        raise refuse(Reason.PDF_SCANNED, path=path)
    if cid_chars > 0.3 * total_chars:
        raise refuse(Reason.PDF_NO_UNICODE, path=path)
    lines = _emit(pages)
    if not lines:
        raise refuse(Reason.PDF_SCANNED, path=path)
    warnings = []
    if blank_pages:
        listed = ", ".join(str(n) for n in blank_pages[:20]) + (" ..." if len(blank_pages) > 20 else "")
        warnings.append(f"PDF pages without a text layer (scanned or blank; OCR not supported): {listed}")
    return Extracted(kind=Format.PDF, lines=lines, warnings=warnings)


class PdfExtractor:
    """The extractor table's entry for PDF (``extract_pdf``)."""

    format = Format.PDF

    def extract(self, path: Path, *, sniffed: Sniffed, settings: Settings) -> Extracted:
        """Read a PDF's text layer (see ``extract_pdf``)."""
        return extract_pdf(path)
