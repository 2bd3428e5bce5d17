"""Saved web pages (.html/.htm, also Word "single file web page" .mht): the report body as lines and rows.

Charset, in order: byte-order mark, ``<meta charset>`` / ``http-equiv`` in the first bytes (GB2312 and GBK
are read as their superset GB18030), strict UTF-8, then detection; text that only decodes to garbage is
refused. Scripts, styles, forms and navigation are dropped; the report body is the smallest element that
holds the report's title and section headings (page chrome around it is ignored). Tables are resolved to
a grid: ``colspan`` is followed by empty continuation cells and cells under a ``rowspan`` are empty, as in
``docx``. Tables that hold other tables are layout and are unwrapped. ``&nbsp;`` cells are blank.
Whitespace collapses like a browser's, and a source line break between two Chinese characters disappears
(CSS Text 3 segment-break rule), which matters for Word-exported pages that wrap lines mid-sentence.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import lxml.html
from lxml import etree

from worker.errors import ExtractionError
from worker.extract.base import Extracted, SourceLine
from worker.extract.formats import Format, Sniffed
from worker.extract.html_grid import TableTooLarge, table_grid
from worker.extract.txt import decode_bytes, garbage_reason
from worker.settings import Settings

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "unicode": "utf-16",
    "utf8": "utf-8",
    "x-cp20936": "gb18030",
    "big5": "big5hkscs",
}
_DROP = {
    "script",
    "style",
    "noscript",
    "nav",
    "form",
    "select",
    "button",
    "iframe",
    "object",
    "embed",
    "svg",
    "template",
    "head",
    "title",
    "textarea",
    "input",
    "map",
    "canvas",
}
_CHROME = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|footer|topbar|sidebar|share|"
    r"pagination|copyright|toolbar|search|login)([\s_-]|$|\d)",
    re.I,
)
_BLOCK = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "section",
    "article",
    "main",
    "aside",
    "header",
    "footer",
    "center",
    "address",
    "hr",
    "figure",
    "figcaption",
    "caption",
    "body",
    "html",
    "fieldset",
    "legend",
}
_MARKERS = re.compile(
    r"政府信息公开工作年度报告|总体情况|主动公开政府信息|收到和处理政府信息公开申请|行政复议|存在的主要问题"
)
_WIDE = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_SEGMENT_BREAK = re.compile(rf"(?<=[{_WIDE}])[ \t\r\f]*\n[\s]*(?=[{_WIDE}])")
_SPACES = re.compile(r"[ \t\r\n\f]+")
_BR = "\u2029"  # a <br> inside the text being collected (source newlines are only whitespace)


def _charset(data: bytes) -> str | None:
    match = _META.search(data[:8192])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    return _ALIASES.get(name, name)


def decode_html(data: bytes, *, path: Path, warnings: list[str] | None = None) -> tuple[str, str]:
    """Decode a page: BOM, then the declared charset, then strict UTF-8 and detection.

    A declared charset that does not decode the page is noted in ``warnings``.
    """
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_bytes(data, path=path)
    declared = _charset(data)
    if declared:
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            text = ""
        if text and garbage_reason(text) is None:
            return text, declared
    text, encoding = decode_bytes(data, path=path)
    if declared and warnings is not None:
        warnings.append(f"the page declares charset {declared} but is {encoding}; read as {encoding}")
    return text, encoding


def _mht_html(data: bytes, *, path: Path) -> bytes:
    """The first text/html part of a MIME single-file web page, as bytes with a meta charset."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            charset = part.get_content_charset()
            if charset and not _META.search(payload[:8192]):
                payload = f'<meta charset="{charset}">'.encode("ascii") + payload
            return payload
    raise ExtractionError("single-file web page (.mht) without an HTML part", path=str(path))


def _text(s: str) -> str:
    s = _SEGMENT_BREAK.sub("", s)
    return _SPACES.sub(" ", s.replace("\u00a0", " "))


def _is_chrome(el: etree._Element) -> bool:
    attrs = " ".join(str(el.get(a, "")) for a in ("id", "class", "role"))
    return bool(attrs.strip()) and bool(_CHROME.search(attrs))


def _has_marker(el: etree._Element) -> bool:
    return bool(_MARKERS.search(re.sub(r"\s+", "", el.text_content())))


def _prune(root: etree._Element) -> None:
    """Drop scripts, styles, hidden elements, and page chrome that holds none of the report."""
    for el in list(root.iter()):
        parent = el.getparent()
        if parent is None:
            continue
        if not isinstance(el.tag, str):  # comments, processing instructions: keep their tail
            el.drop_tree()
            continue
        tag = el.tag.lower()
        if tag in ("html", "body"):
            continue
        style = str(el.get("style", "")).replace(" ", "").lower()
        if tag in _DROP or "display:none" in style:
            el.drop_tree()
        elif (tag in ("header", "footer", "aside") or _is_chrome(el)) and not _has_marker(el):
            el.drop_tree()


