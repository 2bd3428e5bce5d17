"""Unit tests of recognition: sections by keywords and order, raw rows and cell taking, table readers."""

from __future__ import annotations

import pytest

from worker.errors import ParseError
from worker.extract.base import Extracted, SourceLine
from worker.parse import parse_extracted, parse_text
from worker.parse.rows import items_of, raw_rows, take_cells
from worker.parse.sections import classify_heading, find_sections
from worker.parse.tables import parse_applications, parse_disclosure, parse_reviews, resolve_application_label
from worker.parse.tokens import tokenize_text


def test_heading_needs_matching_numeral_and_keywords() -> None:
    assert classify_heading("二、主动公开政府信息的情况")[0].key == "disclosure"
    assert classify_heading("四、因政府信息公开工作被申请行政复议和提起行政诉讼情况")[0].key == "reviews"
    assert classify_heading("五、政府信息公开工作存在的主要问题及改进情况")[0].key == "problems"
    assert classify_heading("其他需要报告的事项") == (classify_heading("六、其他需要报告的事项")[0], False)
    assert classify_heading("二、依申请公开情况") is None  # seed 004: a sub-heading inside 一
    assert classify_heading("五、政府信息公开监督保障及教育培训情况") is None
    assert classify_heading("四、结转下年度继续办理") is None
    assert classify_heading("（一）主动公开情况") is None


def test_parenthesised_top_level_numerals_count_when_number_and_keywords_agree() -> None:
    assert classify_heading("（三）收到和处理政府信息公开申请情况")[0].key == "applications"
    assert classify_heading("（一）主动公开情况") is None
    text = "\n".join(["一、总体情况", "（二）主动公开政府信息情况", "x", "二、主动公开政府信息情况", "y"])
    assert [(h.no, h.line) for h in find_sections(tokenize_text(text))] == [(1, 1), (2, 4)]


def test_sections_are_found_in_order_not_by_numeral() -> None:
    text = "\n".join(
        [
            "一、总体情况",
            "一、主动公开情况",
            "二、依申请公开情况",
            "二、主动公开政府信息情况",
            "x",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项",
        ]  # fmt: skip
    )
    hits = find_sections(tokenize_text(text))
    assert [(h.no, h.line) for h in hits] == [(1, 1), (2, 4), (3, 6), (4, 7), (5, 8), (6, 9)]


def test_take_cells_trims_merged_blanks_of_seed_002_rows() -> None:
    [row] = raw_rows(items_of(tokenize_text("一、本年新收政府信息公开申请数量\t\t1\t2\t3\t4\t5\t6\t21\t")))
    taken = take_cells(row, 7)
    assert [c.value.value for c in taken.cells] == [1, 2, 3, 4, 5, 6, 21]
    assert taken.count == 7


def test_take_cells_keeps_a_blank_total_and_leaves_the_next_rows_leading_blank() -> None:
    text = "\n".join(["\t(一)予以公开", *[f"\t{i}" for i in range(1, 7)], "\t", "", "\t", "\t(二)部分公开"])
    rows = raw_rows(items_of(tokenize_text(text)))
    taken = take_cells(rows[0], 7)
    assert [c.value.value for c in taken.cells] == [1, 2, 3, 4, 5, 6, None]
    assert taken.count == 7


def test_take_cells_counts_a_sixteenth_cell() -> None:
    text = "总计\t\n" + "\t".join(str(i) for i in range(16))
    [row] = raw_rows(items_of(tokenize_text(text)))
    taken = take_cells(row, 15)
    assert taken.count == 16
    assert [c.value.value for c in taken.cells] == list(range(15))


