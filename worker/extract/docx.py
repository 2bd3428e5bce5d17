"""Word .docx: paragraphs and real table cells, in body order, read from the XML (no detour through text).

The main document part is parsed with lxml, DTDs refused (see ``safety``). Table rows are resolved to the table's
grid: a cell spanning N grid columns (``gridSpan``, old-style ``hMerge``) is followed by N-1 empty
continuation cells, a vertically merged continuation cell (``vMerge`` without ``restart``) is empty, and
``gridBefore``/``gridAfter`` become empty cells, so that every row of a table has the same width. The
``spans`` list of a row tells which empty cells are continuations (0 horizontal, -1 vertical).

Text boxes (``w:txbxContent``) follow the paragraph that anchors them; the VML fallback copy Word writes for
old readers (``mc:Fallback``) is skipped so that text is not read twice. Nested tables follow the row that
holds them; a one-column table used only for layout is unwrapped into its content. Deleted revisions, hidden
text and field instructions are left out. Headers, footers and footnotes are not part of the report body.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from worker.errors import ExtractionError
from worker.extract.base import Extracted, SourceLine
from worker.extract.docx_numbering import Numbering
from worker.extract.docx_xml import MC_NS, W_NS
from worker.extract.docx_xml import child as _child
from worker.extract.docx_xml import int_attr as _int_attr
from worker.extract.docx_xml import is_w as _w
from worker.extract.docx_xml import split_tag as _split
from worker.extract.docx_xml import wattr as _wattr
from worker.extract.formats import Format, Sniffed
from worker.extract.reasons import Reason, refuse
from worker.extract.safety import open_zip, parse_xml, read_zip_entry
from worker.settings import Settings

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_GRID_CELLS = 1_000_000  # over all tables; a report has a few hundred

# Subtrees whose text is not part of what a reader sees.
_SKIP = {"del", "moveFrom", "instrText", "delText", "delInstrText", "fldData", "rPr", "pPr", "tcPr", "trPr",
         "tblPr", "sectPr", "footnoteReference", "endnoteReference", "commentReference", "annotationRef"}


def _main_part(zf_names: set[str], rels: bytes | None, path: Path) -> str:
    if rels:
        root = parse_xml(rels, name="_rels/.rels", path=path)
        for rel in root:
            if str(rel.get("Type", "")).endswith("/officeDocument"):
                target = str(rel.get("Target", "")).lstrip("/")
                if target in zf_names:
                    return target
    if "word/document.xml" in zf_names:
        return "word/document.xml"
    raise refuse(Reason.CORRUPT_OFFICE, path=path, detail="缺少正文部件（word/document.xml）")


class _Reader:
    """Walks the body and collects ``SourceLine``s."""

    def __init__(self, numbering: Numbering | None = None) -> None:
        self.lines: list[SourceLine] = []
        self.tables = 0
        self.grid_cells = 0
        self.numbering = numbering

    def number(self, p: Element) -> str:
        """Word's automatic number of the paragraph ("一、", "（二）"), which is not in its text."""
        return self.numbering.label(_child(p, "pPr")) if self.numbering is not None else ""

    # --- blocks -------------------------------------------------------------------------------
    def block(self, parent: Element) -> None:
        for child in parent:
            ns, local = _split(child.tag)
            if ns == MC_NS and local == "AlternateContent":
                choice = next((c for c in child if _split(c.tag)[1] == "Choice"), None)
                if choice is not None:
                    self.block(choice)
            elif ns not in W_NS:
                continue
            elif local == "p":
                self.paragraph(child)
            elif local == "tbl":
                self.table(child)
            elif local in ("sdt", "customXml", "smartTag"):
                content = _child(child, "sdtContent") if local == "sdt" else child
                if content is not None:
                    self.block(content)

    def paragraph(self, p: Element) -> None:
        parts: list[str] = []
        boxes: list[Element] = []
        self._collect(p, parts, boxes)
        text = "".join(parts)
        if text.strip():
            text = self.number(p) + text
        for segment in text.split("\n"):
            if segment.strip():
                self.lines.append(SourceLine(text=segment.rstrip()))
        for box in boxes:
            self.block(box)

    def _collect(self, el: Element, parts: list[str], boxes: list[Element]) -> None:
        """Gather the visible text of ``el`` into ``parts`` and its text boxes into ``boxes``."""
        for child in el:
            ns, local = _split(child.tag)
            if ns == MC_NS:
                if local == "AlternateContent":
                    choice = next((c for c in child if _split(c.tag)[1] == "Choice"), None)
                    if choice is not None:
                        self._collect(choice, parts, boxes)
                continue  # mc:Fallback duplicates the Choice for old readers
            if local == "txbxContent" and ns in W_NS:
                boxes.append(child)
                continue
            if ns in W_NS:
                if local in _SKIP:
                    continue
                if local == "r" and self._hidden(child):
                    continue
                if local == "t":
                    parts.append(child.text or "")
                    continue
                if local in ("tab", "ptab"):
                    parts.append("\t")
                    continue
                if local in ("br", "cr"):
                    parts.append("\n")
                    continue
                if local == "noBreakHyphen":
                    parts.append("-")
                    continue
            self._collect(child, parts, boxes)

    @staticmethod
    def _hidden(run: Element) -> bool:
        rpr = _child(run, "rPr")
        if rpr is None:
            return False
        vanish = _child(rpr, "vanish")
        return vanish is not None and (_wattr(vanish, "val") or "true") not in ("0", "false", "off")

    def cell_text(self, tc: Element, nested: list[Element]) -> str:
        paragraphs: list[str] = []
        for child in tc:
            if _w(child, "p"):
                parts: list[str] = []
                boxes: list[Element] = []
                self._collect(child, parts, boxes)
                for box in boxes:
                    for bp in box.iter():
                        if _w(bp, "p"):
                            bparts: list[str] = []
                            self._collect(bp, bparts, [])
                            parts.append("\n" + "".join(bparts))
                text = "".join(parts)
                paragraphs.append(self.number(child) + text if text.strip() else text)
            elif _w(child, "tbl"):
                nested.append(child)
            elif _w(child, "sdt"):
                content = _child(child, "sdtContent")
                if content is not None:
                    paragraphs.append(self.cell_text(content, nested))
        text = "\n".join(p.strip() for p in paragraphs if p.strip())
        return text.replace("\t", " ").strip()

    # --- tables -------------------------------------------------------------------------------
    def _rows(self, tbl: Element) -> list[Element]:
        rows: list[Element] = []
        for child in tbl:
            if _w(child, "tr"):
                trpr = _child(child, "trPr")
                if trpr is None or _child(trpr, "del") is None:
                    rows.append(child)
            elif _w(child, "sdt") or _w(child, "customXml"):
                content = _child(child, "sdtContent") if _w(child, "sdt") else child
                if content is not None:
                    rows.extend(self._rows(content))
        return rows

    @staticmethod
    def _cells(tr: Element) -> list[Element]:
        cells: list[Element] = []
        for child in tr:
            if _w(child, "tc"):
                cells.append(child)
            elif _w(child, "sdt"):
                content = _child(child, "sdtContent")
                cells.extend(c for c in (content if content is not None else []) if _w(c, "tc"))
            elif _w(child, "customXml"):
                cells.extend(c for c in child if _w(c, "tc"))
        return cells

    def _is_layout(self, rows: list[Element]) -> bool:
        """One cell per row: a layout box when it is one grid column wide or holds a nested table."""
        for tr in rows:
            for tc in self._cells(tr):
                tcpr = _child(tc, "tcPr")
                if _int_attr(_child(tcpr, "gridSpan") if tcpr is not None else None, 1) > 1:
                    if not any(_w(d, "tbl") for d in tc.iter()):
                        return False
        return True

    def table(self, tbl: Element) -> None:
        rows = self._rows(tbl)
        if rows and all(len(self._cells(tr)) <= 1 for tr in rows) and self._is_layout(rows):
            for tr in rows:  # a layout table: one cell per row holding the real content
                for tc in self._cells(tr):
                    self.block(tc)
            return
        grid: list[tuple[list[str], list[int], list[Element]]] = []
        for tr in rows:
            trpr = _child(tr, "trPr")
            before = _int_attr(_child(trpr, "gridBefore") if trpr is not None else None, 0)
            after = _int_attr(_child(trpr, "gridAfter") if trpr is not None else None, 0)
            cells = [""] * before
            spans = [1] * before
            nested: list[Element] = []
            for tc in self._cells(tr):
                tcpr = _child(tc, "tcPr")
                span = _int_attr(_child(tcpr, "gridSpan") if tcpr is not None else None, 1) or 1
                vmerge = _child(tcpr, "vMerge") if tcpr is not None else None
                hmerge = _child(tcpr, "hMerge") if tcpr is not None else None
                text = self.cell_text(tc, nested)
                if vmerge is not None and (_wattr(vmerge, "val") or "continue") != "restart":
                    cells.append("")
                    spans.append(-1)
                elif hmerge is not None and (_wattr(hmerge, "val") or "continue") != "restart":
                    cells.append("")
                    spans.append(0)
                else:
                    cells.append(text)
                    spans.append(span)
                cells.extend([""] * (span - 1))
                spans.extend([0] * (span - 1))
            cells.extend([""] * after)
            spans.extend([1] * after)
            grid.append((cells, spans, nested))
            self.grid_cells += len(cells)
            if self.grid_cells > MAX_GRID_CELLS:
                raise refuse(Reason.TABLE_TOO_LARGE, path=None, limit=MAX_GRID_CELLS)
        width = max((len(cells) for cells, _, _ in grid), default=0)
        number = self.tables
        self.tables += 1
        for index, (cells, spans, nested) in enumerate(grid):
            pad = width - len(cells)
            cells = cells + [""] * pad
            spans = spans + [1] * pad
            if any(c for c in cells):
                self.lines.append(
                    SourceLine(text="\t".join(cells), cells=cells, table=number, row=index, spans=spans)
                )
            for inner in nested:
                self.table(inner)


