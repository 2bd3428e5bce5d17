"""Saved web pages: charset from meta, rowspan/colspan grid, &nbsp; blanks, chrome and scripts dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.errors import ExtractionError
from worker.extract import Extracted, extract_file

TABLE = """<table border=1>
<tr><td colspan=3 rowspan=2>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan=2>申请人情况</td></tr>
<tr><td>自然人</td><td>总计</td></tr>
<tr><td rowspan=2>三、本年度办理结果</td><td colspan=2>（一）予以公开</td><td>4</td><td>&nbsp;</td></tr>
<tr><td rowspan=1>（三）不予公开</td><td>1.属于国家秘密</td><td>0</td><td><span>&nbsp;</span><o:p></o:p></td></tr>
</table>"""


def _write(
    tmp_path: Path, body: str, *, name: str = "r.html", encoding: str = "utf-8", head: str = ""
) -> Path:
    path = tmp_path / name
    page = f"<html><head>{head}</head><body>{body}</body></html>"
    path.write_bytes(page.encode(encoding))
    return path


def _text(extracted: Extracted) -> str:
    return "\n".join(line.text for line in extracted.lines)


def test_html_rowspan_colspan_grid_and_nbsp_blank(tmp_path: Path) -> None:
    rows = [ln for ln in extract_file(_write(tmp_path, TABLE)).lines if ln.cells is not None]
    assert [r.cells for r in rows] == [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "", "申请人情况", ""],
        ["", "", "", "自然人", "总计"],
        ["三、本年度办理结果", "（一）予以公开", "", "4", ""],
        ["", "（三）不予公开", "1.属于国家秘密", "0", ""],
    ]
    assert rows[1].spans == [-1, 0, 0, 1, 1]
    assert rows[2].spans == [1, 2, 0, 1, 1]
    assert rows[3].spans[0] == -1


def test_html_gbk_charset_only_in_meta(samples: Path, tmp_path: Path) -> None:
    head = '<meta http-equiv=Content-Type content="text/html; charset=gb2312">'
    path = _write(
        tmp_path,
        "<p>二、主动公开政府信息情况</p><p>行政规范性文件“三安全一稳定”</p>",
        encoding="gbk",
        head=head,
    )
    extracted = extract_file(path)
    assert extracted.encoding == "gb18030"
    assert [ln.text for ln in extracted.lines] == ["二、主动公开政府信息情况", "行政规范性文件“三安全一稳定”"]
    portal = extract_file(samples / "report_portal_gbk.html")
    assert portal.encoding == "gb18030"
    assert portal.lines[0].text == "将乐县南口镇人民政府2023年政府信息公开工作年度报告"


def test_html_page_chrome_scripts_and_styles_are_dropped(samples: Path) -> None:
    text = _text(extract_file(samples / "report_portal_gbk.html"))
    for chrome in (
        "首页",
        "当前位置",
        "搜索",
        "相关链接",
        "版权所有",
        "统计代码",
        "_hmt",
        "MsoNormal",
        "区教育局",
    ):
        assert chrome not in text, chrome
    assert "一、总体情况" in text and "六、其他需要报告的事项" in text


def test_html_word_export_line_wraps_do_not_split_chinese(samples: Path) -> None:
    lines = [ln.text for ln in extract_file(samples / "report_word_export.htm").lines]
    assert lines[1].startswith(
        "本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》"
    )
    assert " " not in lines[1] and "\n" not in lines[1]
    rows = [ln for ln in extract_file(samples / "report_word_export.htm").lines if ln.cells]
    assert rows[0].cells == ["第二十条第（一）项", "", "", ""]


def test_html_br_splits_lines_and_ascii_words_keep_spaces(tmp_path: Path) -> None:
    path = _write(tmp_path, "<div>南口镇人民政府<br>2024年1月20日</div><p>see   the\n  site  www.gov.cn</p>")
    assert [ln.text for ln in extract_file(path).lines] == [
        "南口镇人民政府",
        "2024年1月20日",
        "see the site www.gov.cn",
    ]


def test_html_layout_table_is_unwrapped(tmp_path: Path) -> None:
    body = (
        f"<table><tr><td class=menu><a href=/>首页</a></td><td><p>一、总体情况</p>{TABLE}"
        "<p>五、存在的主要问题及改进情况</p></td></tr></table>"
    )
    lines = extract_file(_write(tmp_path, body)).lines
    assert lines[0].text == "一、总体情况"
    assert lines[1].cells is not None and lines[1].cells[3] == "申请人情况"
    assert lines[-1].text == "五、存在的主要问题及改进情况"
    assert "首页" not in _text(extract_file(_write(tmp_path, body)))


def test_html_hostile_spans_are_capped(tmp_path: Path) -> None:
    body = "<table><tr><td colspan=1000000 rowspan=1000000>x</td><td>y</td></tr><tr><td>z</td></tr></table>"
    rows = [ln for ln in extract_file(_write(tmp_path, body)).lines if ln.cells]
    assert len(rows[0].cells) <= 201
    assert len(rows) == 2


def test_html_wrong_declared_charset_is_noted(tmp_path: Path) -> None:
    head = '<meta charset="gb2312">'
    path = _write(tmp_path, "<p>二、主动公开政府信息情况（“三安全一稳定”）</p>", encoding="utf-8", head=head)
    extracted = extract_file(path)
    assert extracted.encoding == "utf-8"
    assert extracted.lines[0].text == "二、主动公开政府信息情况（“三安全一稳定”）"
    assert extracted.warnings == ["the page declares charset gb18030 but is utf-8; read as utf-8"]


def test_html_report_body_found_without_chrome_classes(tmp_path: Path) -> None:
    body = ("<div><ul><li>首页</li><li>机构概况</li><li>政务公开</li></ul></div>"
            "<div><div><p>南口镇2023年政府信息公开工作年度报告</p><p>一、总体情况</p><p>全年主动公开信息。</p>"
            "<p>五、存在的主要问题及改进情况</p></div></div>"
            "<div>网站地图 | 联系我们 | 主办单位：南口镇人民政府</div>")
    lines = [ln.text for ln in extract_file(_write(tmp_path, body)).lines]
    assert lines == ["南口镇2023年政府信息公开工作年度报告", "一、总体情况", "全年主动公开信息。", "五、存在的主要问题及改进情况"]


def test_html_tables_as_images_are_noted(tmp_path: Path) -> None:
    body = "<p>三、收到和处理政府信息公开申请情况</p><p><img src='table3.png'></p><p>四、行政复议</p>"
    extracted = extract_file(_write(tmp_path, body))
    assert extracted.warnings == ["the page shows 1 image(s) but no table: tables published as images cannot be read"]


def test_html_span_bomb_is_refused(tmp_path: Path) -> None:
    row = "<tr>" + "<td colspan=200 rowspan=2000>x</td>" * 3 + "</tr>"
    path = _write(tmp_path, "<p>一、总体情况</p><table>" + row * 2000 + "</table>")
    with pytest.raises(ExtractionError, match="拒绝处理表格：合并单元格覆盖超过 1000000 个网格单元"):
        extract_file(path)
