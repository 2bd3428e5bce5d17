"""A canonical report dict laid out like the official templates: paragraphs and merged-cell tables.

``layout(report)`` turns a canonical dict (``Report.canonical()`` shape: organ, year, template, tables)
into blocks that every renderer in ``render_formats`` draws the same way: ``Para(text)`` and
``Table(rows)`` whose cells carry ``colspan``/``rowspan`` exactly as the 2021 / 2019 national templates
merge them. ``random_report(rng)`` makes a small random canonical dict when the parser's
``tests/utils/gen.py`` is not there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

APPLICANT_COLS = ["natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total"]
REVIEW_COLS = ["upheld", "corrected", "other", "pending", "total"]
REVIEW_ROWS = ["review", "litigation_direct", "litigation_after_review"]
REVIEW_COL_ZH = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

# (block, heading, column labels, [(row key, row label)], [column keys]) per template
DISCLOSURE = {
    "2021": [
        ("art20_1", "第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
         [("rules", "规章"), ("normative_docs", "行政规范性文件")], ["issued", "repealed", "in_force"]),
        ("art20_5", "第二十条第（五）项", ["本年处理决定数量"], [("licensing", "行政许可")], ["decisions"]),
        ("art20_6", "第二十条第（六）项", ["本年处理决定数量"],
         [("penalty", "行政处罚"), ("coercion", "行政强制")], ["decisions"]),
        ("art20_8", "第二十条第（八）项", ["本年收费金额（单位：万元）"], [("fees", "行政事业性收费")], ["amount_wan"]),
    ],
    "2019": [
        ("art20_1", "第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
         [("rules", "规章"), ("normative_docs", "规范性文件")], ["made", "published", "published_total"]),
        ("art20_5", "第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
         [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")], ["prev_items", "change", "decisions"]),
        ("art20_6", "第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
         [("penalty", "行政处罚"), ("coercion", "行政强制")], ["prev_items", "change", "decisions"]),
        ("art20_8", "第二十条第（八）项", ["上一年项目数量", "本年增/减"], [("fees", "行政事业性收费")],
         ["prev_items", "change"]),
        ("art20_9", "第二十条第（九）项", ["采购项目数量", "采购总金额"], [("procurement", "政府集中采购")],
         ["items", "amount"]),
    ],
}

# 三 table rows: (key, level-2 group label or None, label); level 1 "三、本年度办理结果" spans the outcome rows
_WITHHELD = [("withheld_secret", "1.属于国家秘密"), ("withheld_law", "2.其他法律行政法规禁止公开"),
             ("withheld_security", "3.危及“三安全一稳定”"), ("withheld_third_party", "4.保护第三方合法权益"),
             ("withheld_internal", "5.属于三类内部事务信息"), ("withheld_process", "6.属于四类过程性信息"),
             ("withheld_enforcement", "7.属于行政执法案卷"), ("withheld_inquiry", "8.属于行政查询事项")]
_UNAVAILABLE = [("unavailable_not_held", "1.本机关不掌握相关政府信息"),
                ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
                ("unavailable_unclear", "3.补正后申请内容仍不明确")]
_REJECTED = [("rejected_petition", "1.信访举报投诉类申请"), ("rejected_duplicate", "2.重复申请"),
             ("rejected_publication", "3.要求提供公开出版物"), ("rejected_excessive", "4.无正当理由大量反复申请"),
             ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息")]
_OTHER_2021 = [("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
               ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
               ("other_misc", "3.其他")]

SECTION_TITLES = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
ORGANS = ["将乐县南口镇人民政府", "泽州县南岭镇人民政府", "临安区教育局", "青田县人力资源和社会保障局", "武夷山市星村镇人民政府"]


@dataclass
class Cell:
    """A table cell as the template draws it."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False


@dataclass
class Table:
    rows: list[list[Cell]]
    widths: list[float] = field(default_factory=list)  # relative column widths


@dataclass
class Para:
    text: str
    heading: int = 0  # 0 body, 1 title, 2 section heading, 3 sub-heading


