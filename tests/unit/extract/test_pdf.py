"""PDF: ruled tables with merged cells, tables across pages, page chrome dropped, aligned text, refusals."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fpdf import FPDF

from tests.faults.bombs import raw_pdf
from tests.utils.render_formats import FONT, render_pdf
from tests.utils.render_formats_layout import random_report
from worker.errors import ExtractionError
from worker.extract import extract_file
from worker.extract.pdf_lines import is_page_number


@pytest.fixture(scope="module")
def ruled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list]:  # type: ignore[type-arg]
    report = random_report(random.Random(11))
    path = render_pdf(report, tmp_path_factory.mktemp("pdf") / "r.pdf")
    return report, extract_file(path).lines


def test_pdf_merged_cells_resolve_to_the_grid(ruled: tuple[dict, list]) -> None:  # type: ignore[type-arg]
    _, lines = ruled
    rows = [ln for ln in lines if ln.cells is not None]
    head = next(r for r in rows if r.cells[0].startswith("（本列数据的勾稽关系为"))
    assert head.cells[3] == "申请人情况" and head.cells[1:3] == ["", ""] and head.spans[:4] == [3, 0, 0, 7]
    granted = next(r for r in rows if r.cells[1] == "（一）予以公开")
    assert granted.cells[0].replace("\n", "") == "三、本年度办理结果"
    assert granted.spans[:3] == [1, 2, 0]
    partial = next(r for r in rows if r.cells[1].startswith("（二）部分公开"))
    assert partial.cells[0] == "" and partial.spans[0] == -1
    assert all(len(r.cells) == 10 for r in rows if r.table == head.table)


def test_pdf_values_match_the_source(ruled: tuple[dict, list]) -> None:  # type: ignore[type-arg]
    report, lines = ruled
    rows = {r.cells[0].replace("\n", ""): r.cells for r in lines if r.cells and r.cells[0]}
    new = report["tables"]["applications"]["new"]
    expected = ["" if v is None else str(v) for v in new.values()]
    assert rows["一、本年新收政府信息公开申请数量"][3:] == expected


def test_pdf_table_across_pages_is_joined_and_chrome_dropped(ruled: tuple[dict, list]) -> None:  # type: ignore[type-arg]
    _, lines = ruled
    app = [ln for ln in lines if ln.cells is not None and len(ln.cells) == 10]
    assert len({ln.page for ln in app}) == 2, "the renderer splits the 三 table over two pages"
    assert len({ln.table for ln in app}) == 1
    assert [ln.row for ln in app] == sorted(ln.row for ln in app)
    texts = [ln.text for ln in lines]
    assert not any(t.startswith("—") for t in texts), "page numbers dropped"
    assert not any(t.endswith("政府信息公开") and len(t) < 30 for t in texts), "running header dropped"
    assert texts[0].endswith("政府信息公开工作年度报告")


def test_pdf_wrapped_paragraph_lines_are_joined(ruled: tuple[dict, list]) -> None:  # type: ignore[type-arg]
    _, lines = ruled
    preamble = lines[1].text
    assert preamble.startswith("本报告根据") and preamble.endswith("12月31日止。")


def test_pdf_whitespace_aligned_table_becomes_tab_separated(samples: Path) -> None:
    lines = extract_file(samples / "report_aligned.pdf").lines
    texts = [ln.text for ln in lines]
    assert "信息内容\t本年制发件数\t本年废止件数\t现行有效件数" in texts
    assert "规章\t5\t0\t12" in texts
    assert all(ln.cells is None for ln in lines)


def test_pdf_refusals_have_clear_reasons(samples: Path, tmp_path: Path) -> None:
    with pytest.raises(ExtractionError) as scanned:
        extract_file(samples / "hostile_scanned.pdf")
    assert scanned.value.reason == "扫描版 PDF：没有文字层，不支持文字识别（OCR）"
    assert scanned.value.code == "pdf_scanned"
    with pytest.raises(ExtractionError, match="PDF 已加密：需要密码才能打开") as encrypted:
        extract_file(samples / "hostile_encrypted.pdf")
    assert encrypted.value.code == "pdf_encrypted"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\ntrailer <<>>\n%%EOF\n")
    with pytest.raises(ExtractionError, match="PDF") as corrupt:
        extract_file(broken)
    assert corrupt.value.code in ("pdf_corrupt", "pdf_scanned")


def test_pdf_owner_password_only_is_readable(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_font("cjk", fname=str(FONT))
    pdf.set_font("cjk", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "一、总体情况")
    pdf.set_encryption(owner_password="only-owner")
    path = tmp_path / "owner.pdf"
    pdf.output(str(path))
    assert [ln.text for ln in extract_file(path).lines] == ["一、总体情况"]


@pytest.mark.parametrize("text", ["— 5 —", "- 12 -", "第 3 页", "第3页 共9页", "3/9", "Page 2 of 7", "５"])
def test_pdf_page_number_styles(text: str) -> None:
    assert is_page_number(text.replace("５", "5"))


@pytest.mark.parametrize("text", ["2023年1月20日", "一、总体情况", "0\t0\t0", "本年新收 5 件"])
def test_pdf_not_page_numbers(text: str) -> None:
    assert not is_page_number(text)


def test_pdf_whitespace_aligned_blank_cells_are_kept(tmp_path: Path) -> None:
    """Blank cells of an unruled table are put back from the column positions of the other rows."""
    from tests.utils import gen
    from tests.utils.render_formats import render_pdf_aligned
    from worker.parse import parse_extracted

    report = gen.random_report(random.Random(0), template="2021", blank_rate=0.2)
    # limitation (docs/formats.md): a one-row table (四) or a one-value row cannot show where its blank is
    def no_blanks(rows: dict) -> dict:  # type: ignore[type-arg]
        return {r: {c: 0 if v is None else v for c, v in cols.items()} for r, cols in rows.items()}

    tables = report["tables"]
    tables["reviews"] = no_blanks(tables["reviews"])
    for block in ("art20_5", "art20_6", "art20_8"):
        tables["disclosure"][block] = no_blanks(tables["disclosure"][block])
    blanks = sum(v is None for cols in report["tables"]["applications"].values() for v in cols.values())
    assert blanks > 0
    extracted = extract_file(render_pdf_aligned(report, tmp_path / "aligned.pdf"))
    assert all(ln.cells is None for ln in extracted.lines)
    assert parse_extracted(extracted).canonical()["tables"] == report["tables"]


def test_pdf_pages_without_text_are_reported(tmp_path: Path) -> None:
    from tests.utils.make_format_samples import tmp_png

    pdf = FPDF()
    pdf.add_font("cjk", fname=str(FONT))
    pdf.set_font("cjk", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "一、总体情况")
    pdf.add_page()
    pdf.image(tmp_png(), x=10, y=10, w=100)  # a scanned table page
    path = tmp_path / "partly_scanned.pdf"
    pdf.output(str(path))
    extracted = extract_file(path)
    assert [ln.text for ln in extracted.lines] == ["一、总体情况"]
    assert extracted.warnings == ["PDF pages without a text layer (scanned or blank; OCR not supported): 2"]


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def test_pdf_table_in_a_form_xobject_with_a_scaled_text_matrix(tmp_path: Path) -> None:
    """Ruling lines inside a placed form, text sized by its matrix (1 pt font, 10.5x Tm), inherited MediaBox."""
    form = (b"0.5 w 72 600 m 372 600 l S 72 640 m 372 640 l S 72 680 m 372 680 l S "
            b"72 600 m 72 680 l S 222 600 m 222 680 l S 372 600 m 372 680 l S "
            b"BT /F1 1 Tf 9 0 0 9 80 660 Tm (Applications) Tj 9 0 0 9 230 660 Tm (7) Tj ET "
            b"BT /F1 9 Tf 80 620 Td (Other row) Tj 150 0 Td (2,345) Tj ET")
    content = b"BT /F1 1 Tf 10.5 0 0 10.5 72 750 Tm (Annual report 2023) Tj ET q 1 0 0 1 0 -200 cm /Fm1 Do Q"
    path = tmp_path / "form.pdf"
    path.write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 6 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(form, b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "),
    ]))
    lines = extract_file(path).lines
    assert lines[0].text == "Annual report 2023" and lines[0].cells is None
    assert [ln.cells for ln in lines[1:]] == [["Applications", "7"], ["Other row", "2,345"]]


def test_pdf_font_without_unicode_map_is_refused(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_font("cjk", fname=str(FONT))
    pdf.set_font("cjk", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "一、总体情况 2023")
    path = tmp_path / "nomap.pdf"
    pdf.output(str(path))
    path.write_bytes(path.read_bytes().replace(b"/ToUnicode", b"/XoUnicode"))  # same length: xref stays right
    with pytest.raises(ExtractionError) as info:
        extract_file(path)
    assert info.value.code == "pdf_no_unicode"


@pytest.mark.parametrize(("rotate", "cm"), [(90, b"0 1 -1 0 595 0 cm"), (270, b"0 -1 1 0 0 842 cm")])
def test_pdf_rotated_landscape_page_reads_as_displayed(rotate: int, cm: bytes, tmp_path: Path) -> None:
    """A wide table on a portrait page turned by /Rotate (content drawn turned back): read as displayed."""
    landscape = (b"0.5 w 72 300 m 572 300 l S 72 340 m 572 340 l S 72 380 m 572 380 l S "
                 b"72 300 m 72 380 l S 322 300 m 322 380 l S 572 300 m 572 380 l S "
                 b"BT /F1 9 Tf 80 360 Td (Applications) Tj ET BT /F1 9 Tf 330 360 Td (7) Tj ET "
                 b"BT /F1 9 Tf 80 320 Td (Other row) Tj ET BT /F1 9 Tf 330 320 Td (2,345) Tj ET "
                 b"BT /F1 12 Tf 72 500 Td (Landscape report title) Tj ET")
    path = tmp_path / "rotated.pdf"
    path.write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate %d /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % rotate,
        _stream(b"q " + cm + b" " + landscape + b" Q"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]))
    lines = extract_file(path).lines
    assert [(ln.text, ln.cells) for ln in lines] == [
        ("Landscape report title", None),
        ("Applications\t7", ["Applications", "7"]),
        ("Other row\t2,345", ["Other row", "2,345"]),
    ]


def test_pdf_ligatures_and_line_end_hyphens_read_as_written(tmp_path: Path) -> None:
    """A glyph mapped to two letters (fi, ff) is one character; pdfium's line-end hyphen mark is a hyphen."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Lig def "
            b"1 begincodespacerange <00> <FF> endcodespacerange "
            b"2 beginbfchar <7B> <00660069> <7C> <00660066> endbfchar endcmap "
            b"CMapName currentdict /CMap defineresource pop end end")
    content = b"BT /F1 11 Tf 72 700 Td (The {rst e|ect of the manip-) Tj 0 -14 Td (ulation state, and more words) Tj ET"
    path = tmp_path / "ligatures.pdf"
    path.write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        _stream(cmap),
    ]))
    # the wrapped line joins the paragraph (a Chinese paragraph needs no space; the hyphen stays)
    assert [ln.text for ln in extract_file(path).lines] == ["The first effect of the manip-ulation state, and more words"]
