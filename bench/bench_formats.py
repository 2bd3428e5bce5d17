"""Extraction benchmark: each format's extractor against the text extractor on the same report.

Corpus: the committed samples (tests/samples/formats/report_*), which all publish one report.
Baseline: ``extract_file`` on the UTF-8-BOM text version (read, sniff, decode, split lines).
Measured: ``extract_file`` on the GB18030 and UTF-16 texts, the .docx, the two HTML pages and the ruled PDF.
Times are CPU time of this process (``time.process_time``), best of several passes; printed as ms per file
and as a ratio to the baseline measured in the same run. Nothing is asserted.

A second table takes the PDF reader apart on the two sample PDFs (issue 13, item 4): the pdfplumber/pdfminer
reader used before (``_before_pdfplumber``, the same steps as the old ``worker/extract/pdf.py``) and the
pypdfium2 ways of getting text, character boxes and ruling lines, each on its own, then the whole reader.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples" / "formats"
PASSES = int(os.environ.get("NIANBAO_BENCH_PASSES", "5"))
FILES = [
    "report_utf8_bom.txt",
    "report_gb18030.txt",
    "report_utf16.txt",
    "report_word_textbox.docx",
    "report_word_export.htm",
    "report_portal_gbk.html",
    "report_ruled.pdf",
    "report_aligned.pdf",
]


def _best(path: Path) -> float:
    from worker.extract import extract_file

    return _timed(extract_file, path)


def _timed(fn: Any, path: Path) -> float:
    best = float("inf")
    for _ in range(PASSES):
        start = time.process_time()
        fn(path)
        best = min(best, time.process_time() - start)
    return best


def _before_pdfplumber(path: Path) -> None:
    """The reader before pdfium: pdfplumber (pdfminer) chars, its table finder and ``Table.extract``."""
    import pdfplumber

    from worker.extract.pdf_guard import check_pdf_limits
    from worker.extract.pdf_lines import chars_to_lines, fill_blank_columns

    settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}
    check_pdf_limits(path)
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            if not [c for c in page.chars if str(c.get("text", "")).strip()]:
                continue
            page = page.dedupe_chars()
            tables = [t for t in page.find_tables(settings) if len(t.rows) >= 2]
            boxes = [t.bbox for t in tables]

            def outside(obj: dict[str, Any], boxes: list[Any] = boxes) -> bool:
                mx, my = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
                return obj.get("object_type") != "char" or not any(
                    b[0] <= mx <= b[2] and b[1] <= my <= b[3] for b in boxes)

            fill_blank_columns(chars_to_lines(page.filter(outside).chars))
            for table in tables:
                table.extract(x_tolerance=1.5, y_tolerance=3)


def _pages(path: Path) -> Any:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    for index in range(len(doc)):
        yield doc[index]


def _pdfium_text(path: Path) -> None:
    """pypdfium2: the page text only (``get_text_range``), no positions."""
    for page in _pages(path):
        page.get_textpage().get_text_range()


def _pdfium_charbox_helper(path: Path) -> None:
    """pypdfium2's helper API: the text, then ``get_charbox(i, loose=True)`` for every character."""
    for page in _pages(path):
        textpage = page.get_textpage()
        textpage.get_text_range()
        for i in range(textpage.count_chars()):
            textpage.get_charbox(i, loose=True)


def _pdfium_chars(path: Path) -> None:
    """The new reader's characters: pdfium's raw calls, pdfplumber-shaped dictionaries (``pdf_pdfium._chars``)."""
    from worker.extract.pdf_pdfium import _chars, _display

    for page in _pages(path):
        textpage = page.get_textpage()  # kept: the raw handle dies with it
        display, _, height = _display(page)
        _chars(textpage.raw, display, height)


def _pdfium_rects(path: Path) -> None:
    """pypdfium2: text runs as rectangles (``count_rects`` / ``get_rect``): no per-character boxes."""
    for page in _pages(path):
        textpage = page.get_textpage()
        for i in range(textpage.count_rects()):
            textpage.get_rect(i)


def _pdfium_bounded(path: Path) -> None:
    """pypdfium2: ``get_text_bounded`` once per table cell (cells from the new table finder)."""
    from worker.extract.pdf_pdfium import read_page
    from worker.extract.pdf_tables import find_tables

    for page in _pages(path):
        content = read_page(page)
        textpage = page.get_textpage()
        for table in find_tables(content.vertical, content.horizontal):
            for x0, top, x1, bottom in table.cells:
                textpage.get_text_bounded(x0, content.height - bottom, x1, content.height - top)


def _pdfium_objects_helper(path: Path) -> None:
    """pypdfium2's helper API: every page object (``get_objects``) and its bounds (``get_bounds``)."""
    for page in _pages(path):
        for obj in page.get_objects():
            obj.get_bounds()


def _pdfium_edges(path: Path) -> None:
    """The new reader's ruling lines: path segments of every path object (``pdf_pdfium._edges``)."""
    from worker.extract.pdf_pdfium import _display, _edges

    for page in _pages(path):
        display, _, height = _display(page)
        _edges(page.raw, display, height)


PDF_WAYS = [
    ("pdfplumber reader (before)", _before_pdfplumber),
    ("pdfium text only", _pdfium_text),
    ("pdfium get_charbox (helper)", _pdfium_charbox_helper),
    ("pdfium chars+boxes (raw)", _pdfium_chars),
    ("pdfium count_rects/get_rect", _pdfium_rects),
    ("pdfium get_text_bounded/cell", _pdfium_bounded),
    ("pdfium get_objects+bounds", _pdfium_objects_helper),
    ("pdfium path segments (raw)", _pdfium_edges),
]


def main() -> int:
    from worker.extract import extract_file

    baseline = _best(SAMPLES / FILES[0])
    print(f"{'file':28} {'ms/file':>9} {'x baseline':>11}")
    for name in FILES:
        t = _best(SAMPLES / name)
        print(f"{name:28} {t * 1000:9.1f} {t / baseline:11.1f}")
    pdfs = ["report_ruled.pdf", "report_aligned.pdf"]
    print(f"\n{'PDF reading, ms/file':30}" + "".join(f"{name:>20}" for name in pdfs))
    for label, fn in [*PDF_WAYS, ("new reader (extract_file)", extract_file)]:
        print(f"{label:30}" + "".join(f"{_timed(fn, SAMPLES / name) * 1000:20.1f}" for name in pdfs))
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
