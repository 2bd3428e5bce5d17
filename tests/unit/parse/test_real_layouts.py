"""Layouts and wordings seen in real reports of other bodies (issue 3, round 2): one test per quirk."""

from __future__ import annotations

from pathlib import Path

from worker.parse import parse_text, read_report
from worker.parse.rows import items_of, raw_rows
from worker.parse.tokens import tokenize_text


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


def test_breadcrumb_above_the_title_is_not_part_of_it() -> None:
    text = "首页 > 政府信息公开 > 政府信息公开年报\n青山区人民政府临江街道办事处2020年政府信息公开工作年度报告\n一、总体情况\n无。"
    report = parse_text(text)
    assert report.title == "青山区人民政府临江街道办事处2020年政府信息公开工作年度报告"
    assert report.organ == "青山区人民政府临江街道办事处"
    assert report.organ_path == ["青山区", "临江街道"]
    assert report.organ_level == "township"


def test_department_of_a_government_keeps_its_name() -> None:
    from worker.parse.meta import split_admin

    assert split_admin("思明区人民政府中华街道办事处") == ["思明区", "中华街道"]
    assert split_admin("将乐县人民政府办公室") == ["将乐县", "人民政府办公室"]


def test_one_cell_per_line_with_html_pipes() -> None:
    """HTML-to-text output: every cell on its own line, closed ("0 |") or opened ("| 0") by a pipe."""
    rows = [["行政复议", "行政诉讼"], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
            ["1", "2", "0", "", "3", "0", "0", "1", "0", "1", "4", "0", "0", "0", "4"]]  # fmt: skip
    for fmt in ("{} |", "| {}"):
        lines = ["四、政府信息公开行政复议、行政诉讼情况"] + [
            fmt.format(c).strip() for row in rows for c in row
        ]
        grid = parse_text("\n".join(lines)).canonical()["tables"]["reviews"]
        assert grid["review"] == {"upheld": 1, "corrected": 2, "other": 0, "pending": None, "total": 3}
        assert grid["litigation_after_review"] == {
            "upheld": 4,
            "corrected": 0,
            "other": 0,
            "pending": 0,
            "total": 4,
        }


def test_organ_named_only_in_the_preamble() -> None:
    text = "2023年政府信息公开工作年度报告\n本报告由湖南省长沙市岳麓区人民政府办公室根据《条例》要求编制。\n一、总体情况\n无。"
    report = parse_text(text)
    assert report.organ == "湖南省长沙市岳麓区人民政府办公室"
    assert report.organ_path == ["湖南省", "长沙市", "岳麓区", "人民政府办公室"]


def test_one_character_county_name() -> None:
    text = "2023年政府信息公开工作年度报告\n一、总体情况\n无。\n六、其他需要报告的事项\n无。\n泾县教育体育局\n2024年1月16日"
    report = parse_text(text)
    assert (report.organ, report.organ_path, report.organ_level) == (
        "泾县教育体育局",
        ["泾县", "教育体育局"],
        "county_department",
    )


_T3_HEAD = (
    "三、收到和处理政府信息公开申请情况\n"
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n"
    "\t自然人\t法人或其他组织\t\t\t\t\t总计\n"
    "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n"
)
_NEXT = "二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n"


def _t3(body: str) -> dict[str, list[int | None]]:
    grid = parse_text(_T3_HEAD + body).canonical()["tables"]["applications"]
    return {row: list(cells.values()) for row, cells in grid.items()}


def test_application_label_split_inside_its_keyword_over_two_rows() -> None:
    blank = "\t" * 7
    for body in (
        f"一、本年新{blank}\n收政府信息公开申请数量\t5\t1\t0\t0\t0\t0\t6\n{_NEXT}",  # values on the second row
        f"一、本年新\t5\t1\t0\t0\t0\t0\t6\n收政府信息公开申请数量{blank}\n{_NEXT}",  # values on the first row
    ):
        rows = _t3(body)
        assert rows["new"] == [5, 1, 0, 0, 0, 0, 6]
        assert rows["carried_over"] == [1, 0, 0, 0, 0, 0, 1]
    rows = _t3(f"（四）无法提供\t1.本机关不{blank}\n\t掌握相关政府信息\t2\t0\t0\t0\t0\t0\t2\n")
    assert rows == {"unavailable_not_held": [2, 0, 0, 0, 0, 0, 2]}


