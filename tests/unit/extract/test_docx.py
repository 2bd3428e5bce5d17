"""Word .docx: body order, merged cells resolved to the grid, nested tables, text boxes, hidden text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document

from worker.errors import ExtractionError
from worker.extract import extract_file


def _doc_with_merged_table(path: Path) -> Path:
    doc = Document()
    doc.add_paragraph("二、主动公开政府信息情况")
    table = doc.add_table(rows=4, cols=4)
    head = table.cell(0, 0).merge(table.cell(0, 3))
    head.text = "第二十条第（五）项"
    table.cell(1, 0).text = "信息内容"
    table.cell(1, 1).merge(table.cell(1, 3)).text = "本年处理决定数量"
    label = table.cell(2, 0).merge(table.cell(3, 0))
    label.text = "行政许可"
    table.cell(2, 1).text = "12"
    table.cell(2, 2).text = "3"
    table.cell(3, 1).text = "7"
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    doc.save(str(path))
    return path


def test_docx_resolves_gridspan_and_vmerge_to_the_grid(tmp_path: Path) -> None:
    extracted = extract_file(_doc_with_merged_table(tmp_path / "r.docx"))
    assert extracted.kind == "docx"
    rows = [line for line in extracted.lines if line.cells is not None]
    assert [r.cells for r in rows] == [
        ["第二十条第（五）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政许可", "12", "3", ""],
        ["", "7", "", ""],
    ]
    assert [r.spans for r in rows] == [[4, 0, 0, 0], [1, 3, 0, 0], [1, 1, 1, 1], [-1, 1, 1, 1]]
    assert rows[0].text == "第二十条第（五）项\t\t\t"
    assert {r.table for r in rows} == {0}
    assert [r.row for r in rows] == [0, 1, 2, 3]
    # paragraphs before and after the table, in body order
    texts = [line.text for line in extracted.lines]
    assert texts[0] == "二、主动公开政府信息情况"
    assert texts[-1] == "三、收到和处理政府信息公开申请情况"


def _edit_document(src: Path, dst: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = edit(data.decode()).encode()
            zout.writestr(info, data)
    return dst


def test_docx_nested_table_follows_its_row_and_layout_table_is_unwrapped(tmp_path: Path) -> None:
    doc = Document()
    outer = doc.add_table(rows=1, cols=1)  # one-cell layout table around the report
    cell = outer.cell(0, 0)
    cell.paragraphs[0].text = "一、总体情况"
    inner = cell.add_table(rows=2, cols=3)
    for r, row in enumerate([["规章", "1", "2"], ["行政规范性文件", "3", "4"]]):
        for c, text in enumerate(row):
            inner.cell(r, c).text = text
    cell.add_paragraph("五、存在的主要问题及改进情况")
    grid = doc.add_table(rows=1, cols=2)
    grid.cell(0, 0).text = "外层"
    nested = grid.cell(0, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "内层甲"
    nested.cell(0, 1).text = "内层乙"
    path = tmp_path / "n.docx"
    doc.save(str(path))
    lines = extract_file(path).lines
    assert [(ln.text, ln.cells is not None) for ln in lines] == [
        ("一、总体情况", False),
        ("规章\t1\t2", True),
        ("行政规范性文件\t3\t4", True),
        ("五、存在的主要问题及改进情况", False),
        ("外层\t", True),
        ("内层甲\t内层乙", True),
    ]


def test_docx_grid_before_and_after_become_empty_cells(tmp_path: Path) -> None:
    doc = Document()
    table = doc.add_table(rows=2, cols=3)
    for c, text in enumerate(["甲", "乙", "丙"]):
        table.cell(0, c).text = text
    table.cell(1, 0).text = "一"
    src = tmp_path / "a.docx"
    doc.save(str(src))

    def edit(xml: str) -> str:
        # second row: drop two cells and declare them as gridAfter (Word does this for ragged rows)
        rows = xml.split("<w:tr")
        last = rows[2]
        first_tc_end = last.index("</w:tc>") + len("</w:tc>")
        rows[2] = (
            last[: last.index("<w:tc>")]
            + '<w:trPr><w:gridAfter w:val="2"/></w:trPr>'
            + last[last.index("<w:tc>") : first_tc_end]
            + "</w:tr>"
            + last[last.index("</w:tr>") + len("</w:tr>") :]
        )
        return "<w:tr".join(rows)

    lines = extract_file(_edit_document(src, tmp_path / "b.docx", edit)).lines
    assert [ln.cells for ln in lines] == [["甲", "乙", "丙"], ["一", "", ""]]


def test_docx_text_box_once_hidden_and_deleted_text_left_out(samples: Path) -> None:
    lines = [ln.text for ln in extract_file(samples / "report_word_textbox.docx").lines]
    assert lines[0] == "将乐县南口镇人民政府2023年政府信息公开工作年度报告"
    assert lines[1] == "（此件公开发布）"  # the text box, read once (its VML fallback copy skipped)
    joined = "\n".join(lines)
    assert joined.count("此件公开发布") == 1
    assert "隐藏批注文字" not in joined and "已删除的旧稿" not in joined


def test_docx_line_breaks_split_paragraph_lines(tmp_path: Path) -> None:
    doc = Document()
    p = doc.add_paragraph()
    p.add_run("南口镇人民政府")
    p.add_run().add_break()
    p.add_run("2024年1月20日")
    doc.add_paragraph("   ")  # blank paragraphs carry no line
    path = tmp_path / "b.docx"
    doc.save(str(path))
    assert [ln.text for ln in extract_file(path).lines] == ["南口镇人民政府", "2024年1月20日"]


def test_docx_without_text_or_body_is_refused(tmp_path: Path) -> None:
    doc = Document()
    path = tmp_path / "empty.docx"
    doc.save(str(path))
    with pytest.raises(ExtractionError, match=".docx 文件中没有文字") as info:
        extract_file(path)
    assert info.value.code == "docx_no_text"
    broken = _edit_document(path, tmp_path / "broken.docx", lambda xml: xml[: len(xml) // 2])
    with pytest.raises(ExtractionError, match="word/document.xml 中的 XML 格式错误") as malformed:
        extract_file(broken)
    assert malformed.value.code == "malformed_xml"


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_docx_automatic_numbering_is_rendered(tmp_path: Path) -> None:
    from docx.oxml import parse_xml

    doc = Document()
    numbering = doc.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {W_NS} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    doc.styles.element.append(parse_xml(
        f'<w:style {W_NS} w:type="paragraph" w:styleId="SubHeading"><w:name w:val="Sub Heading"/>'
        '<w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="90"/></w:numPr></w:pPr></w:style>'))

    def numbered(text: str, level: int | None) -> None:
        p = doc.add_paragraph(text)
        if level is None:
            p._p.get_or_add_pPr().append(parse_xml(f'<w:pStyle {W_NS} w:val="SubHeading"/>'))
        else:
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {W_NS}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    numbered("总体情况", 0)
    numbered("主动公开情况", None)  # numbered through its style
    numbered("依申请公开情况", None)
    numbered("属于国家秘密", 2)
    numbered("主动公开政府信息情况", 0)
    numbered("规章", 1)
    doc.add_paragraph("正文没有编号。")
    path = tmp_path / "numbered.docx"
    doc.save(str(path))
    assert [ln.text for ln in extract_file(path).lines] == [
        "一、总体情况", "（一）主动公开情况", "（二）依申请公开情况", "1.属于国家秘密", "二、主动公开政府信息情况",
        "（一）规章", "正文没有编号。",
    ]


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"),
                                          (100, "一百"), (105, "一百零五"), (110, "一百一十")])
def test_docx_chinese_counter(n: int, text: str) -> None:
    from worker.extract.docx_numbering import chinese_number

    assert chinese_number(n) == text


def test_docx_tables_pasted_as_pictures_are_noted(tmp_path: Path) -> None:
    from tests.utils.make_format_samples import tmp_png

    doc = Document()
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    doc.add_picture(tmp_png())
    path = tmp_path / "pic.docx"
    doc.save(str(path))
    extracted = extract_file(path)
    assert extracted.warnings == ["the document shows 1 picture(s) but no table: tables pasted as pictures cannot be read"]
    assert extract_file(_doc_with_merged_table(tmp_path / "t.docx")).warnings == []


def test_docx_span_bomb_is_refused(tmp_path: Path) -> None:
    doc = Document()
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "x"
    src = tmp_path / "a.docx"
    doc.save(str(src))
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="64"/></w:tcPr><w:p/></w:tc>'
    row = "<w:tr>" + cell * 200 + "</w:tr>"

    def edit(xml: str) -> str:
        start, end = xml.index("<w:tr"), xml.index("</w:tr>") + len("</w:tr>")
        return xml[:start] + xml[start:end] + row * 100 + xml[end:]

    with pytest.raises(ExtractionError, match="拒绝处理表格：合并单元格覆盖超过 1000000 个网格单元"):
        extract_file(_edit_document(src, tmp_path / "bomb.docx", edit))
