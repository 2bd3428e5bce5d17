"""Unit tests of metadata (title, period, date, issuing body), template combination and Chinese locations."""

from __future__ import annotations

import datetime as dt

import pytest

from worker.parse import parse_text
from worker.parse.labels import describe_location_zh
from worker.parse.meta import find_organ, find_period_year, find_title, parse_date_line, split_admin
from worker.parse.models import Location
from worker.parse.template import combine, part_template


def test_title_split_over_two_lines_is_joined() -> None:
    assert find_title(["南口镇2020年政府信息公开工作", "", "年度报告", "一、总体情况"], 3) == (
        "南口镇2020年政府信息公开工作年度报告", 1, 2020)  # fmt: skip


def test_a_preamble_citing_the_template_is_not_a_title() -> None:
    line = "根据《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）要求，编制本报告。"
    assert find_title([line], 1) is None


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("统计时限为2023年1月1日起至2023年12月31日止", 2023),
        ("内容涵盖 2024 年 1 月 1 日至 2024 年 12 月 31 日期间", 2024),
        ("本报告统计期限为2022年度", 2022),
        ("没有期限", None),
    ],  # fmt: skip
)
def test_period_year(text: str, year: int | None) -> None:
    assert find_period_year(text) == year


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("2024年1月23日", dt.date(2024, 1, 23)),
        ("二〇二四年一月二十三日", dt.date(2024, 1, 23)),
        ("2024-02-05", dt.date(2024, 2, 5)),
        ("2024年2月30日", None),
        ("石门镇人民政府", None),
    ],  # fmt: skip
)
def test_date_lines(line: str, date: dt.date | None) -> None:
    assert parse_date_line(line) == date


def test_split_admin() -> None:
    assert split_admin("福建省三明市将乐县南口镇人民政府") == ["福建省", "三明市", "将乐县", "南口镇"]
    assert split_admin("泽州县南村街道办事处") == ["泽州县", "南村街道"]
    assert split_admin("将乐县住房和城乡建设局") == ["将乐县", "住房和城乡建设局"]
    assert split_admin("将乐县市场监督管理局") == ["将乐县", "市场监督管理局"]


def test_organ_path_grows_from_the_text_and_tells_same_named_towns_apart() -> None:
    a = "南口镇2023年政府信息公开工作年度报告\n如有疑问，请与将乐县南口镇人民政府联系（地址：将乐县南口镇松岭村）。"
    b = "南口镇2020年政府信息公开工作年度报告\n严格按照区政府统一部署。"
    organ_a, path_a, level_a = find_organ(a, "南口镇2023年政府信息公开工作年度报告", a.split("\n"), None)
    organ_b, path_b, _ = find_organ(b, "南口镇2020年政府信息公开工作年度报告", b.split("\n"), None)
    assert (organ_a, path_a, level_a) == ("将乐县南口镇人民政府", ["将乐县", "南口镇"], "township")
    assert path_b == ["南口镇"] and organ_b == "南口镇"
    assert "/".join(path_a) != "/".join(path_b)


def test_signature_gives_organ_and_date_and_year_falls_back_to_the_period() -> None:
    text = "根据条例，统计期限为2023年1月1日起至2023年12月31日止。\n一、总体情况\n无。\n\n将乐县教育局\n2024年1月20日\n"
    report = parse_text(text)
    assert (report.organ, report.organ_level, report.published, report.published_line) == (
        "将乐县教育局", "county_department", dt.date(2024, 1, 20), 6)  # fmt: skip
    assert (report.title, report.title_year, report.period_year, report.year) == (None, None, 2023, 2023)


def test_template_parts_combine() -> None:
    assert part_template({"2021": 3, "2019": 0}) == "2021"
    assert part_template({"2021": 0, "2019": 0}) == "unknown"
    assert part_template({"2021": 1, "2019": 1}) == "mixed"
    assert combine({"disclosure": "2019", "applications": "2021"}) == "mixed"
    assert combine({"disclosure": "2019", "applications": "unknown"}) == "2019"
    assert combine({"disclosure": "unknown", "applications": "unknown"}) == "unknown"


def test_describe_location_zh_is_clerk_readable() -> None:
    loc = Location(table="applications", row="total", col="natural_person", line=362)
    assert describe_location_zh(loc) == "三、收到和处理政府信息公开申请情况表 （七）总计·自然人（第 362 行）"
    loc = Location(table="applications", row="withheld_secret", col="total", line=5, page=2)
    assert (
        describe_location_zh(loc)
        == "三、收到和处理政府信息公开申请情况表 （三）不予公开1.属于国家秘密·总计（第 2 页，第 5 行）"
    )
    loc = Location(table="disclosure.art20_1", row="normative_docs", col="in_force")
    assert (
        describe_location_zh(loc)
        == "二、主动公开政府信息情况表 第二十条第（一）项 行政规范性文件·现行有效件数"
    )
    assert (
        describe_location_zh(Location(section="problems", line=3))
        == "五、存在的主要问题及改进情况（第 3 行）"
    )
    assert describe_location_zh(Location()) == "（位置不详）"


def test_title_with_the_year_first_names_the_organ_before_the_topic() -> None:
    report = parse_text("2023年将乐县人民政府信息公开工作年度报告\n一、总体情况\n无。")
    assert (report.organ, report.organ_path, report.organ_level) == (
        "将乐县人民政府",
        ["将乐县"],
        "county_government",
    )


def test_signature_and_date_on_one_line() -> None:
    report = parse_text("一、总体情况\n无。\n六、其他需要报告的事项\n无。\n石门镇人民政府 2024年1月23日")
    assert (report.organ, report.published) == ("石门镇人民政府", dt.date(2024, 1, 23))


def test_numbered_heading_run_into_its_first_sentence() -> None:
    report = parse_text(
        "一、总体情况。2023年，本镇认真贯彻落实《条例》，不断加强组织领导，全面推进政务公开工作，取得良好成效。"
    )
    assert [(s.key, s.line, s.title) for s in report.sections] == [("overview", 1, "一、总体情况")]


def test_title_of_a_department_with_guanyu() -> None:
    report = parse_text("将乐县人民政府办公室关于2023年政府信息公开工作年度报告\n一、总体情况\n无。")
    assert (report.organ, report.organ_path, report.organ_level) == (
        "将乐县人民政府办公室", ["将乐县", "人民政府办公室"], "county_department")  # fmt: skip


def test_a_title_without_organ_names_none_and_the_signature_decides() -> None:
    report = parse_text("2023年政府信息公开工作年度报告\n一、总体情况\n无。\n\n石门镇人民政府\n2024年1月23日")
    assert (report.title_year, report.organ) == (2023, "石门镇人民政府")


def test_title_year_in_chinese_numerals() -> None:
    report = parse_text("石门镇二〇二三年政府信息公开工作年度报告\n一、总体情况\n无。")
    assert (report.title_year, report.year, report.organ) == (2023, 2023, "石门镇")
