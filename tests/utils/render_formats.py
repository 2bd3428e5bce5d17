"""Render a canonical report dict as the files offices really publish: .docx, Word-exported HTML, PDF, text.

All renderers draw the same ``render_formats_layout.layout(report)``: the national template's tables with
their merged cells (``gridSpan``/``vMerge`` in docx, ``colspan``/``rowspan`` in HTML, merged ruled boxes in
the PDF, which also gets a running header and "— N —" page numbers, and splits the long 三 table across
pages as Word does). Text comes in the seeds' docx-to-text layout, in any encoding.

The PDF font is the GB2312 subset of WenQuanYi Micro Hei committed under tests/samples/formats/fonts, so
this works on a machine without CJK fonts.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from fpdf import FPDF

from tests.utils.render_formats_layout import Para, Table, grid, layout, placements

FONT = Path(__file__).resolve().parents[1] / "samples" / "formats" / "fonts" / "wqy-microhei-gb2312.ttf"


# --- text ---------------------------------------------------------------------------------------------
def render_text(report: dict[str, Any]) -> str:
    """Text like the seeds: paragraphs as lines, a table cell per line (tab-indented), rows split by blanks.

    Horizontally merged cells appear once and vertically merged continuations as empty cells, the way a
    docx-to-text converter writes a Word table.
    """
    out: list[str] = []
    for block in layout(report):
        if isinstance(block, Para):
            out.append(block.text)
            continue
        texts, horiz = grid(block)
        for r, row in enumerate(texts):
            out.extend("\t" + text for c, text in enumerate(row) if not horiz[r][c])
            out.append("")
    return "\n".join(out) + "\n"


def write_text(report: dict[str, Any], path: Path, encoding: str = "utf-8") -> Path:
    """Write ``render_text`` in ``encoding`` ("gb18030", "utf-16", "utf-8-sig", ...) with CRLF line ends."""
    path.write_bytes(render_text(report).replace("\n", "\r\n").encode(encoding))
    return path


# --- docx ---------------------------------------------------------------------------------------------
def render_docx(report: dict[str, Any], path: Path) -> Path:
    """A real .docx (python-docx) with the template's merged cells."""
    doc = Document()
    for block in layout(report):
        if isinstance(block, Para):
            p = doc.add_paragraph()
            run = p.add_run(block.text)
            if block.heading == 1:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run.bold = True
                run.font.size = Pt(18)
            elif block.heading:
                run.bold = block.heading == 2
            continue
        _docx_table(doc, block)
    doc.save(str(path))
    return path


def _docx_table(doc: Any, table: Table) -> None:
    texts, _ = grid(table)
    width = len(texts[0])
    t = doc.add_table(rows=len(table.rows), cols=width)
    t.style = "Table Grid"
    placed: list[tuple[Any, str]] = []
    for r, col, cell in placements(table):
        target = t.cell(r, col)
        if cell.colspan > 1 or cell.rowspan > 1:
            target = target.merge(t.cell(r + cell.rowspan - 1, col + cell.colspan - 1))
        placed.append((target, cell.text))
    for target, text in placed:  # text after all merges: a merge joins the merged cells' paragraphs
        target.text = text


# --- html ---------------------------------------------------------------------------------------------
_WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset={charset}">
<meta name=Generator content="Microsoft Word 15 (filtered)">
<title>{title}</title>
<style>
<!--
 p.MsoNormal, li.MsoNormal {{margin:0cm; text-align:justify; font-size:10.5pt; font-family:等线;}}
 .WordSection1 {{page:WordSection1;}}