def test_application_labels_wrapped_below_their_values() -> None:
    """pdftotext -layout: a long label cell wraps; the values print beside its first line."""
    body = "\n".join([
        "  一、本年新收政府信息公开      3     0     0     0     0     0     3",
        "        申请数量",
        "  二、上年结转政府信息公开      1     0     0     0     0     0     1",
        "        申请数量",
        "  三、本年度办理结果 （一      2     0     0     0     0     0     2",
        "        ）予以公开",
        "  （三）不予公开 1.属于      1     0     0     0     0     0     1",
        "        国家秘密",
        "2.其他法律行政法规禁止公开   0   0   0   0   0   0   0",
        "  2.申请人逾期未按收费通      4     0     0     0     0     0     4",
        "        知要求缴纳费用、行政机",
        "        关不再处理其政府信息公开申请",
        "3.其他   0   0   0   0   0   0   0",
    ])  # fmt: skip
    rows = _t3(body)
    assert rows["new"] == [3, 0, 0, 0, 0, 0, 3]
    assert rows["carried_over"] == [1, 0, 0, 0, 0, 0, 1]
    assert rows["granted"] == [2, 0, 0, 0, 0, 0, 2]
    assert rows["withheld_secret"] == [1, 0, 0, 0, 0, 0, 1]
    assert rows["other_unpaid_fee"] == [4, 0, 0, 0, 0, 0, 4]
    assert rows["other_misc"] == [0] * 7
    assert "subtotal_withheld" not in rows


_REVIEWS = [1, 2, 0, None, 3, 0, 1, 0, 1, 2, 4, 0, 0, 0, 4]
_REVIEW_COLS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def _reviews(body: str) -> list[int | None]:
    grid = parse_text("四、政府信息公开行政复议、行政诉讼情况\n" + body).canonical()["tables"]["reviews"]
    rows = ("review", "litigation_direct", "litigation_after_review")
    return [
        grid.get(r, {}).get(c) for r in rows for c in ("upheld", "corrected", "other", "pending", "total")
    ]


