"""Layouts and wordings seen in real reports of other bodies (issue 3, round 2): one test per quirk."""

from __future__ import annotations

from pathlib import Path

from worker.parse import parse_text, read_report


def test_parse_text_lines_match_the_txt_extractor(tmp_path: Path) -> None:
    text = "2023年XX县人民政府信息公开工作年度报告\n前言\u2028续\x0c\n一、总体情况\n无。\n"
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    by_text = parse_text(text)
    by_file = read_report(path)
    assert [s.line for s in by_text.sections] == [s.line for s in by_file.sections] == [3]
    assert len(by_text.lines) == len(by_file.lines) == 4


def test_markdown_marks_around_headings_are_dropped() -> None:
    from worker.parse.normalise import normalise_line

    assert normalise_line("**一、总体情况**") == "一、总体情况"
    assert normalise_line("## 二、主动公开政府信息情况") == "二、主动公开政府信息情况"
    assert normalise_line("共**3**件") == "共3件"
    assert normalise_line("2*3*4") == "2*3*4"
    text = "2023年XX县人民政府政府信息公开工作年度报告\n**一、总体情况**\n无。\n### 五、存在的主要问题及改进情况\n无。"
    assert [s.key for s in parse_text(text).sections] == ["overview", "problems"]


def test_disclosure_row_labels_with_notes_in_brackets() -> None:
    """A 2020 report (2019 template) whose row labels carry the filling notes in brackets."""
    text = "\n".join([
        "二、主动公开政府信息情况",
        "第二十条第(一)项 | |||||",
        "信息内容 | 本年新 制作数量 | 本年新 公开数量 | 对外公开总数量 | ||",
        "规章(设区的市、自治州人民政府应提供相关数据) | 0 | 1 | 3 | ||",
        "规范性文件(行政机关制定发布的决定、公告、通告、意见、通知,一般情况下属于规范性文件) | 2 | 2 | 19 | ||",
        "其他主动公开文件(除规范性文件以外的主动公开文件) | 186 | 86 | 255 | ||",
        "第二十条第(五)项 | |||||",
        "信息内容 | 上一年项目数量(指2019年事项数) | 本年增/减(减用负值表示,如-8) | 处理决定数量(指2020年办件量) | ||",
        "行政许可 | 8 | -5 | 93 | ||",
        "其他对外管理服务事项(含行政确认、行政奖励、行政处罚、行政强制) | 117 | 0 | 165 | ||",
    ])  # fmt: skip
    blocks = parse_text(text).canonical()["tables"]["disclosure"]
    assert blocks["art20_1"] == {
        "rules": {"made": 0, "published": 1, "published_total": 3},
        "normative_docs": {"made": 2, "published": 2, "published_total": 19},
    }
    assert blocks["art20_5"] == {
        "licensing": {"prev_items": 8, "change": -5, "decisions": 93},
        "other_services": {"prev_items": 117, "change": 0, "decisions": 165},
    }