-->
</style>
<script type="text/javascript">var _hmt = _hmt || []; document.write("统计代码 总体情况");</script>
</head>
"""
_CHROME_TOP = """<div class="header"><div class="top-nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a>
<a href="/nb/">2022年政府信息公开工作年度报告</a></div><form class="search"><input name=q>搜索</form></div>
<div class="breadcrumb">当前位置：首页 &gt; 政府信息公开 &gt; 年度报告</div>
<div class="article"><h1 class="article-title">{title}</h1><div class="info">发布时间：{date} 来源：本站</div>
<div id="zoom" class="TRS_Editor">
"""
_CHROME_BOTTOM = """</div></div>
<div class="related"><h3>相关链接</h3><ul><li><a href="/a">{year}年政府信息公开工作年度报告（区教育局）</a></li></ul></div>
<div class="footer">主办：人民政府办公室 版权所有 网站标识码 3301000001 <script>showVisitCount();</script></div>
"""


def _wrap_source(text: str, width: int = 38) -> str:
    """Break long text in the HTML source the way Word's exporter does (a newline inside the sentence)."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def _span(text: str) -> str:
    if not text:
        return "<span lang=EN-US>&nbsp;</span>"
    return f"<span style='font-family:仿宋_GB2312'>{_wrap_source(html.escape(text))}</span>"


def render_html(report: dict[str, Any], *, charset: str = "utf-8", chrome: bool = False) -> str:
    """Word-exported HTML ("Web Page, Filtered") with rowspan/colspan tables; optionally inside portal chrome."""
    blocks = layout(report)
    title = blocks[0].text if isinstance(blocks[0], Para) else ""
    out = [_WORD_HEAD.format(charset=charset, title=html.escape(title)), "<body lang=ZH-CN>\n"]
    if chrome:
        out.append(_CHROME_TOP.format(title=html.escape(title), date=f"{report.get('year', 2023) + 1}-01-20"))
    out.append("<div class=WordSection1>\n")
    for i, block in enumerate(blocks):
        if isinstance(block, Para):
            if chrome and i == 0:
                continue  # the portal shows the title in its own <h1>
            align = " align=center style='text-align:center'" if block.heading == 1 else ""
            inner = _span(block.text)
            if block.heading in (1, 2):
                inner = f"<b>{inner}</b>"
            out.append(f"<p class=MsoNormal{align}>{inner}<span lang=EN-US><o:p></o:p></span></p>\n")
            continue
        out.append("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0\n"
                   " style='border-collapse:collapse;border:none'>\n")
        for row in block.rows:
            out.append(" <tr style='height:15.0pt'>\n")
            for cell in row:
                attrs = f" width={60 * cell.colspan}"
                if cell.colspan > 1:
                    attrs += f" colspan={cell.colspan}"
                if cell.rowspan > 1:
                    attrs += f" rowspan={cell.rowspan}"
                out.append(f"  <td{attrs} valign=top style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'>\n"
                           f"  <p class=MsoNormal align=center>{_span(cell.text)}</p>\n  </td>\n")
            out.append(" </tr>\n")
        out.append("</table>\n<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>\n")
    out.append("</div>\n")
    if chrome:
        out.append(_CHROME_BOTTOM.format(year=report.get("year", 2023)))
    out.append("</body>\n</html>\n")
    return "".join(out)


def write_html(report: dict[str, Any], path: Path, *, encoding: str = "utf-8", chrome: bool = False) -> Path:
    """Write the page; for "gbk"/"gb2312" the charset is declared only in the meta tag (no BOM)."""
    charset = {"gbk": "gb2312", "gb18030": "gb2312"}.get(encoding, encoding)
    path.write_bytes(render_html(report, charset=charset, chrome=chrome).encode(encoding, "xmlcharrefreplace"))
    return path


# --- pdf ----------------------------------------------------------------------------------------------
class _Pdf(FPDF):
    running_header = ""

    def header(self) -> None:
        self.set_font("cjk", size=8)
        self.set_y(8)
        self.cell(0, 5, self.running_header, align="C")
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=9)
        self.cell(0, 5, f"— {self.page_no()} —", align="C")


LINE_H = 5.0