def test_reviews_printed_transposed_one_row_per_cell() -> None:
    groups = ("行政复议", "行政诉讼\t未经复议直接起诉", "行政诉讼\t复议后起诉")
    for first_empty in (True, False):
        lines = []
        for i, v in enumerate(_REVIEWS):
            group = groups[i // 5] if i % 5 == 0 else ("" if first_empty else groups[i // 5])
            lines.append(f"{group}\t{_REVIEW_COLS[i % 5]}\t{'' if v is None else v}")
        assert _reviews("\n".join(lines)) == _REVIEWS


def test_tab_row_whose_first_cells_are_empty_keeps_its_values() -> None:
    body = "\n".join([
        "行政复议\t结果维持\t1",
        "\t结果纠正\t2",
        "\t\t其他结果\t0",
    ])  # fmt: skip
    rows = raw_rows(items_of(tokenize_text(body)))
    assert [[c.text for c in r.cells] for r in rows] == [["1"], ["2"], ["0"]]


def test_statistics_period_with_the_year_printed_once() -> None:
    from worker.parse.meta import find_period_year

    assert find_period_year("报告中所列数据统计期限从2023年1月1日到12月31日止。") == 2023
    assert find_period_year("本报告数据统计时限为2022年1月1日至12月31日。") == 2022
    assert find_period_year("统计期限自2021年1月1日起至2021年12月31日止") == 2021


def test_disclosure_blocks_without_anchors_are_told_by_their_rows() -> None:
    text = "\n".join([
        "二、主动公开政府信息情况",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t0\t0\t0",
        "行政规范性文件\t1\t0\t5",
        "信息内容\t本年处理决定数量",
        "行政许可\t30",
        "信息内容\t本年处理决定数量",
        "行政处罚\t12",
        "行政强制\t0",
        "信息内容\t本年收费金额（单位：万元）",
        "行政事业性收费\t1.5",
    ])  # fmt: skip
    report = parse_text(text)
    assert report.canonical()["tables"]["disclosure"] == {
        "art20_1": {"rules": {"issued": 0, "repealed": 0, "in_force": 0},
                    "normative_docs": {"issued": 1, "repealed": 0, "in_force": 5}},
        "art20_5": {"licensing": {"decisions": 30}},
        "art20_6": {"penalty": {"decisions": 12}, "coercion": {"decisions": 0}},
        "art20_8": {"fees": {"amount_wan": 1.5}},
    }  # fmt: skip
    assert report.template_parts["disclosure"] == "2021"


def test_rows_of_an_unknown_block_are_not_moved_to_another_block() -> None:
    text = "二、主动公开政府信息情况\n第二十条第（十）项\n信息内容\t本年处理决定数量\n行政许可\t30"
    assert parse_text(text).canonical()["tables"]["disclosure"] == {}


def test_organ_from_other_preamble_wordings() -> None:
    head = "一、总体情况\n无。\n"
    publishes = "2023年政府信息公开工作年度报告\n根据《条例》要求,岐山县教育体育局现向社会公开《2023年政府信息公开工作年度报告》。\n"
    quoted = (
        "2023年政府信息公开工作年度报告\n根据规定,现发布《盂县教育科技局2023年政府信息公开工作年度报告》。\n"
    )
    assert parse_text(publishes + head).organ_path == ["岐山县", "教育体育局"]
    assert parse_text(quoted + head).organ_path == ["盂县", "教育科技局"]
    assert parse_text("2023年政府信息公开工作年度报告\n根据《条例》要求编制本报告。\n" + head).organ is None


def test_section_heading_wordings_of_other_bodies() -> None:
    from worker.parse.sections import classify_heading

    wordings = {
        "一、总体工作情况": "overview",
        "一、政府信息公开工作总体情况": "overview",
        "一、工作概况": "overview",
        "二、主动公开情况": "disclosure",
        "三、依申请公开政府信息情况": "applications",
        "三、依申请公开情况": "applications",
        "五、工作中存在的不足及改进措施": "problems",
        "五、存在的不足和改进措施": "problems",
        "六、其他需要说明的事项": "other",
    }
    assert {
        t: (classify_heading(t) or (None,))[0] and classify_heading(t)[0].key for t in wordings
    } == wordings
    assert classify_heading("二、依申请公开情况") is None  # seed 004: a sub-heading inside 一
    assert classify_heading("六、其他") is None


def test_disclosure_column_labels_without_benian() -> None:
    text = (
        "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t制发件数\t废止件数\t有效件数\n规章\t1\t2\t3"
    )
    assert parse_text(text).canonical()["tables"]["disclosure"] == {
        "art20_1": {"rules": {"issued": 1, "repealed": 2, "in_force": 3}}
    }


def test_an_address_is_not_the_organ_name() -> None:
    text = (
        "南口镇人民政府2023年政府信息公开工作年度报告\n"
        "如有疑问请联系南口镇党政办(地址:福建省三明市将乐县南口镇南口街1号)。\n一、总体情况\n无。"
    )
    report = parse_text(text)
    assert report.organ == "南口镇人民政府"
    assert report.organ_path == ["福建省", "三明市", "将乐县", "南口镇"]


def test_publication_date_from_the_page_header() -> None:
    body = "\n一、总体情况\n无。\n"
    title = "县教育局2023年政府信息公开工作年度报告\n"
    assert str(parse_text(title + "来源:    时间:2024年01月25日" + body).published) == "2024-01-25"
    assert str(parse_text(title + "日期:2024-01-06 14:56:00 字号:大 中 小" + body).published) == "2024-01-06"
    assert parse_text(title + "统计时间:2023年1月1日至12月31日" + body).published is None
    assert parse_text(title + "截止时间:2023年12月31日" + body).published is None


def test_title_below_a_long_page_header() -> None:
    chrome = [f"网站导航栏目{i}" for i in range(12)]
    text = "\n".join([*chrome, "洪洞县教育科技局", "2023年政府信息公开工作年度报告", "一、总体情况", "无。"])
    report = parse_text(text)
    assert report.title == "洪洞县教育科技局2023年政府信息公开工作年度报告"
    assert report.organ_path == ["洪洞县", "教育科技局"]


def test_html_space_entities_are_spaces() -> None:
    from worker.parse.normalise import normalise_line

    assert normalise_line("规章&nbsp;\t0&nbsp;&nbsp;\t&#160;1") == "规章\t0\t1"
    assert normalise_line("A&amp;nbsp;B") == "A&amp;nbsp;B"  # only the space entities: idempotent


def test_box_drawing_tables_read_as_pipe_tables() -> None:
    text = "\n".join([
        "二、主动公开政府信息情况",
        "┌──────────┬──────┐",
        "│第二十条第（一）项│",
        "├──────┼──────┤",
        "│信息内容│本年制发件数│本年废止件数│现行有效件数│",
        "│规章│1│2│3│",
        "└──────┴──────┘",
    ])  # fmt: skip
    report = parse_text(text)
    assert report.canonical()["tables"]["disclosure"] == {
        "art20_1": {"rules": {"issued": 1, "repealed": 2, "in_force": 3}}
    }
    assert len(report.lines) == 7


def test_sentences_with_spaced_numbers_before_the_tables_are_not_rows() -> None:
    t3 = _t3(
        "本年新收申请 16 件，上年结转 2 件。\n一、本年新收政府信息公开申请数量\t12\t3\t0\t1\t0\t0\t16\n"
        + _NEXT
    )
    assert t3 == {"new": [12, 3, 0, 1, 0, 0, 16], "carried_over": [1, 0, 0, 0, 0, 0, 1]}
    text = "二、主动公开政府信息情况\n本年度共办理行政许可 1,234 件。\n第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t30"
    assert parse_text(text).canonical()["tables"]["disclosure"] == {
        "art20_5": {"licensing": {"decisions": 30}}
    }


def test_reviews_after_a_sentence_with_spaced_numbers() -> None:
    values = "\t".join("" if v is None else str(v) for v in _REVIEWS)
    body = "本年度发生行政复议 3 件，行政诉讼 7 件。\n行政复议\t\t\t\t\t行政诉讼\n" + values
    assert _reviews(body) == _REVIEWS


def test_arabic_numbered_top_level_headings() -> None:
    from worker.parse.sections import classify_heading

    assert classify_heading("1、总体情况")[0].key == "overview"
    assert classify_heading("3.收到和处理政府信息公开申请情况")[0].key == "applications"
    assert classify_heading("1.主动公开情况") is None  # a sub-heading: number and keywords disagree
    assert classify_heading("4.保护第三方合法权益") is None
    text = "1、总体情况\n无。\n2、主动公开政府信息情况\n无。\n5、存在的主要问题及改进情况\n无。"
    assert [s.key for s in parse_text(text).sections] == ["overview", "disclosure", "problems"]
