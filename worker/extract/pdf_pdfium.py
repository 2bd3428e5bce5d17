"""A PDF page's characters and ruling lines through pdfium (pypdfium2), in pdfplumber's object shape.

pdfium (C++) interprets the page content about ten times faster than pdfminer (pure Python). What it gives
is turned into the dictionaries pdfplumber hands out (edges as tuples), so that the table finder
(``pdf_tables``, pdfplumber's algorithm) and ``pdf_lines`` work on them as they did on pdfplumber's:

* a character: ``text``, ``x0``/``x1`` (its advance, pdfium's loose box), ``bottom`` (baseline plus the
  font's descent) and ``top = bottom - size`` (pdfminer's box is one font size high), ``size``,
  ``upright``, ``doctop``; generated characters (the spaces and line breaks pdfium inserts) are left out,
  the letters pdfium splits a ligature glyph into are one character again (``fi``), and pdfium's
  line-end hyphen mark (U+0002) is a hyphen;
* an edge: every straight horizontal or vertical segment of a filled or stroked path (a ``re`` rectangle
  gives its four sides, as pdfplumber's ``rect_edges``), in page coordinates (object matrix and enclosing
  form XObjects applied), ``top`` measured from the top of the media box. Curves give no edges.

Coordinates are those of the page as displayed (``/Rotate`` applied, origin at the MediaBox corner), as
pdfminer's page matrix makes them.
"""

from __future__ import annotations

import ctypes
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from worker.extract.reasons import Reason, refuse

_AXIS_EPS = 0.01  # pt: a segment this close to horizontal/vertical is a ruling line
_MAX_FORMS = 10_000  # form XObjects walked per page (a form drawn in a form ... is drawn many times)
Edge = tuple[float, float, float, float]  # x0, top, x1, bottom
Matrix = tuple[float, float, float, float, float, float]  # a, b, c, d, e, f as in PDF


@dataclass
class PageContent:
    """What the PDF reader needs of one page; an edge is ``(x0, top, x1, bottom)``."""

    width: float
    height: float
    chars: list[dict[str, Any]] = field(default_factory=list)
    vertical: list[Edge] = field(default_factory=list)
    horizontal: list[Edge] = field(default_factory=list)
    unmapped: int = 0  # visible characters whose font has no Unicode map (pdfminer's "(cid:N)")


_OPEN_ERRORS = {  # pdfium's FPDF_GetLastError codes, in the words of the quarantine reason
    pdfium_c.FPDF_ERR_FILE: "无法打开文件",
    pdfium_c.FPDF_ERR_FORMAT: "文件结构错误或文件不完整",
    pdfium_c.FPDF_ERR_PAGE: "页面无法读取",
}


def open_pdf(path: Path) -> Any:
    """Open a PDF with pdfium; a password, an unsupported security handler or a broken file is refused."""
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise refuse(Reason.PDF_ENCRYPTED, path=path) from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise refuse(Reason.PDF_UNSUPPORTED_ENCRYPTION, path=path, detail="不支持的安全处理程序") from exc
        raise refuse(Reason.PDF_CORRUPT, path=path, detail=_OPEN_ERRORS.get(code, f"PDFium 错误 {code}")) from exc


def read_page(page: Any) -> PageContent:
    """Characters and edges of one ``pdfium.PdfPage``, on the page as displayed (``/Rotate`` applied)."""
    display, width, height = _display(page)
    content = PageContent(width=width, height=height)
    textpage = page.get_textpage()
    try:
        content.chars, content.unmapped = _chars(textpage.raw, display, height)
    finally:
        textpage.close()
    content.vertical, content.horizontal = _edges(page.raw, display, height)
    return content


def _display(page: Any) -> tuple[Matrix, float, float]:
    """pdfminer's page matrix: user space to the page as displayed (origin bottom-left); its width, height.

    The box is the page's own MediaBox, which pdfplumber measures from; pdfium does not inherit it from
    the page tree (crbug.com/pdfium/1786), so an inherited one is read through the page's box (CropBox
    within MediaBox). ``/Rotate`` turns the page clockwise for display, as pdfminer applies it.
    """
    left, bottom, right, top = (float(v) for v in page.get_mediabox(fallback_ok=False) or page.get_bbox())
    (x0, x1), (y0, y1) = sorted((left, right)), sorted((bottom, top))  # any two opposite corners (PDF 3.8.4)
    rotation = int(page.get_rotation()) % 360
    if rotation == 90:
        return (0.0, -1.0, 1.0, 0.0, -y0, x1), y1 - y0, x1 - x0
    if rotation == 180:
        return (-1.0, 0.0, 0.0, -1.0, x1, y1), x1 - x0, y1 - y0
    if rotation == 270:
        return (0.0, 1.0, -1.0, 0.0, y1, -x0), y1 - y0, x1 - x0
    return (1.0, 0.0, 0.0, 1.0, -x0, -y0), x1 - x0, y1 - y0