def render_pdf(report: dict[str, Any], path: Path) -> Path:
    """A PDF with ruled, merged-cell tables, a running header and page numbers (fpdf2, embedded CJK font)."""
    pdf = _Pdf(format="A4")
    pdf.add_font("cjk", fname=str(FONT))
    pdf.running_header = f"{report.get('organ') or ''}政府信息公开"
    pdf.set_margins(18, 20, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for block in layout(report):
        if isinstance(block, Para):
            size = {1: 15, 2: 12}.get(block.heading, 10.5)
            pdf.set_font("cjk", size=size)
            pdf.multi_cell(0, LINE_H + (2 if block.heading == 1 else 0), block.text,
                           align="C" if block.heading == 1 else "L", new_x="LMARGIN", new_y="NEXT")
            continue
        _pdf_table(pdf, block)
        pdf.ln(3)
    pdf.output(str(path))
    return path


def _pdf_table(pdf: _Pdf, table: Table) -> None:
    pdf.set_font("cjk", size=7.5)
    texts, _ = grid(table)
    n_rows, width = len(texts), len(texts[0])
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    total = sum(table.widths) or width
    col_w = [usable * w / total for w in (table.widths or [1] * width)]
    col_x = [pdf.l_margin + sum(col_w[:c]) for c in range(width)]
    # r, c, rowspan, colspan, text
    cells = [(r, c, cell.rowspan, cell.colspan, cell.text) for r, c, cell in placements(table)]
    heights = [LINE_H + 1.5] * n_rows
    for r, c, rs, cs, text in cells:
        if rs == 1 and text:
            w = sum(col_w[c : c + cs]) - 2
            lines = pdf.multi_cell(w, 3.6, text, dry_run=True, output="LINES")
            heights[r] = max(heights[r], 3.6 * len(lines) + 2)
    bottom = pdf.h - pdf.b_margin
    start = 0
    while start < n_rows:
        if pdf.get_y() + heights[start] > bottom:
            pdf.add_page()
        y0 = pdf.get_y()
        end = start
        while end < n_rows and y0 + sum(heights[start : end + 1]) <= bottom:
            end += 1
        end = max(end, start + 1)
        row_y = {r: y0 + sum(heights[start:r]) for r in range(start, end + 1)}
        for r, c, rs, cs, text in cells:
            first, last = max(r, start), min(r + rs, end)
            if first >= last:
                continue
            x, w = col_x[c], sum(col_w[c : c + cs])
            y, h = row_y[first], row_y[last] - row_y[first]
            pdf.rect(x, y, w, h)
            if r >= start and text:
                pdf.set_xy(x + 1, y + 1)
                pdf.multi_cell(w - 2, 3.6, text, align="C")
        pdf.set_xy(pdf.l_margin, row_y[end])
        start = end
        if start < n_rows:
            pdf.add_page()


def render_pdf_aligned(report: dict[str, Any], path: Path) -> Path:
    """A landscape PDF whose tables have no rules: cells placed on the grid's columns, headers and values
    centred over their span, row labels left-aligned, blanks simply absent (as printed from a spreadsheet)."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("cjk", fname=str(FONT))
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    for block in layout(report):
        if isinstance(block, Para):
            pdf.set_font("cjk", size=10)
            pdf.multi_cell(0, 5.5, block.text, new_x="LMARGIN", new_y="NEXT")
            continue
        width = sum(c.colspan for c in block.rows[0])
        weights = [1.0, 1.2, 5.0] + [1.0] * 7 if width == 10 else [2.5, 1, 1, 1] if width == 4 else [1.0] * width
        unit = usable / sum(weights)
        xs = [pdf.l_margin + unit * sum(weights[:c]) for c in range(width + 1)]
        pdf.set_font("cjk", size=6)
        taken = [[False] * width for _ in block.rows]
        for r, row in enumerate(block.rows):
            if pdf.get_y() > pdf.h - 20:
                pdf.add_page()
            y = pdf.get_y()
            col = 0
            for cell in row:
                while taken[r][col]:
                    col += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken[r + dr][col + dc] = True
                text = cell.text.replace("\n", "")
                if text:
                    text_w = pdf.get_string_width(text)
                    left, right = xs[col], xs[col + cell.colspan]
                    is_label = col == 0 and not cell.header and not text.replace(".", "").isdigit()
                    pdf.set_xy(left if is_label or width == 10 and col < 3 else (left + right - text_w) / 2, y)
                    pdf.cell(text_w + 0.5, 4, text)
                col += cell.colspan
            pdf.set_xy(pdf.l_margin, y + 4.5)
        pdf.ln(2)
    pdf.output(str(path))
    return path
