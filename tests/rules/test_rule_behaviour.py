"""Behaviour of single rules on factory reports: blanks, subtotals, types, shapes, units, and the prose
readers' precision (statements that must *not* be read as counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.rules.conftest import FIXTURES
from tests.rules.factories import build, clean_spec
from worker.parse.models import Report
from worker.rules import run_checks
from worker.rules.support.headings import stray_headings
from worker.rules.support.statements import Statement, read_statements


def rules_of(report: Report) -> list[str]:
    return sorted(f.rule for f in run_checks(report))


def with_apps(**rows: list[int | None]) -> Report:
    spec = clean_spec()
    spec.apps.update(rows)
    return build(spec)


def test_blank_total_with_parts_is_total_blank_and_no_sum_error() -> None:
    report = with_apps(granted=[10, 2, 0, 0, 0, 0, None])
    found = run_checks(report)
    assert [(f.rule, f.expected) for f in found] == [("T3_TOTAL_BLANK", 12)]


def test_a_blank_grand_total_is_summed_from_its_rows_only_when_they_were_read_with_certainty() -> None:
    # （七）总计·社会公益组织 blank: T3_BALANCE counts it as the sum of the outcome rows. One of them read
    # ambiguously with 156 in that column (a misplaced cell of degraded text) must not make a balance error.
    spec = clean_spec(ambiguous=("rejected_duplicate",))
    spec.apps.update(total=[21, 4, 1, None, 1, 0, 28], rejected_duplicate=[0, 0, 1, 156, 0, 0, 157])
    assert "T3_BALANCE" not in rules_of(build(spec))
    certain = clean_spec()  # the same numbers read with certainty: the imbalance is real
    certain.apps.update(total=[21, 4, 1, None, 1, 0, 28], rejected_duplicate=[0, 0, 1, 156, 0, 0, 157])
    balance = [f for f in run_checks(build(certain)) if f.rule == "T3_BALANCE"]
    assert [(f.expected, f.actual) for f in balance] == [(1, 157)]


def test_blank_total_of_zero_parts_is_just_a_blank_cell() -> None:
    found = run_checks(with_apps(withheld_secret=[0, 0, 0, 0, 0, 0, None]))
    assert [(f.rule, f.location.row if f.location else None) for f in found] == [
        ("BLANK_CELL", "withheld_secret")
    ]


def test_blank_part_counts_as_zero_and_is_reported() -> None:
    found = run_checks(with_apps(partial=[3, None, 0, 0, 0, 0, 4]))
    # 部分公开·商业企业 blank = 0: the row total and the 商业企业 column no longer add up
    assert sorted((f.rule, f.expected, f.actual) for f in found if f.rule != "BLANK_CELL") == [
        ("T3_COL_TOTAL", 3, 4),
        ("T3_RESULT_SUM", 3, 4),
    ]
    assert [f.rule for f in found].count("BLANK_CELL") == 1


def test_subtotal_rows_are_not_counted_twice() -> None:
    report = with_apps(subtotal_withheld=[3, 0, 0, 0, 0, 0, 3], subtotal_rejected=[1, 0, 1, 1, 0, 0, 3])
    assert rules_of(report) == []


def test_a_group_given_only_as_subtotal_counts_once() -> None:
    spec = clean_spec()
    for row in [r for r in spec.apps if r.startswith("withheld_")]:
        del spec.apps[row]
    spec.apps["subtotal_withheld"] = [3, 0, 0, 0, 0, 0, 3]
    spec.template = "unknown"  # a hand-made table: no template row list to compare with
    assert rules_of(build(spec)) == []


def test_negative_fraction_and_text_are_not_counts_but_a_signed_change_is() -> None:
    spec = clean_spec(template="2019", year=2020)
    spec.raws[("art20_6", "penalty", "decisions")] = "若干"
    spec.raws[("art20_6", "coercion", "decisions")] = "-1"
    spec.raws[("art20_1", "normative_docs", "made")] = "2.5"
    found = [f for f in run_checks(build(spec)) if f.rule == "NUM_TYPE"]
    assert sorted(str(f.actual) for f in found) == ["-1", "2.5", "若干"]
    assert build(spec).cell("disclosure.art20_8", "fees", "change").value == -1  # type: ignore[union-attr]


def test_a_missing_row_of_a_known_template_is_a_cell_count_error() -> None:
    spec = clean_spec()
    del spec.apps["other_misc"]
    found = [f for f in run_checks(build(spec)) if f.rule == "STRUCT_CELL_COUNT"]
    assert [(f.location.row if f.location else None, f.actual) for f in found] == [("other_misc", 0)]


def test_fee_in_yuan_typed_into_the_wan_column() -> None:
    township = build(
        clean_spec(disclosure={**clean_spec().disclosure, "art20_8": {"fees": {"amount_wan": 15000}}})
    )
    assert [f.rule for f in run_checks(township)] == ["UNIT_FEE"]
    department = clean_spec(organ_level="county_department")
    department.disclosure["art20_8"]["fees"]["amount_wan"] = 15000
    assert rules_of(build(department)) == []


def test_old_label_only_matters_under_the_2021_template() -> None:
    assert rules_of(build(clean_spec(labels={"normative_docs": "规范性文件"}))) == ["FMT_LABEL_MIXED"]
    old = clean_spec(
        template="2019", year=2020, published=dt.date(2021, 1, 10), labels={"normative_docs": "规范性文件"}
    )
    assert rules_of(build(old)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年共收到政府信息公开申请12件，予以公开5件。", [("new", 12, None), ("granted", 5, None)]),
        ("收到政府信息公开申请三件。", [("new", 3, None)]),
        ("全年共收到依申请公开事项 0 件。", [("new", 0, None)]),
        ("2023年度我镇未收到信息公开申请。", [("new", 0, None)]),
        ("被申请行政复议2件，提起行政诉讼1件。", [("review", 2, None), ("litigation", 1, None)]),
        ("行政复议和行政诉讼各0件。", [("review", 0, None), ("litigation", 0, None)]),
        ("行政复议、行政诉讼共3件。", [("review+litigation", 3, None)]),
        ("本年度无行政复议、行政诉讼。", [("review", 0, None), ("litigation", 0, None)]),
        (
            "未发生因政府信息公开工作引起的行政复议、行政诉讼案件。",
            [("review", 0, None), ("litigation", 0, None)],
        ),
        ("收到申请10余件。", [("new", 10, "at_least")]),
        ("无法提供3件，不予处理1件。", [("unavailable", 3, None), ("rejected", 1, None)]),
        # precision first: none of these is a count of the table
        ("收到约10件政府信息公开申请。", []),
        ("未收到申请人补正材料。", []),
        ("收到信访投诉类申请5件。", []),
        ("收到上年结转申请2件。", []),
        ("共收到政府信息公开申请5件（其中上年结转1件）。", []),
        ("除上述情况外，未收到其他政府信息公开申请。", []),
        ("本年度未收到公民、法人或其他组织提出的政府信息公开申请。", [("new", 0, None)]),
        ("尚未审结的行政复议1件。", []),
        ("未发生行政复议被纠错的情况。", []),
        ("主动予以公开政府信息120件。", []),
        ("四、政府信息公开行政复议、行政诉讼情况", []),
    ],
)
def test_statements_read_from_prose(text: str, expected: list[tuple[str, int, str | None]]) -> None:
    got = [(s.target, s.value, s.vague) for s in read_statements(text)]
    assert got == expected


# Sentences of published reports, verbatim (the first two were misread: a false TXT_TABLE_MISMATCH each).
REAL_PROSE = [
    # 湛江市人民政府地方志办公室 2023: a licensing application is not a disclosure application
    (
        "2023年,我办全年未收到行政许可申请;全年未接到信息公开申请;各栏目共刊发文稿、通知、公告、公示等44篇。",
        [("new", 0, None)],
    ),
    # 上海市普陀区 2022 (half-year statistics): 81 is 予以公开 and 部分公开 together
    (
        "2022年上半年,全区各行政机关共受理政府信息公开申请267件,答复263件,申请量比2021年同期上升1.52%。"
        "其中同意公开或部分公开共81件,公开率为30.80%。",
        [("new", 267, None)],
    ),
    # read as before
    ("2022年,全区各职能部门、镇街共收到政府信息依申请公开1499件。", [("new", 1499, None)]),
    ("(二)依申请公开政府信息情况。2022年未收到依申请公开政府信息申请。", [("new", 0, None)]),
    ("2019年度街道受理信息公开申请0件。", [("new", 0, None)]),
    ("本年度收到要求公开政府信息的申请7件,其中1件属行政执法案卷信息,6件申请人主动撤件。", [("new", 7, None)]),
    (
        "全年共收到依申请公开申请15件,其中网络申请1件,信函申请14件;答复完毕15件。答复后被行政复议9件,全部维持;"
        "诉讼1件,未审结。",
        [("new", 15, None), ("review", 9, None)],
    ),
    (
        "2022年我镇全年共收到依申请公开0件,公开0件,不予公开0件,因政府信息依申请公开引起行政复议0件,行政诉讼0件",
        [("new", 0, None), ("withheld", 0, None), ("review", 0, None), ("litigation", 0, None)],
    ),
    (
        "2020年驼峰路街道办未发生因政府信息公开申请提起的行政复议和行政诉讼案件。",
        [("review", 0, None), ("litigation", 0, None)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), REAL_PROSE)
def test_statements_read_from_real_prose(text: str, expected: list[tuple[str, int, str | None]]) -> None:
    assert [(s.target, s.value, s.vague) for s in read_statements(text)] == expected


def _overview(line: str) -> Report:
    spec = clean_spec()
    spec.overview = [*spec.overview[:2], line, *spec.overview[3:]]
    return build(spec)


def test_no_applications_stated_but_table_has_some_is_an_exact_conflict() -> None:
    found = [
        f
        for f in run_checks(_overview("（二）依申请公开情况。本年度未收到政府信息公开申请。"))
        if f.rule == "TXT_TABLE_MISMATCH"
    ]
    assert [(f.severity.value, f.expected, f.actual) for f in found] == [("error", 0, 26)]
    assert "表三“一、本年新收申请数量·总计”为 26" in found[0].message


def test_at_least_statement_below_the_table_is_fine() -> None:
    assert [f.rule for f in run_checks(_overview("（二）依申请公开情况。全年收到申请20余件。"))] == []


@pytest.mark.parametrize(
    ("sentence", "fires"),
    [
        ("全年主动公开政府信息120条，其中机构职能类20条，政策文件类30条，其他类60条。", True),
        ("全年主动公开政府信息120条，其中机构职能类100条，政策文件类30条。", True),  # parts exceed
        ("全年主动公开政府信息120条，其中机构职能类20条，政策文件类30条。", False),  # partial list
        ("全年发布信息120条，其中政府网站发布100条，微信公众号发布80条。", False),  # channels overlap
        ("共发布信息300余条，其中政策类200条，其他类150条。", False),  # vague total
        (
            "全年主动公开政府信息120条，其中机构职能类20条（其中人事信息5条），政策文件类30条，其他类70条。",
            False,
        ),
        # published reports, verbatim: by channel (719 > 671, one item on several channels); parts add up
        (
            "全年主动公开政府信息671条,其中网站主动公开信息65条(公告公示3条),“上城普法”微信497条,“上城普法君”抖音157条。",
            False,
        ),
        (
            "2018年,共制作政府信息3021条,其中主动公开信息1027条,依申请公开信息459条,不予公开信息1535条。",
            False,
        ),
        # these two were false findings: a part in 期 among 条 (平利县 2024); a 其中 inside brackets (淳安县 2024)
        (
            "2024年,充分利用政务公开第一平台,在县政府网站累计公开各类政府信息共计2698条,其中:工作动态1201条、"
            "通知公告251条、政策解读44条、人事信息45条、征集调查16期、其他类信息1141条。",
            False,
        ),
        (
            "2024年,共收到依申请公开件32件,办结31件,新发生行政复议案件2件(其中1件为2023年信息公开件),"
            "结果维持1件、被纠错1件;新发生行政诉讼案件1件,未审结1件。",
            False,
        ),
    ],
)
def test_internal_sum(sentence: str, fires: bool) -> None:
    spec = clean_spec()
    spec.overview = [spec.overview[0], "（一）主动公开情况。" + sentence, *spec.overview[2:]]
    assert ("TXT_INTERNAL_SUM" in rules_of(build(spec))) is fires


@pytest.mark.parametrize(
    ("plan", "fires"),
    [
        ("在2023年度的工作中我镇将从以下几方面着手。", True),
        ("下一步，2023年计划完善制度。", True),
        ("2023年南山镇坚持不断完善平台建设将政府信息公开工作推进好。", False),  # looks back
        ("2024年，我镇将进一步加强业务培训。", False),
        ("2023年已完成培训，2024年将继续加强。", False),  # names the next year too
        ("按照2023年工作计划，拟定了信息发布制度。", False),  # 计划/拟 as nouns, looking back
    ],
)
def test_forward_plan(plan: str, fires: bool) -> None:
    spec = clean_spec(problems=["（一）存在的主要问题。公开内容不够丰富。", "（二）改进情况。" + plan])
    assert ("YEAR_FORWARD_PLAN" in rules_of(build(spec))) is fires


def test_statement_is_frozen() -> None:
    statement = Statement("new", 1, None, "x")
    with pytest.raises(AttributeError):
        statement.value = 2  # type: ignore[misc]


def test_mixed_template_names_the_old_part() -> None:
    report = build(clean_spec())
    report.template = "mixed"
    report.template_parts = {"disclosure": "2019", "applications": "2021"}
    found = [f for f in run_checks(report) if f.rule.startswith("FMT_")]
    old = next(f for f in found if f.rule == "FMT_OLD_USED")
    assert "二、主动公开仍为2019年版格式" in old.message and old.actual == "mixed"
    # a 2019-style 二 must then have its 第二十条第（九）项 too
    assert [f.rule for f in found] == ["FMT_2019_INCOMPLETE", "FMT_OLD_USED"]


def test_reviews_blank_total_with_parts_is_a_blank_cell_giving_the_sum() -> None:
    spec = clean_spec()
    spec.reviews[4] = None
    found = run_checks(build(spec))
    assert [(f.rule, f.location.row if f.location else None) for f in found] == [("BLANK_CELL", "review")]
    assert "按各项之和应为 3" in found[0].message


def test_a_misplaced_section_is_out_of_order_not_missing(parse_text: Callable[..., Report]) -> None:
    text = (FIXTURES / "STRUCT_SECTION_ORDER" / "bad.txt").read_text(encoding="utf-8")
    found = run_checks(parse_text(text))
    assert [f.rule for f in found] == ["STRUCT_SECTION_ORDER"]


def test_sub_headings_reusing_numerals_are_not_sections(
    seeds_dir: Path, parse_text: Callable[..., Report]
) -> None:
    """Seed 004 reuses 一、..五、 inside 一; none of them may count as a misplaced section."""
    text = next(seeds_dir.glob("004_*.txt")).read_text(encoding="utf-8")
    assert stray_headings(parse_text(text)) == []


def test_procurement_in_wan_that_is_really_yuan() -> None:
    spec = clean_spec(template="2019", year=2020, published=dt.date(2021, 1, 10))
    spec.raws[("art20_9", "procurement", "amount")] = "438754万元"
    found = [f for f in run_checks(build(spec)) if f.rule == "UNIT_PROCUREMENT"]
    assert [(f.actual, "数额异常偏大" in f.message) for f in found] == [(438754, True)]
    spec.raws[("art20_9", "procurement", "amount")] = "438754元"
    assert rules_of(build(spec)) == []
