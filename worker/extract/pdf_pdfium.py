"""A PDF page's characters and ruling lines through pdfium (pypdfium2), in pdfplumber's object shape.

pdfium (C++) interprets the page content about ten times faster than pdfminer (pure Python). What it gives
is turned into the dictionaries pdfplumber hands out, so that pdfplumber's table finder
(``pdfplumber.table.TableFinder``, pure geometry) and ``pdf_lines`` work on them unchanged:

* a character: ``text``, ``x0``/``x1`` (its advance, pdfium's loose box), ``bottom`` (baseline plus the
  font's descent) and ``top = bottom - size`` (pdfminer's box is one font size high), ``size``,
  ``upright``, ``doctop``; generated characters (the spaces and line breaks pdfium inserts) are left out;
* an edge: every straight horizontal or vertical segment of a filled or stroked path (a ``re`` rectangle
  gives its four sides, as pdfplumber's ``rect_edges``), in page coordinates (object matrix and enclosing
  form XObjects applied), ``top`` measured from the top of the media box. Curves give no edges.

Coordinates are the page's unrotated user space, like pdfplumber's.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from worker.extract.reasons import Reason, refuse

_AXIS_EPS = 0.01  # pt: a segment this close to horizontal/vertical is a ruling line


@dataclass
class PageContent:
    """What the PDF reader needs of one page."""

    width: float
    height: float
    chars: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    unmapped: int = 0  # characters whose font has no Unicode map (pdfminer's "(cid:N)")

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return 0.0, 0.0, self.width, self.height


def open_pdf(path: Path) -> Any:
    """Open a PDF with pdfium; a password, an unsupported security handler or a broken file is refused."""
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise refuse(Reason.PDF_ENCRYPTED, path=path) from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise refuse(Reason.PDF_UNSUPPORTED_ENCRYPTION, path=path, detail=exc) from exc
        raise refuse(Reason.PDF_CORRUPT, path=path, detail=exc) from exc


def read_page(page: Any) -> PageContent:
    """Characters and edges of one ``pdfium.PdfPage``."""
    # the page's own MediaBox, as pdfplumber measures from it; pdfium does not inherit it from the page
    # tree (crbug.com/pdfium/1786), so an inherited one is read through the page's box (CropBox in MediaBox)
    media = page.get_mediabox(fallback_ok=False) or page.get_bbox()  # left, bottom, right, top
    x_off, top_y = float(media[0]), float(media[3])
    content = PageContent(width=float(media[2]) - x_off, height=top_y - float(media[1]))
    textpage = page.get_textpage()
    try:
        content.chars, content.unmapped = _chars(textpage.raw, x_off, top_y)
    finally:
        textpage.close()
    content.edges = _edges(page.raw, x_off, top_y)
    return content


def _chars(tp: Any, x_off: float, top_y: float) -> tuple[list[dict[str, Any]], int]:
    count = pdfium_c.FPDFText_CountChars(tp)
    unicode_of = pdfium_c.FPDFText_GetUnicode
    generated = pdfium_c.FPDFText_IsGenerated
    map_error = pdfium_c.FPDFText_HasUnicodeMapError
    font_size = pdfium_c.FPDFText_GetFontSize
    char_matrix = pdfium_c.FPDFText_GetMatrix
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    matrix = pdfium_c.FS_MATRIX()
    matrix_ref = ctypes.byref(matrix)
    chars: list[dict[str, Any]] = []
    unmapped = 0
    for i in range(count):
        code = unicode_of(tp, i)
        if code in (0, 0xFFFE, 0xFFFF, 0x0D, 0x0A) or 0xD800 <= code <= 0xDFFF:
            continue
        if code in (0x20, 0x2D) and generated(tp, i) == 1:
            continue  # a space or line-end hyphen pdfium inserted, not in the page content
        if map_error(tp, i) == 1:
            unmapped += 1
        char_matrix(tp, i, matrix_ref)
        a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
        size = float(font_size(tp, i)) * math.hypot(c, d)  # pdfminer's size: the font size on the page
        upright = a * d > 0 and b * c <= 0
        loose_box(tp, i, rect_ref)
        bottom = top_y - rect.bottom
        top = bottom - size if upright and size > 0 else top_y - rect.top
        chars.append({
            "text": chr(code), "x0": rect.left - x_off, "x1": rect.right - x_off, "top": top, "bottom": bottom,
            "doctop": top, "size": size, "upright": upright,
        })
    return chars, unmapped


def dedupe_chars(chars: list[dict[str, Any]], tolerance: float = 1.0) -> list[dict[str, Any]]:
    """Drop a character repeated within ``tolerance`` pt with the same text and size (fake bold), keeping the first."""
    kept: dict[tuple[str, float, int, int], list[dict[str, Any]]] = {}
    out: list[dict[str, Any]] = []
    for ch in chars:
        gx, gy = int(ch["x0"] // tolerance), int(ch["top"] // tolerance)
        duplicate = False
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for other in kept.get((ch["text"], ch["size"], gx + dx, gy + dy), ()):
                    if abs(other["x0"] - ch["x0"]) <= tolerance and abs(other["top"] - ch["top"]) <= tolerance:
                        duplicate = True
        if not duplicate:
            kept.setdefault((ch["text"], ch["size"], gx, gy), []).append(ch)
            out.append(ch)
    return out


def _matrix(obj: Any) -> tuple[float, float, float, float, float, float]:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return 1.0, 0.0, 0.0, 1.0, 0.0, 0.0
    return m.a, m.b, m.c, m.d, m.e, m.f


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, float, float, float, float, float]:
    """``inner`` then ``outer`` (PDF row-vector convention: p' = p * inner * outer)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer  # noqa: N806
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _edges(page: Any, x_off: float, top_y: float) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    todo: list[tuple[Any, tuple[float, ...]]] = [
        (pdfium_c.FPDFPage_GetObject(page, i), (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
        for i in range(pdfium_c.FPDFPage_CountObjects(page))
    ]
    fill_mode = ctypes.c_int()
    stroke = ctypes.c_int()
    px, py = ctypes.c_float(), ctypes.c_float()
    depth_guard = 0
    while todo:
        obj, outer = todo.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            depth_guard += 1
            if depth_guard > 10_000:
                break
            m = _compose(_matrix(obj), outer)
            todo.extend((pdfium_c.FPDFFormObj_GetObject(obj, i), m) for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)))
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke)):
            continue
        if fill_mode.value == 0 and not stroke.value:
            continue  # neither filled nor stroked: paints nothing
        a, b, c, d, e, f = _compose(_matrix(obj), outer)
        start: tuple[float, float] | None = None
        prev: tuple[float, float] | None = None
        for s in range(pdfium_c.FPDFPath_CountSegments(obj)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, s)
            pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(px), ctypes.byref(py))
            x, y = px.value, py.value
            point = (x * a + y * c + e - x_off, top_y - (x * b + y * d + f))
            seg_type = pdfium_c.FPDFPathSegment_GetType(seg)
            if seg_type == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = prev = point
                continue
            if seg_type == pdfium_c.FPDF_SEGMENT_LINETO and prev is not None and prev != point:
                _add_edge(edges, prev, point)
            prev = point  # a Bezier segment moves the pen without giving an edge
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None and start != point:
                _add_edge(edges, point, start)
                prev = start
    return edges


def _add_edge(edges: list[dict[str, Any]], p0: tuple[float, float], p1: tuple[float, float]) -> None:
    (x0, y0), (x1, y1) = p0, p1
    if abs(y0 - y1) <= _AXIS_EPS:
        orientation = "h"
        y1 = y0
    elif abs(x0 - x1) <= _AXIS_EPS:
        orientation = "v"
        x1 = x0
    else:
        return
    left, right = min(x0, x1), max(x0, x1)
    top, bottom = min(y0, y1), max(y0, y1)
    edges.append({
        "object_type": "line_edge", "orientation": orientation, "x0": left, "x1": right, "top": top,
        "bottom": bottom, "doctop": top, "width": right - left, "height": bottom - top,
    })