def test_label_resolution_takes_the_last_known_label() -> None:
    assert resolve_application_label("(三)不予公开1.属于国家秘密")[0].key == "withheld_secret"
    assert resolve_application_label("三、本年度办理结果(一)予以公开")[0].key == "granted"
    assert resolve_application_label("(六)其他处理3.其他")[0].key == "other_misc"
    assert resolve_application_label(
        "2.申请人逾期未按照收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    )[0].key == ("other_unpaid_fee")
    assert resolve_application_label("(五)不予处理")[0].is_group


def _apps(text: str):  # type: ignore[no-untyped-def]
    return parse_applications(tokenize_text(text))


def test_group_label_printed_after_its_first_sub_row_label() -> None:
    assert resolve_application_label("1.属于国家秘密(三)不予公开")[0].key == "withheld_secret"
    assert resolve_application_label("(一)予以公开三、本年度办理结果")[0].key == "granted"
    assert resolve_application_label("8.属于行政查询事项(四)无法提供")[0].key == "unavailable"


def test_subtotal_row_of_a_group_goes_in_its_subtotal_key() -> None:
    res = _apps("(三)不予公开\t3\t0\t0\t0\t0\t0\t3\n(三)不予公开\t1.属于国家秘密\t3\t0\t0\t0\t0\t0\t3")
    assert res.grid["subtotal_withheld"]["total"]["value"] == 3
    assert res.grid["withheld_secret"]["natural_person"]["value"] == 3


def test_2019_other_is_a_data_row_and_2021_other_a_subtotal() -> None:
    assert "other" in _apps("(六)其他处理\t1\t0\t0\t0\t0\t0\t1").grid
    res = _apps("(六)其他处理\t1\t0\t0\t0\t0\t0\t1\n3.其他\t1\t0\t0\t0\t0\t0\t1")
    assert set(res.grid) == {"subtotal_other", "other_misc"}
    assert res.grid["subtotal_other"]["total"]["location"]["row"] == "subtotal_other"
    assert res.scores["2021"] > 0 and res.scores["2019"] == 0


def test_an_empty_2021_group_row_is_not_a_subtotal() -> None:
    res = _apps("(六)其他处理\t\t\t\t\t\t\t\n3.其他\t1\t0\t0\t0\t0\t0\t1")
    assert set(res.grid) == {"other_misc"}


def test_label_split_across_two_rows_is_one_row() -> None:
    values = [f"\t{v}" for v in (1, 0, 0, 0, 0, 0, 1)]
    res = _apps("\n".join(["\t(四)", "\t1.本机关不掌握相关", *values, " \t无法提供", "\t政府信息", *values]))
    assert list(res.grid) == ["unavailable_not_held"]
    assert res.rows["applications.unavailable_not_held"].cell_count == 7
    assert res.rows["applications.unavailable_not_held"].label == "1.本机关不掌握相关政府信息"
    assert [w.code for w in res.warnings] == ["label_joined"]


def test_disclosure_block_columns_come_from_the_header() -> None:
    text = "第二十条第(五)项\t\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t12\t+3\t40\n其他对外管理\n服务事项\t1\t-1\t2"
    res = parse_disclosure(tokenize_text(text))
    assert {k: v["value"] for k, v in res.blocks["art20_5"]["licensing"].items()} == {
        "prev_items": 12, "change": 3, "decisions": 40}  # fmt: skip
    assert res.blocks["art20_5"]["other_services"]["change"]["value"] == -1
    assert res.scores["2019"] > res.scores["2021"]


def test_a_merged_column_label_printed_in_each_grid_cell_is_one_column() -> None:
    text = "第二十条第(五)项\t\t\t\n信息内容\t本年处理决定数量\t本年处理决定数量\t本年处理决定数量\n行政许可\t12\t\t"
    res = parse_disclosure(tokenize_text(text))
    assert {k: v["value"] for k, v in res.blocks["art20_5"]["licensing"].items()} == {"decisions": 12}


def test_blocks_without_column_labels_take_the_template_of_the_region() -> None:
    text = "第二十条第(一)项\n规章\t1\t2\t3\n第二十条第(五)项\n其他对外管理服务事项\t4\t+1\t5"
    res = parse_disclosure(tokenize_text(text))
    assert set(res.blocks["art20_1"]["rules"]) == {"made", "published", "published_total"}
    assert res.blocks["art20_5"]["other_services"]["change"]["value"] == 1


def test_reviews_take_15_cells_blanks_included() -> None:
    text = "行政复议\n结果维持 结果纠正 其他结果 尚未审结 总计\n" + "\t".join(["1"] * 14 + [""])
    res = parse_reviews(tokenize_text(text))
    assert res.grid["litigation_after_review"]["total"]["value"] is None
    assert res.grid["review"]["upheld"]["value"] == 1
    assert res.rows["reviews.review"].cell_count == 15


def test_reviews_printed_as_three_tables_of_five() -> None:
    text = "\n".join(
        [
            "行政复议",
            "结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
            "1\t2\t3\t4\t10",
            "行政诉讼(未经复议直接起诉)",
            "结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
            "0\t1\t0\t0\t1",
            "行政诉讼(复议后起诉)",
            "结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
            "0\t0\t0\t2\t2",
        ]  # fmt: skip
    )
    res = parse_reviews(tokenize_text(text))
    assert [res.grid[r]["total"]["value"] for r in ("review", "litigation_direct", "litigation_after_review")] == [
        10, 1, 2]  # fmt: skip
    assert res.rows["reviews.review"].cell_count == 15


def test_real_table_rows_from_an_extractor_are_read() -> None:
    lines = [SourceLine(text="三、收到和处理政府信息公开申请情况")]
    lines.append(
        SourceLine(
            text="", cells=["三、本年度办理结果", "(一)予以公开", "5", "1", "0", "0", "0", "0", "6"], page=3
        )
    )
    lines.append(SourceLine(text="", cells=["", "(七)总计", "5", "1", "0", "0", "0", "0", "6"], page=3))
    report = parse_extracted(Extracted(kind="docx", lines=lines))
    cell = report.tables.applications["granted"]["total"]
    assert (cell.value, cell.location.page, cell.location.line) == (6, 3, 2)
    assert report.tables.applications["total"]["natural_person"].value == 5


def test_grid_rows_with_blanks_are_read_at_the_columns_of_the_other_rows() -> None:
    """A merged 3-column label then a blank last value: the blanks alone cannot tell; the grid can."""
    rows = [
        ["一、本年新收政府信息公开申请数量", "", "", "1", "2", "3", "4", "5", "6", "21"],
        ["二、上年结转政府信息公开申请数量", "", "", "1", "0", "0", "0", "0", "0", ""],
    ]
    report = parse_extracted(Extracted(kind="docx", lines=[SourceLine(text="", cells=r) for r in rows]))
    carried = report.tables.applications["carried_over"]
    assert [c.value for c in carried.values()] == [1, 0, 0, 0, 0, 0, None]


def test_disclosure_values_sit_under_their_column_labels() -> None:
    text = "第二十条第(八)项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t\n行政事业性收费\t\t2\t"
    res = parse_disclosure(tokenize_text(text))
    assert {k: v["value"] for k, v in res.blocks["art20_8"]["fees"].items()} == {
        "prev_items": None,
        "change": 2,
    }


def test_a_heading_printed_as_a_one_cell_table_row_is_a_section() -> None:
    lines = [
        SourceLine(text="一、总体情况"),
        SourceLine(text="x", cells=["三、收到和处理政府信息公开申请情况", "", ""], spans=[3, 0, 0]),
    ]
    report = parse_extracted(Extracted(kind="docx", lines=lines))
    assert [(s.key, s.line) for s in report.sections] == [("overview", 1), ("applications", 2)]


def test_rows_the_template_has_but_the_report_lacks_are_named() -> None:
    report = parse_text(
        "三、收到和处理政府信息公开申请情况\n(七)总计\t1\t0\t0\t0\t0\t0\t1\n3.其他\t0\t0\t0\t0\t0\t0\t0"
    )
    [warning] = [w for w in report.warnings if w.code == "rows_missing"]
    assert "new" in warning.message and "other_misc" not in warning.message and "total" not in warning.message


def test_text_with_nothing_report_like_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="not an annual report"):
        parse_text("hello world\nnothing to see here")


def test_partial_report_gives_warnings_not_an_error() -> None:
    report = parse_text("一、总体情况\n本年度工作情况良好。")
    codes = {w.code for w in report.warnings}
    assert {"table_missing", "section_missing"} <= codes
    assert report.sections[0].text == "本年度工作情况良好。"
