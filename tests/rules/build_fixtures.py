"""Write tests/rules/fixtures/<RULE_ID>/{good,bad,expected}.txt (and prev.txt for cross-year rules).

Run ``python -m tests.rules.build_fixtures`` after changing a case; the files are committed and read by
test_fixtures.py through the real parser. Each case states by hand what its bad file must yield
(``RULE_ID:line:message fragment``), locating the line by the text it points at.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.rules.factories import APPS_2021, DISCLOSURE_2021, OVERVIEW, PROBLEMS, REVIEWS, Spec, clean_spec
from tests.rules.render import line_of, render

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Case:
    rule: str
    bad: Spec
    expected: Callable[[str], list[tuple[int | None, str]]]  # bad text -> (line, fragment)
    good: Spec | None = None
    prev: Spec | None = None
    degrade: Callable[[str], str] | None = None  # applied to the rendered bad and good texts


def run_together(row: str) -> Callable[[str], str]:
    """A text edit: the cells of the 三 row labelled ``row`` printed with their separators lost."""

    def edit(text: str) -> str:
        out = []
        for line in text.split("\n"):
            cells = line.split("\t")
            if row in cells:
                at = cells.index(row) + 1
                line = "\t".join([*cells[:at], "".join(cells[at:])])
            out.append(line)
        return "\n".join(out)

    return edit


def apps(**rows: list[int | None]) -> dict[str, list[int | None]]:
    out = copy.deepcopy(APPS_2021)
    out.update(rows)
    return out


def reviews(**cells: int | None) -> list[int | None]:
    names = [
        f"{g}_{c}"
        for g in ("review", "direct", "after")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    out = list(REVIEWS)
    for name, value in cells.items():
        out[names.index(name)] = value
    return out


def spec_2019(**changes: object) -> Spec:
    return clean_spec(template="2019", year=2020, published=dt.date(2021, 1, 15), **changes)  # type: ignore[arg-type]


PREV_OVERVIEW = [
    "{year}年，南山镇围绕优化营商环境，推动政务公开向基层延伸。",
    "（一）主动公开情况。主动公开政府信息95条。",
    "（二）依申请公开情况。全年共收到政府信息公开申请28件。",
    "（三）政府信息管理。对历史文件开展清理，统一文件编号规则。",
    "（四）政府信息公开平台建设。开设便民服务专栏，更新办事指南。",
    "（五）监督保障。开展专项检查一次，发现并整改问题四个。",
]
PREV_PROBLEMS = [
    "（一）存在的主要问题。个别站所信息报送不及时。",
    "（二）改进情况。{next_year}年将建立信息报送通报制度。",
]
PREV_APPS = apps(new=[21, 4, 1, 1, 1, 0, 28], carried_forward=[2, 1, 0, 0, 0, 0, 3])
PREV_DISCLOSURE = copy.deepcopy(DISCLOSURE_2021)
PREV_DISCLOSURE["art20_1"]["normative_docs"] = {"issued": 1, "repealed": 0, "in_force": 9}
PREV = clean_spec(year=2022, published=dt.date(2023, 1, 18), overview=PREV_OVERVIEW, problems=PREV_PROBLEMS,
                  apps=PREV_APPS, disclosure=PREV_DISCLOSURE)  # fmt: skip
DUP_GOOD_DISCLOSURE = copy.deepcopy(DISCLOSURE_2021)
DUP_GOOD_DISCLOSURE["art20_1"]["normative_docs"] = {"issued": 2, "repealed": 1, "in_force": 11}


# Real sentences that were misread (published reports, numbers set to this table: 12 予以公开 + 4 部分公开):
# "全年未收到行政许可申请" (an application of another kind, 湛江市地方志办公室 2023) and "其中同意公开或部分公开共
# 81件" (two outcomes together, 上海市普陀区 2022).
REAL_PROSE_OVERVIEW = [
    OVERVIEW[0] + "全年未收到行政许可申请；各栏目共刊发文稿、通知、公告、公示等44篇。",
    OVERVIEW[1],
    "（二）依申请公开情况。全年共受理政府信息公开申请26件，答复26件。其中同意公开或部分公开共16件，公开率为61.54%。",
    *OVERVIEW[3:],
]

# Real lists of parts that add up (平利县 2024: one part counted in 期; 淳安县人民政府办公室 2024: a 其中 inside
# brackets, then the outcomes of the same cases), numbers of the second set to this table.
REAL_PARTS_OVERVIEW = [
    OVERVIEW[0],
    "（一）主动公开情况。在县政府网站累计公开各类政府信息共计2698条,其中:工作动态1201条、通知公告251条、"
    "政策解读44条、人事信息45条、征集调查16期、其他类信息1141条。",
    "（二）依申请公开情况。共收到依申请公开件26件,办结25件,新发生行政复议案件3件(其中1件为2022年信息公开件),"
    "结果维持1件、被纠错1件、尚未审结1件;新发生行政诉讼案件3件,未审结1件。",
    *OVERVIEW[3:],
]


# a report that prints its own numbers on the group rows （三）..（六） (the parser's subtotal_* rows)
ALL_SUBTOTALS = apps(
    subtotal_withheld=[3, 0, 0, 0, 0, 0, 3],
    subtotal_unavailable=[3, 1, 0, 0, 0, 0, 4],
    subtotal_rejected=[1, 0, 1, 1, 0, 0, 3],
    subtotal_other=[1, 0, 0, 0, 1, 0, 2],
)


def _cf(text: str) -> int:
    return line_of(text, "四、结转下年度继续办理")


CASES = [
    Case("T3_BALANCE", clean_spec(apps=apps(carried_forward=[2, 0, 0, 0, 0, 0, 2])),
         lambda t: [(_cf(t), "自然人列：一（本年新收）加二（上年结转）为 22，（七）总计加四（结转下年度继续办理）为 23"),
                    (_cf(t), "总计列：一（本年新收）加二（上年结转）为 29")]),
    Case("T3_RESULT_SUM", clean_spec(apps=apps(granted=[11, 2, 0, 0, 0, 0, 13])),
         lambda t: [(line_of(t, "（七）总计"), "（七）总计·自然人 应为 22（各项办理结果之和），报告填写 21"),
                    (line_of(t, "（七）总计"), "（七）总计·总计 应为 29")]),
    Case("T3_COL_TOTAL", clean_spec(apps=apps(partial=[3, 1, 0, 0, 0, 0, 5])),
         lambda t: [(line_of(t, "（二）部分公开"), "（二）部分公开·总计 应为 4（六类申请人之和），报告填写 5")]),
    Case("T3_SUBTOTAL",
         clean_spec(apps={**ALL_SUBTOTALS, "subtotal_withheld": [4, 0, 0, 0, 0, 0, 4]}),
         lambda t: [(line_of(t, "（三）不予公开"), "（三）不予公开（小计）·自然人 应为 3（其下各项之和），报告填写 4"),
                    (line_of(t, "（三）不予公开"), "（三）不予公开（小计）·总计 应为 3")],
         good=clean_spec(apps=ALL_SUBTOTALS)),
    Case("T3_TOTAL_BLANK", clean_spec(apps=apps(granted=[10, 2, 0, 0, 0, 0, None])),
         lambda t: [(line_of(t, "（一）予以公开"), "（一）予以公开·总计 未填写，按各项之和应为 12")]),
    Case("T4_REVIEW_TOTAL", clean_spec(reviews=reviews(review_total=2)),
         lambda t: [(line_of(t, "1\t1\t0\t1\t2"), "行政复议·总计 应为 3（结果维持、结果纠正、其他结果、尚未审结之和），报告填写 2")]),
    Case("T4_DIRECT_TOTAL", clean_spec(reviews=reviews(direct_total=3)),
         lambda t: [(line_of(t, "1\t1\t0\t1\t3\t1"), "行政诉讼·未经复议直接起诉·总计 应为 2")]),
    Case("T4_AFTER_REVIEW_TOTAL", clean_spec(reviews=reviews(after_total=0)),
         lambda t: [(line_of(t, "1\t1\t0\t1\t3\t1"), "行政诉讼·复议后起诉·总计 应为 1")]),
    Case("NUM_TYPE", clean_spec(raws={("art20_5", "licensing", "decisions"): "3.5"}),
         lambda t: [(line_of(t, "行政许可"), "第二十条第（五）项·行政许可·处理决定数量 填写为 3.5，应为整数")]),
    Case("BLANK_CELL", clean_spec(raws={("art20_8", "fees", "amount_wan"): "", ("art20_6", "coercion", "decisions"): "/"}),
         lambda t: [(line_of(t, "行政强制"), "第二十条第（六）项·行政强制·处理决定数量 为“/”，按 0 计算"),
                    (line_of(t, "行政事业性收费"), "第二十条第（八）项·行政事业性收费·本年收费金额（万元） 为空白")]),
    Case("STRUCT_SECTION_MISSING",
         clean_spec(sections=("overview", "disclosure", "applications", "reviews", "problems")),
         lambda t: [(None, "报告缺少“六、其他需要报告的事项”部分")]),
    Case("STRUCT_SECTION_ORDER",
         clean_spec(sections=("overview", "disclosure", "applications", "problems", "reviews", "other")),
         lambda t: [(line_of(t, "四、政府信息公开行政复议"), "“四、政府信息公开行政复议、行政诉讼情况”")]),
    Case("STRUCT_TABLE_MISSING", clean_spec(reviews=[]),
         lambda t: [(line_of(t, "四、政府信息公开行政复议"), "未找到“四、行政复议、行政诉讼情况表”或表中没有任何数字")]),
    Case("STRUCT_CELL_COUNT",
         clean_spec(reviews=[*REVIEWS, 0], apps=apps(total=[21, 4, 1, 1, 1, 0, 28, 5])),
         lambda t: [(line_of(t, "（七）总计"), "三、申请情况表“（七）总计”行有 8 个单元格，应为 7 个"),
                    (line_of(t, "1\t1\t0\t1\t3\t1"), "数据行有 16 个数字，应为 15 个")]),
    Case("FMT_OLD_USED", clean_spec(template="2019", year=2023, published=dt.date(2024, 1, 15)),
         lambda t: [(line_of(t, "二、主动公开政府信息情况"), "2023年度报告应使用2021年版格式")]),
    Case("FMT_2019_INCOMPLETE",
         spec_2019(disclosure={k: v for k, v in copy.deepcopy(spec_2019().disclosure).items() if k != "art20_9"}),
         lambda t: [(line_of(t, "二、主动公开政府信息情况"), "应包括第二十条第（九）项（政府集中采购）")],
         good=spec_2019()),
    Case("FMT_NEW_TOO_EARLY", clean_spec(year=2020, published=dt.date(2021, 1, 15)),
         lambda t: [(line_of(t, "二、主动公开政府信息情况"), "2020年度报告应使用2019年版格式")],
         good=spec_2019()),
    Case("FMT_LABEL_MIXED", clean_spec(labels={"normative_docs": "规范性文件"}),
         lambda t: [(line_of(t, "规范性文件\t2"), "报告写的是旧版标签“规范性文件”")]),
    Case("TITLE_MISSING", clean_spec(title=None), lambda t: [(1, "报告没有")]),
    Case("YEAR_MISMATCH", clean_spec(period_year=2022), lambda t: [(1, "标题为2023年度报告，但统计期限写的是2022年")]),
    Case("YEAR_FORWARD_PLAN",
         clean_spec(problems=[PROBLEMS[0], "（二）改进情况。2023年，我镇将进一步加强业务培训，丰富公开内容。"]),
         lambda t: [(line_of(t, "（二）改进情况"), "工作计划写的是“2023年”（本报告年度）")]),
    Case("PUB_BEFORE_YEAR_END", clean_spec(published=dt.date(2023, 12, 20)),
         lambda t: [(line_of(t, "2023年12月20日"), "落款日期为2023年12月20日，早于2024年1月1日")]),
    Case("PUB_AFTER_JAN31", clean_spec(published=dt.date(2024, 2, 15)),
         lambda t: [(line_of(t, "2024年2月15日"), "落款日期为2024年2月15日，晚于2024年1月31日")]),
    Case("PUB_AFTER_MAR31", clean_spec(published=dt.date(2024, 4, 8)),
         lambda t: [(line_of(t, "2024年4月8日"), "落款日期为2024年4月8日，晚于2024年3月31日")]),
    Case("SEC1_ASPECTS", clean_spec(overview=OVERVIEW[:4]),
         lambda t: [(line_of(t, "一、总体情况"), "一、总体情况未涉及：政府信息公开平台建设、监督保障")]),
    Case("SEC5_EMPTY", clean_spec(problems=["无。"]),
         lambda t: [(line_of(t, "五、存在的主要问题"), "五、存在的主要问题及改进情况为“无。”")]),
    Case("SEC6_FEE", clean_spec(other=["无。"]),
         lambda t: [(line_of(t, "六、其他需要报告的事项"), "六、其他需要报告的事项未说明信息处理费的收取情况")]),
    Case("TXT_TABLE_MISMATCH",
         clean_spec(overview=[*OVERVIEW[:2], "（二）依申请公开情况。全年共收到政府信息公开申请25件，予以公开15余件。", *OVERVIEW[3:]]),
         lambda t: [(line_of(t, "（二）依申请公开情况"), "写明“收到政府信息公开申请25件”（即 25），但表三“一、本年新收申请数量·总计”为 26"),
                    (line_of(t, "（二）依申请公开情况"), "写明“予以公开15余件”（即 至少 15），但表三“（一）予以公开·总计”为 12")],
         good=clean_spec(overview=REAL_PROSE_OVERVIEW)),
    Case("TXT_INTERNAL_SUM",
         clean_spec(overview=[OVERVIEW[0], "（一）主动公开情况。全年主动公开政府信息120条，其中机构职能类20条，政策文件类30条，其他类60条。", *OVERVIEW[2:]]),
         lambda t: [(line_of(t, "（一）主动公开情况"), "各分项之和为 110条，与所述总数 120条 不符")],
         good=clean_spec(overview=REAL_PARTS_OVERVIEW)),
    Case("UNIT_FEE", clean_spec(raws={("art20_8", "fees", "amount_wan"): "15000元"}),
         lambda t: [(line_of(t, "行政事业性收费"), "本年收费金额应以万元为单位，报告填写“15000元”")]),
    Case("UNIT_PROCUREMENT", spec_2019(raws={("art20_9", "procurement", "amount"): "125000"}),
         lambda t: [(line_of(t, "政府集中采购"), "采购总金额填写为 125000，未注明单位")],
         good=spec_2019()),
    Case("XY_CARRYOVER",
         clean_spec(apps=apps(new=[21, 3, 1, 1, 1, 0, 27], carried_over=[1, 1, 0, 0, 0, 0, 2])),
         lambda t: [(line_of(t, "二、上年结转"), "二、上年结转申请数量·自然人 应为 2（2022年度报告“结转下年度继续办理”数），报告填写 1"),
                    (line_of(t, "二、上年结转"), "二、上年结转申请数量·总计 应为 3")],
         prev=PREV),
    Case("XY_VALID_ROLLFORWARD",
         clean_spec(disclosure={**copy.deepcopy(clean_spec().disclosure),
                                "art20_1": {"rules": {"issued": 0, "repealed": 0, "in_force": 0},
                                            "normative_docs": {"issued": 2, "repealed": 1, "in_force": 12}}}),
         lambda t: [(line_of(t, "行政规范性文件\t2"), "现行有效件数 按上年度 9 件加本年制发 2 件减本年废止 1 件应为 10，报告填写 12")],
         prev=PREV),
    Case("TABLE_UNREADABLE", clean_spec(apps=apps(granted=[10, 1, 0, 0, 0, 0, 11]), ambiguous=("granted",)),
         lambda t: [(line_of(t, "（一）予以公开"), "三、收到和处理政府信息公开申请情况表无法可靠读取：“（一）予以公开”行数字之间缺少分隔"),
],
         degrade=run_together("（一）予以公开")),
    Case("XY_DUPLICATE", clean_spec(),
         lambda t: [(line_of(t, "一、总体情况"), "与2022年度报告的相似度为 100%"), (None, "表三、表四的全部")],
         good=clean_spec(overview=[OVERVIEW[0].replace("扎实推进", "持续深化"), *PREV_OVERVIEW[1:5], OVERVIEW[5]],
                         problems=PREV_PROBLEMS, disclosure=DUP_GOOD_DISCLOSURE,
                         apps=apps(new=[21, 4, 1, 1, 1, 0, 28], carried_over=[1, 0, 0, 0, 0, 0, 1])),
         prev=clean_spec(year=2022, published=dt.date(2023, 1, 18))),
]  # fmt: skip


def write_all() -> None:
    for case in CASES:
        folder = FIXTURES / case.rule
        folder.mkdir(parents=True, exist_ok=True)
        edit = case.degrade or (lambda text: text)
        bad = edit(render(case.bad))
        (folder / "bad.txt").write_text(bad, encoding="utf-8")
        (folder / "good.txt").write_text(edit(render(case.good or clean_spec())), encoding="utf-8")
        lines = [
            f"{case.rule}:{'' if line is None else line}:{fragment}" for line, fragment in case.expected(bad)
        ]
        (folder / "expected.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if case.prev is not None:
            (folder / "prev.txt").write_text(render(case.prev), encoding="utf-8")


if __name__ == "__main__":
    write_all()