def _body_root(root: etree._Element) -> etree._Element:
    """The smallest element holding every report marker that is not a link (the report body)."""
    hits: list[etree._Element] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag == "a":
            continue
        own = (el.text or "") + "".join((c.tail or "") for c in el)
        if _MARKERS.search(re.sub(r"\s+", "", own)) and not any(a.tag == "a" for a in el.iterancestors()):
            hits.append(el)
    body = root.find(".//body")
    if body is None:
        body = root
    if len(hits) < 2:
        return body
    paths = [list(reversed([h, *h.iterancestors()])) for h in hits]
    common = body
    for level in zip(*paths, strict=False):
        if all(node is level[0] for node in level):
            common = level[0]
        else:
            break
    while common.tag in ("table", "tbody", "thead", "tfoot", "tr") and common.getparent() is not None:
        common = common.getparent()  # markers all inside one table: take the table's surroundings too
    return common


class _Walker:
    def __init__(self) -> None:
        self.lines: list[SourceLine] = []
        self.buffer: list[str] = []
        self.tables = 0

    def flush(self) -> None:
        text = _text("".join(self.buffer))
        self.buffer = []
        for segment in text.split(_BR):
            segment = segment.strip(" \u00a0\u3000")
            if segment:
                self.lines.append(SourceLine(text=segment))

    def walk(self, el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "table":
            self.flush()
            self.table(el)
        elif tag == "br":
            self.buffer.append(_BR)
        else:
            block = tag in _BLOCK or tag in ("tr", "td", "th")
            if block:
                self.flush()
            if el.text and tag:
                self.buffer.append(el.text)
            for child in el:
                self.walk(child)
                if child.tail:
                    self.buffer.append(child.tail)
            if block:
                self.flush()

    def table(self, table: etree._Element) -> None:
        own_cells = [c for c in table.iter("td", "th") if _owner_table(c) is table]
        single = len(own_cells) == 1 and str(own_cells[0].get("colspan", "1")).strip() in ("", "1")
        if any(len(c.xpath(".//table")) for c in own_cells) or single or not own_cells:
            for cell in own_cells:  # layout table: walk the content of each cell
                self.walk(cell)
            self.flush()
            return
        grid, spans = table_grid(table, _cell_text)
        number = self.tables
        self.tables += 1
        for index, (cells, row_spans) in enumerate(zip(grid, spans, strict=True)):
            if any(cells):
                self.lines.append(
                    SourceLine(text="\t".join(cells), cells=cells, table=number, row=index, spans=row_spans)
                )


def _owner_table(el: etree._Element) -> etree._Element | None:
    for anc in el.iterancestors():
        if anc.tag == "table":
            return anc
    return None


def _cell_text(cell: etree._Element) -> str:
    walker = _Walker()
    walker.walk(cell)
    walker.flush()
    return "\n".join(line.text for line in walker.lines).replace("\t", " ").strip(" \u00a0\u3000\n")


def extract_html(path: Path, data: bytes | None = None, *, mht: bool = False) -> Extracted:
    """Read a saved page into paragraph lines and grid-resolved table rows.

    Raises:
        ExtractionError: undecodable page, or no text in it.
    """
    if data is None:
        data = path.read_bytes()
    if mht:
        data = _mht_html(data, path=path)
    warnings: list[str] = []
    text, encoding = decode_html(data, path=path, warnings=warnings)
    text = text.lstrip("\ufeff")
    try:
        root = lxml.html.document_fromstring(text, parser=lxml.html.HTMLParser(no_network=True, recover=True))
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"cannot parse HTML: {exc}", path=str(path)) from exc
    _prune(root)
    body = _body_root(root)
    walker = _Walker()
    try:
        walker.walk(body)
    except TableTooLarge as exc:
        raise ExtractionError(f"HTML table refused: {exc}", path=str(path)) from exc
    walker.flush()
    images = len(body.xpath(".//img"))
    if images and not any(line.cells for line in walker.lines):
        warnings.append(
            f"the page shows {images} image(s) but no table: tables published as images cannot be read"
        )
    if not walker.lines:
        raise ExtractionError("the web page has no text", path=str(path))
    return Extracted(kind=Format.HTML, lines=walker.lines, encoding=encoding, warnings=warnings)


class HtmlExtractor:
    """The extractor table's entry for saved web pages: ``Format.HTML``, or ``Format.MHT`` with ``mht=True``."""

    def __init__(self, *, mht: bool = False) -> None:
        self.mht = mht
        self.format = Format.MHT if mht else Format.HTML

    def extract(self, path: Path, *, sniffed: Sniffed, settings: Settings) -> Extracted:
        """Read a page, or the HTML part of an .mht (see ``extract_html``)."""
        return extract_html(path, mht=self.mht)