def extract_docx(path: Path, *, settings: Settings | None = None, kind: Format = Format.DOCX) -> Extracted:
    """Read a .docx into paragraphs and grid-resolved table rows.

    Args:
        path: the .docx file.
        settings: limits (defaults to ``get_settings()``).
        kind: ``Extracted.kind`` to report (``Format.DOC`` when this reads a converted legacy file).

    Raises:
        ExtractionError: corrupt or truncated container, decompression bomb, unsafe XML, no body.
    """
    with open_zip(path, settings) as zf:
        names = set(zf.namelist())
        rels = read_zip_entry(zf, "_rels/.rels", path=path) if "_rels/.rels" in names else None
        part = _main_part(names, rels, path)
        root = parse_xml(read_zip_entry(zf, part, path=path), name=part, path=path)
        folder = part.rsplit("/", 1)[0] + "/" if "/" in part else ""
        extra = {}
        for name in ("numbering.xml", "styles.xml"):
            if folder + name in names:
                extra[name] = parse_xml(read_zip_entry(zf, folder + name, path=path), name=folder + name, path=path)
    body = next((c for c in root if _w(c, "body")), None)
    if body is None:
        raise refuse(Reason.CORRUPT_OFFICE, path=path, detail=f"{part} 中没有正文（body）")
    numbering = Numbering(extra.get("numbering.xml"), extra.get("styles.xml"), _w, _wattr)
    reader = _Reader(numbering if numbering.nums else None)
    try:
        reader.block(body)
    except ExtractionError as exc:
        raise ExtractionError(exc.reason, path=str(path), code=exc.code) from exc
    if not any(line.text.strip() for line in reader.lines):
        raise refuse(Reason.DOCX_NO_TEXT, path=path)
    warnings: list[str] = []
    pictures = sum(1 for el in body.iter() if _split(el.tag)[1] in ("drawing", "pict"))
    if pictures and reader.tables == 0:
        warnings.append(f"the document shows {pictures} picture(s) but no table: tables pasted as pictures "
                        "cannot be read")
    return Extracted(kind=kind, lines=reader.lines, warnings=warnings)


class DocxExtractor:
    """The extractor table's entry for Word .docx (``extract_docx``)."""

    format = Format.DOCX

    def extract(self, path: Path, *, sniffed: Sniffed, settings: Settings) -> Extracted:
        """Read a .docx (see ``extract_docx``)."""
        return extract_docx(path, settings=settings)