def _chars(tp: Any, display: Matrix, height: float) -> tuple[list[dict[str, Any]], int]:
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
    ra, rb, rc, rd, re, rf = display
    turned = (ra, rb, rc, rd) != (1.0, 0.0, 0.0, 1.0)  # /Rotate: transform boxes and matrices
    chars: list[dict[str, Any]] = []
    unmapped = 0
    text_object = pdfium_c.FPDFText_GetTextObject
    tight_box = pdfium_c.FPDFText_GetCharBox
    tight = [ctypes.c_double() for _ in range(4)]  # left, right, bottom, top
    tight_refs = [ctypes.byref(v) for v in tight]
    last_index = -2
    last_box = (0.0, 0.0, 0.0, 0.0)
    for i in range(count):
        code = unicode_of(tp, i)
        if code == 0x02:
            code = 0x2D  # pdfium's mark for a hyphen that ends a line: the hyphen itself
        if code in (0, 0xFFFE, 0xFFFF, 0x0D, 0x0A) or 0xD800 <= code <= 0xDFFF:
            continue
        if code in (0x20, 0x2D) and generated(tp, i) == 1:
            continue  # a space or line-end hyphen pdfium inserted, not in the page content
        if map_error(tp, i) == 1 and not chr(code).isspace():
            unmapped += 1
        char_matrix(tp, i, matrix_ref)
        a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
        size = float(font_size(tp, i)) * (abs(d) if c == 0 else math.hypot(c, d))  # the font size on the page
        loose_box(tp, i, rect_ref)
        box = (rect.left, rect.right, rect.bottom, rect.top)
        if box == last_box and last_index == i - 1 and _same(text_object(tp, i), text_object(tp, i - 1)):
            # a ligature's further letters share its glyph box: one char, as pdfminer's, as wide as the glyph
            chars[-1]["text"] += chr(code)
            if not turned:
                chars[-1]["x1"] = rect.right + re
            last_index = i
            continue
        last_index, last_box = i, box
        tight_box(tp, i, *tight_refs)
        if tight[0].value == rect.left or tight[1].value == rect.right or tight[2].value == rect.bottom:
            if b == 0 and c == 0 and a > 0 < d:
                rect.left, rect.right, rect.bottom = _metric_edges(tp, i, code, font_size(tp, i), a, d, rect)
        if turned:
            a, b, c, d = a * ra + b * rc, a * rb + b * rd, c * ra + d * rc, c * rb + d * rd  # as displayed
            xa, ya = ra * rect.left + rc * rect.bottom + re, rb * rect.left + rd * rect.bottom + rf
            xb, yb = ra * rect.right + rc * rect.top + re, rb * rect.right + rd * rect.top + rf
            x0, x1, low, high = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
        else:
            x0, x1, low, high = rect.left + re, rect.right + re, rect.bottom + rf, rect.top + rf
        upright = a * d > 0 and b * c <= 0
        bottom = height - low
        top = bottom - size if upright and size > 0 else height - high
        chars.append({
            "text": chr(code), "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "size": size,
            "upright": upright,
        })
    return chars, unmapped


def _metric_edges(tp: Any, i: int, code: int, size: float, a: float, d: float, rect: Any) -> tuple[float, float, float]:
    """Left, right and bottom edge of character ``i`` from its origin, advance and the font's descent.

    pdfium's loose box takes in the glyph's outline where it sticks out (the hook of an "f", an italic
    capital left of its origin, a descender below the font's descent); pdfminer's box starts at the origin,
    is the advance wide and starts at the descent. Upright, unrotated text only; where the font cannot
    tell, the loose box stays.
    """
    font = pdfium_c.FPDFTextObj_GetFont(pdfium_c.FPDFText_GetTextObject(tp, i))
    width, descent = ctypes.c_float(), ctypes.c_float()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    if not font or not pdfium_c.FPDFText_GetCharOrigin(tp, i, ctypes.byref(ox), ctypes.byref(oy)):
        return rect.left, rect.right, rect.bottom
    left, right, bottom = ox.value, rect.right, rect.bottom
    if pdfium_c.FPDFFont_GetGlyphWidth(font, code, size, ctypes.byref(width)) and width.value > 0:
        right = ox.value + width.value * a
    if pdfium_c.FPDFFont_GetDescent(font, size, ctypes.byref(descent)):
        bottom = oy.value + descent.value * d
    return left, right, bottom


def _same(a: Any, b: Any) -> bool:
    return bool(ctypes.cast(a, ctypes.c_void_p).value == ctypes.cast(b, ctypes.c_void_p).value)


