"""A canonical report dict laid out like the official templates: paragraphs and merged-cell tables.

``layout(report)`` turns a canonical dict (``Report.canonical()`` shape: organ, year, template, tables)
into blocks that every renderer in ``render_formats`` draws the same way: ``Para(text)`` and
``Table(rows)`` whose cells carry ``colspan``/``rowspan`` exactly as the 2021 / 2019 national templates
merge them. ``random_report(rng)`` makes a small random canonical dict when the parser's
``tests/utils/gen.py`` model is more than a test needs. Keys come from ``gen.py``, labels from
``render_text.py``: the tests keep one copy of the template's wording.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tests.utils.gen import APP_COLS, APP_ROWS, REVIEW_COLS, REVIEW_ROWS
from tests.utils.gen import DISCLOSURE as DISCLOSURE_KEYS
from tests.utils.render_text import (
    ANCHORS,
    APP_LABELS,
    HEADINGS,
    ORGANISATION_HEADERS,
    REVIEW_COL_LABELS,
    col_label,
    row_label,
)

# The keys come from gen.py and the labels from render_text.py (the tests' one copy of the template's wording).
APPLICANT_COLS = list(APP_COLS)
SECTION_TITLES = [HEADINGS[no][0] for no in range(1, 7)]


def _disclosure_blocks(template: str) -> list[tuple[str, str, list[str], list[tuple[str, str]], list[str]]]:
    """(block, heading, column labels, [(row key, row label)], [column keys]) of 二 for a template."""
    return [
        (
            block,
            f"第二十条第（{ANCHORS[block]}）项",
            [col_label(c, template) for c in spec["cols"]],
            [(row, row_label(row, template)) for row in spec["rows"]],
            list(spec["cols"]),
        )
        for block, spec in DISCLOSURE_KEYS[template].items()
    ]


def _sub_rows(prefix: str, template: str) -> list[tuple[str, str]]:
    """The numbered sub-rows of one outcome group of 三 ("withheld_" -> 1.属于国家秘密 …): (key, label)."""
    return [(key, APP_LABELS[key][-1]) for key in APP_ROWS[template] if key.startswith(prefix)]


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
    for block, heading, col_labels, row_defs, col_keys in _disclosure_blocks(template):
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
        [Cell(t, header=True) for t in ORGANISATION_HEADERS],
        [Cell(APP_LABELS["new"][0], colspan=3), *values("new")],
        [Cell(APP_LABELS["carried_over"][0], colspan=3), *values("carried_over")],
    ]
    outcome: list[list[Cell]] = [[Cell(APP_LABELS[key][-1], colspan=2), *values(key)] for key in ("granted", "partial")]
    for prefix in ("withheld_", "unavailable_", "rejected_", "other_"):
        subs = _sub_rows(prefix, template)
        for i, (key, sub) in enumerate(subs):
            first = [Cell(APP_LABELS[subs[0][0]][1], rowspan=len(subs))] if i == 0 else []
            outcome.append([*first, Cell(sub), *values(key)])
    if template == "2019":
        outcome.append([Cell(APP_LABELS["other"][-1], colspan=2), *values("other")])
    outcome.append([Cell(APP_LABELS["total"][-1], colspan=2), *values("total")])
    outcome[0].insert(0, Cell(APP_LABELS["granted"][0], rowspan=len(outcome)))
    rows += outcome
    rows.append([Cell(APP_LABELS["carried_forward"][0], colspan=3), *values("carried_forward")])
    return Table(rows, widths=[1.2, 1.6, 3.4] + [1] * 7)


def _reviews(report: dict[str, Any]) -> Table:
    data = report["tables"]["reviews"]
    rows = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [*(Cell(t, rowspan=2, header=True) for t in REVIEW_COL_LABELS), Cell("未经复议直接起诉", colspan=5, header=True),
         Cell("复议后起诉", colspan=5, header=True)],
        [Cell(t, header=True) for t in REVIEW_COL_LABELS * 2],
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
    for block, spec in DISCLOSURE_KEYS[template].items():
        disclosure[block] = {key: {c: n() for c in spec["cols"]} for key in spec["rows"]}
    if template == "2021":
        disclosure["art20_8"]["fees"]["amount_wan"] = rng.choice([None, 0, round(rng.uniform(0, 500), 2)])
    else:
        disclosure["art20_9"]["procurement"]["amount"] = round(rng.uniform(0, 900), 1)
    app_rows = APP_ROWS[template]
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