def fmt(value: Any) -> str:
    """How a canonical value is printed in a cell: None blank, floats without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _disclosure(report: dict[str, Any], template: str) -> Table:
    data = report["tables"]["disclosure"]
    rows: list[list[Cell]] = []
    for block, heading, col_labels, row_defs, col_keys in DISCLOSURE[template]:
        if block not in data:
            continue
        rows.append([Cell(heading, colspan=4, header=True)])
        span = 3 // len(col_labels)
        extra = 3 - span * len(col_labels)
        rows.append([Cell("信息内容", header=True)]
                    + [Cell(lbl, colspan=span + (extra if i == len(col_labels) - 1 else 0), header=True)
                       for i, lbl in enumerate(col_labels)])
        for key, label in row_defs:
            values = data[block].get(key, {})
            rows.append([Cell(label)] + [Cell(fmt(values.get(c)), colspan=span + (extra if i == len(col_keys) - 1 else 0))
                                         for i, c in enumerate(col_keys)])
    return Table(rows, widths=[3, 2, 2, 2])


def _applications(report: dict[str, Any], template: str) -> Table:
    data = report["tables"]["applications"]

    def values(key: str) -> list[Cell]:
        row = data.get(key, {})
        return [Cell(fmt(row.get(c))) for c in APPLICANT_COLS]

    rows: list[list[Cell]] = [
        [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3, header=True),
         Cell("申请人情况", colspan=7, header=True)],
        [Cell("自然人", rowspan=2, header=True), Cell("法人或其他组织", colspan=5, header=True),
         Cell("总计", rowspan=2, header=True)],
        [Cell(t, header=True) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
        [Cell("一、本年新收政府信息公开申请数量", colspan=3), *values("new")],
        [Cell("二、上年结转政府信息公开申请数量", colspan=3), *values("carried_over")],
    ]
    groups: list[tuple[str, list[tuple[str, str]]]] = [("（三）不予公开", _WITHHELD), ("（四）无法提供", _UNAVAILABLE),
                                                       ("（五）不予处理", _REJECTED)]
    outcome: list[list[Cell]] = [[Cell("（一）予以公开", colspan=2), *values("granted")],
                                 [Cell("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2), *values("partial")]]
    for label, subs in groups:
        for i, (key, sub) in enumerate(subs):
            first = [Cell(label, rowspan=len(subs))] if i == 0 else []
            outcome.append([*first, Cell(sub), *values(key)])
    if template == "2019":
        outcome.append([Cell("（六）其他处理", colspan=2), *values("other")])
    else:
        for i, (key, sub) in enumerate(_OTHER_2021):
            first = [Cell("（六）其他处理", rowspan=len(_OTHER_2021))] if i == 0 else []
            outcome.append([*first, Cell(sub), *values(key)])
    outcome.append([Cell("（七）总计", colspan=2), *values("total")])
    outcome[0].insert(0, Cell("三、本年度办理结果", rowspan=len(outcome)))
    rows += outcome
    rows.append([Cell("四、结转下年度继续办理", colspan=3), *values("carried_forward")])
    return Table(rows, widths=[1.2, 1.6, 3.4] + [1] * 7)


def _reviews(report: dict[str, Any]) -> Table:
    data = report["tables"]["reviews"]
    rows = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [*(Cell(t, rowspan=2, header=True) for t in REVIEW_COL_ZH), Cell("未经复议直接起诉", colspan=5, header=True),
         Cell("复议后起诉", colspan=5, header=True)],
        [Cell(t, header=True) for t in REVIEW_COL_ZH * 2],
        [Cell(fmt(data.get(r, {}).get(c))) for r in REVIEW_ROWS for c in REVIEW_COLS],
    ]
    return Table(rows, widths=[1] * 15)


def layout(report: dict[str, Any]) -> list[Para | Table]:
    """The document of a canonical report: title, preamble, six sections with the three tables."""
    organ = report.get("organ") or "某县人民政府"
    year = report.get("year") or 2023
    template = "2019" if report.get("template") == "2019" else "2021"
    ref = "国办公开办函〔2021〕30号" if template == "2021" else "国办公开办函〔2019〕60号"
    blocks: list[Para | Table] = [
        Para(f"{organ}{year}年政府信息公开工作年度报告", heading=1),
        Para(f"本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》（{ref}）"
             f"编制。报告中所列数据的统计期限为{year}年1月1日起至{year}年12月31日止。"),
        Para(SECTION_TITLES[0], heading=2),
        Para("（一）主动公开", heading=3),
        Para(f"{year}年，本机关坚持以公开为常态、不公开为例外，主动公开政府信息。"),
        Para("（二）依申请公开", heading=3),
        Para("严格按照条例规定的程序和时限办理政府信息公开申请。"),
        Para("（三）政府信息管理", heading=3),
        Para("落实信息发布审查制度，动态更新政府信息公开指南。"),
        Para("（四）政府信息公开平台建设", heading=3),
        Para("加强政府网站信息公开专栏建设。"),
        Para("（五）监督保障", heading=3),
        Para("将政务公开纳入年度绩效考核。"),
        Para(SECTION_TITLES[1], heading=2),
        _disclosure(report, template),
        Para(SECTION_TITLES[2], heading=2),
        _applications(report, template),
        Para(SECTION_TITLES[3], heading=2),
        _reviews(report),
        Para(SECTION_TITLES[4], heading=2),
        Para("主要问题：信息公开的及时性有待提高。改进情况：下一年度将完善信息发布机制，加强业务培训。"),
        Para(SECTION_TITLES[5], heading=2),
        Para(f"本机关{year}年度未收取政府信息公开信息处理费。"),
        Para(organ),
        Para(_signed(report, year)),
    ]
    return blocks


def _signed(report: dict[str, Any], year: int) -> str:
    published = (report.get("meta") or {}).get("published")
    if published:
        y, m, d = (int(part) for part in str(published).split("-"))
        return f"{y}年{m}月{d}日"
    return f"{year + 1}年1月20日"


def placements(table: Table) -> list[tuple[int, int, Any]]:
    """Where each source cell is anchored in the grid: ``(row, col, cell)``, merged regions skipped over."""
    width = sum(c.colspan for c in table.rows[0])
    taken = [[False] * width for _ in table.rows]
    out: list[tuple[int, int, Any]] = []
    for r, row in enumerate(table.rows):
        col = 0
        for cell in row:
            while col < width and taken[r][col]:
                col += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[r + dr][col + dc] = True
            out.append((r, col, cell))
            col += cell.colspan
    return out


def grid(table: Table) -> tuple[list[list[str]], list[list[bool]]]:
    """The table resolved to its grid: texts, and whether each grid cell is a horizontal continuation."""
    width = sum(c.colspan for c in table.rows[0])
    texts = [[""] * width for _ in table.rows]
    horiz = [[False] * width for _ in table.rows]
    for r, col, cell in placements(table):
        for dr in range(cell.rowspan):
            for dc in range(1, cell.colspan):
                horiz[r + dr][col + dc] = True
        texts[r][col] = cell.text
    return texts, horiz


def random_report(rng: random.Random, *, template: str = "2021") -> dict[str, Any]:
    """A random canonical report dict (blank cells and decimal fees included)."""

    def n() -> int | None:
        return None if rng.random() < 0.05 else rng.choice([0, 0, rng.randint(0, 9), rng.randint(10, 3000)])

    disclosure: dict[str, Any] = {}
    for block, _h, _labels, row_defs, col_keys in DISCLOSURE[template]:
        disclosure[block] = {key: {c: n() for c in col_keys} for key, _ in row_defs}
    if template == "2021":
        disclosure["art20_8"]["fees"]["amount_wan"] = rng.choice([None, 0, round(rng.uniform(0, 500), 2)])
    else:
        disclosure["art20_9"]["procurement"]["amount"] = round(rng.uniform(0, 900), 1)
    app_rows = ["new", "carried_over", "granted", "partial"] + [k for k, _ in _WITHHELD + _UNAVAILABLE + _REJECTED]
    app_rows += ["other"] if template == "2019" else [k for k, _ in _OTHER_2021]
    app_rows += ["total", "carried_forward"]
    return {
        "organ": rng.choice(ORGANS),
        "year": rng.randint(2021, 2024) if template == "2021" else rng.choice([2019, 2020]),
        "template": template,
        "tables": {
            "disclosure": disclosure,
            "applications": {r: {c: n() for c in APPLICANT_COLS} for r in app_rows},
            "reviews": {r: {c: n() for c in REVIEW_COLS} for r in REVIEW_ROWS},
        },
    }