def dedupe_chars(chars: list[dict[str, Any]], tolerance: float = 1.0) -> list[dict[str, Any]]:
    """Drop repeated characters (fake bold), as pdfplumber's ``dedupe_chars`` does.

    Characters with the same text, size and uprightness are clustered by ``top`` and then ``x0`` (chains of
    steps up to ``tolerance``); of each cluster the topmost-leftmost one stays. Order is kept. Unlike
    pdfplumber's default, the font name is not compared (pdfium does not give it cheaply; a bold copy in
    another font is a duplicate too).
    """
    groups: dict[tuple[str, float, bool], list[int]] = {}
    for n, ch in enumerate(chars):
        groups.setdefault((ch["text"], ch["size"], ch["upright"]), []).append(n)
    drop: set[int] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        for y_cluster in _chains(members, chars, "top", tolerance):
            if len(y_cluster) < 2:
                continue
            for x_cluster in _chains(y_cluster, chars, "x0", tolerance):
                if len(x_cluster) > 1:
                    first = min(x_cluster, key=lambda n: (chars[n]["top"], chars[n]["x0"]))
                    drop.update(n for n in x_cluster if n != first)
    return [ch for n, ch in enumerate(chars) if n not in drop] if drop else chars


def _chains(members: list[int], chars: list[dict[str, Any]], key: str, tolerance: float) -> list[list[int]]:
    ordered = sorted(members, key=lambda n: chars[n][key])
    out = [[ordered[0]]]
    for prev, n in itertools.pairwise(ordered):
        if chars[n][key] <= chars[prev][key] + tolerance:
            out[-1].append(n)
        else:
            out.append([n])
    return out


def _matrix(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return 1.0, 0.0, 0.0, 1.0, 0.0, 0.0
    return m.a, m.b, m.c, m.d, m.e, m.f


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> Matrix:
    """``inner`` then ``outer`` (PDF row-vector convention: p' = p * inner * outer)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer  # noqa: N806
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _edges(page: Any, display: Matrix, height: float) -> tuple[list[Edge], list[Edge]]:
    vertical: list[Edge] = []
    horizontal: list[Edge] = []
    todo: list[tuple[Any, tuple[float, ...]]] = [
        (pdfium_c.FPDFPage_GetObject(page, i), display)
        for i in range(pdfium_c.FPDFPage_CountObjects(page))
    ]
    get_type = pdfium_c.FPDFPageObj_GetType
    draw_mode = pdfium_c.FPDFPath_GetDrawMode
    count_segments = pdfium_c.FPDFPath_CountSegments
    get_segment = pdfium_c.FPDFPath_GetPathSegment
    get_point = pdfium_c.FPDFPathSegment_GetPoint
    segment_type = pdfium_c.FPDFPathSegment_GetType
    segment_closes = pdfium_c.FPDFPathSegment_GetClose
    path_kind, form_kind = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    moveto, lineto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    fill_ref, stroke_ref = ctypes.byref(fill_mode), ctypes.byref(stroke)
    px, py = ctypes.c_float(), ctypes.c_float()
    px_ref, py_ref = ctypes.byref(px), ctypes.byref(py)
    forms = 0

    while todo:
        obj, outer = todo.pop()
        kind = get_type(obj)
        if kind == form_kind:
            forms += 1
            if forms > _MAX_FORMS:
                break
            m = _compose(_matrix(obj), outer)
            todo.extend((pdfium_c.FPDFFormObj_GetObject(obj, i), m) for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)))
            continue
        if kind != path_kind or not draw_mode(obj, fill_ref, stroke_ref):
            continue
        if fill_mode.value == 0 and not stroke.value:
            continue  # neither filled nor stroked: paints nothing
        a, b, c, d, e, f = _compose(_matrix(obj), outer)
        sx = sy = px0 = py0 = 0.0
        started = False
        for s in range(count_segments(obj)):
            seg = get_segment(obj, s)
            get_point(seg, px_ref, py_ref)
            x, y = px.value, py.value
            qx, qy = x * a + y * c + e, height - (x * b + y * d + f)
            kind = segment_type(seg)
            if kind == moveto:
                sx, sy = px0, py0 = qx, qy
                started = True
                continue
            if kind == lineto and started and (qx, qy) != (px0, py0):
                if abs(py0 - qy) <= _AXIS_EPS:
                    horizontal.append((min(px0, qx), py0, max(px0, qx), py0))
                elif abs(px0 - qx) <= _AXIS_EPS:
                    vertical.append((px0, min(py0, qy), px0, max(py0, qy)))
            px0, py0 = qx, qy  # a Bezier segment moves the pen without giving an edge
            if segment_closes(seg) and started:
                if abs(qy - sy) <= _AXIS_EPS and qx != sx:
                    horizontal.append((min(qx, sx), qy, max(qx, sx), qy))
                elif abs(qx - sx) <= _AXIS_EPS and qy != sy:
                    vertical.append((qx, min(qy, sy), qx, max(qy, sy)))
                px0, py0 = sx, sy
    return vertical, horizontal
