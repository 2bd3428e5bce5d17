"""Test data for the rule catalogue: consistent reports with non-zero numbers, as ``Report`` objects (no
parser involved) and as text in the seed layout (tab-separated rows, as in seeds 002/004).

``clean_spec()`` is a report every rule passes: a 2021-template township report for 2023 whose tables add up
in every direction. Tests change one thing and expect exactly the matching finding.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tests.utils.gen import APP_COLS, REVIEW_COLS, REVIEW_ROWS
from worker.parse.certainty import table_reads
from worker.parse.models import Cell, Location, Report, RowInfo, Section, Tables

# 三, 2021 template: row -> 7 values (six applicant columns, total). Every column balances:
# new + carried_over = total + carried_forward, total = sum of outcomes, row total = sum of applicants.
APPS_2021: dict[str, list[int | None]] = {
    "new": [20, 3, 1, 1, 1, 0, 26],
    "carried_over": [2, 1, 0, 0, 0, 0, 3],
    "granted": [10, 2, 0, 0, 0, 0, 12],
    "partial": [3, 1, 0, 0, 0, 0, 4],
    "withheld_secret": [0, 0, 0, 0, 0, 0, 0],
    "withheld_law": [1, 0, 0, 0, 0, 0, 1],
    "withheld_security": [0, 0, 0, 0, 0, 0, 0],
    "withheld_third_party": [1, 0, 0, 0, 0, 0, 1],
    "withheld_internal": [0, 0, 0, 0, 0, 0, 0],
    "withheld_process": [1, 0, 0, 0, 0, 0, 1],
    "withheld_enforcement": [0, 0, 0, 0, 0, 0, 0],
    "withheld_inquiry": [0, 0, 0, 0, 0, 0, 0],
    "unavailable_not_held": [2, 1, 0, 0, 0, 0, 3],
    "unavailable_needs_creation": [0, 0, 0, 0, 0, 0, 0],
    "unavailable_unclear": [1, 0, 0, 0, 0, 0, 1],
    "rejected_petition": [1, 0, 0, 0, 0, 0, 1],
    "rejected_duplicate": [0, 0, 1, 0, 0, 0, 1],
    "rejected_publication": [0, 0, 0, 0, 0, 0, 0],
    "rejected_excessive": [0, 0, 0, 0, 0, 0, 0],
    "rejected_confirmation": [0, 0, 0, 1, 0, 0, 1],
    "other_no_correction": [1, 0, 0, 0, 1, 0, 2],
    "other_unpaid_fee": [0, 0, 0, 0, 0, 0, 0],
    "other_misc": [0, 0, 0, 0, 0, 0, 0],
    "total": [21, 4, 1, 1, 1, 0, 28],
    "carried_forward": [1, 0, 0, 0, 0, 0, 1],
}
# 四: 行政复议 (维持, 纠正, 其他, 尚未审结, 总计), 未经复议直接起诉 (…), 复议后起诉 (…)
REVIEWS: list[int | None] = [1, 1, 0, 1, 3, 1, 0, 0, 1, 2, 0, 0, 0, 1, 1]

DISCLOSURE_2021: dict[str, dict[str, dict[str, int | float | None]]] = {
    "art20_1": {"rules": {"issued": 0, "repealed": 0, "in_force": 0},
                "normative_docs": {"issued": 2, "repealed": 1, "in_force": 10}},
    "art20_5": {"licensing": {"decisions": 35}},
    "art20_6": {"penalty": {"decisions": 4}, "coercion": {"decisions": 1}},
    "art20_8": {"fees": {"amount_wan": 1.5}},
}  # fmt: skip
DISCLOSURE_2019: dict[str, dict[str, dict[str, int | float | None]]] = {
    "art20_1": {"rules": {"made": 0, "published": 0, "published_total": 0},
                "normative_docs": {"made": 2, "published": 2, "published_total": 10}},
    "art20_5": {"licensing": {"prev_items": 12, "change": 1, "decisions": 35},
                "other_services": {"prev_items": 3, "change": 0, "decisions": 6}},
    "art20_6": {"penalty": {"prev_items": 5, "change": 0, "decisions": 4},
                "coercion": {"prev_items": 1, "change": 0, "decisions": 1}},
    "art20_8": {"fees": {"prev_items": 2, "change": -1}},
    "art20_9": {"procurement": {"items": 3, "amount": 12.5}},
}  # fmt: skip

OVERVIEW = [
    "{year}年，南山镇认真贯彻《中华人民共和国政府信息公开条例》，扎实推进政务公开工作。",
    "（一）主动公开情况。全年主动公开政府信息120条，其中机构职能类20条，政策文件类30条，其他类70条。",
    "（二）依申请公开情况。全年共收到政府信息公开申请26件，予以公开12件。",
    "（三）政府信息管理。建立信息发布审核制度，及时更新政府信息公开指南和目录。",
    "（四）政府信息公开平台建设。依托县政府门户网站信息公开专栏发布信息。",
    "（五）监督保障。将政务公开工作纳入年度考核，因政府信息公开工作被申请行政复议3件，提起行政诉讼3件。",
]
PROBLEMS = [
    "（一）存在的主要问题。一是公开内容不够丰富；二是工作人员业务水平有待提高。",
    "（二）改进情况。{next_year}年，我镇将进一步加强业务培训，丰富公开内容。",
]
OTHER = ["本年度未收取信息处理费。"]


@dataclass
class Spec:
    """Everything a test report consists of; ``render`` and ``build`` read it."""

    year: int = 2023
    organ: str = "南山镇人民政府"
    place: str = "示例县"
    title: str | None = "{organ}{year}年政府信息公开工作年度报告"
    template: str = "2021"
    apps: dict[str, list[int | None]] = field(default_factory=lambda: copy.deepcopy(APPS_2021))
    reviews: list[int | None] = field(default_factory=lambda: list(REVIEWS))
    disclosure: dict[str, dict[str, dict[str, int | float | None]]] = field(
        default_factory=lambda: copy.deepcopy(DISCLOSURE_2021)
    )
    overview: list[str] = field(default_factory=lambda: list(OVERVIEW))
    problems: list[str] = field(default_factory=lambda: list(PROBLEMS))
    other: list[str] = field(default_factory=lambda: list(OTHER))
    published: dt.date | None = dt.date(2024, 1, 20)
    ambiguous: tuple[str, ...] = ()  # 三 rows whose digits ran together with more than one split
    organ_level: str = "township"
    sections: tuple[str, ...] = ("overview", "disclosure", "applications", "reviews", "problems", "other")
    period_year: int | None = None  # statistics-period year when it differs from ``year``
    labels: dict[str, str] = field(
        default_factory=dict
    )  # printed row labels of 二, e.g. {"normative_docs": "规范性文件"}
    # printed text of particular cells, e.g. {("art20_8", "fees", "amount_wan"): "15000元"}
    raws: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        return text.format(year=self.year, next_year=self.year + 1, prev_year=self.year - 1, organ=self.organ)


def clean_spec(**changes: Any) -> Spec:
    spec = Spec(**changes)
    if spec.template == "2019" and "disclosure" not in changes:
        spec.disclosure = copy.deepcopy(DISCLOSURE_2019)
        spec.raws.setdefault(("art20_9", "procurement", "amount"), "12.5万元")
    if spec.template == "2019" and "apps" not in changes:
        apps = {k: v for k, v in spec.apps.items() if not k.startswith("other_")}
        rows = list(apps)
        other = [
            a + b + c
            for a, b, c in zip(
                *(APPS_2021[k] for k in ("other_no_correction", "other_unpaid_fee", "other_misc")),
                strict=True,
            )
        ]  # type: ignore[operator]
        apps = {k: apps[k] for k in rows[: rows.index("total")]} | {
            "other": other,
            "total": apps["total"],
            "carried_forward": apps["carried_forward"],
        }
        spec.apps = apps
    return spec


# ---------------------------------------------------------------------------------------------------------
# Report objects (no parser)
# ---------------------------------------------------------------------------------------------------------

SECTION_NO = {"overview": 1, "disclosure": 2, "applications": 3, "reviews": 4, "problems": 5, "other": 6}


def read_raw(raw: str) -> int | float | None:
    """What a correct parser reads from a printed cell: "3.5" -> 3.5, "15000元" -> 15000, "/" or "若干" -> None."""
    text = raw.strip().removesuffix("万元").removesuffix("元").replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." not in text else number


def _cell(value: int | float | None, table: str, row: str, col: str, raw: str | None = None) -> Cell:
    if raw is not None:
        value = read_raw(raw)
    text = raw if raw is not None else ("" if value is None else str(value))
    return Cell(
        value=value, raw=text, location=Location(table=table, row=row, col=col, section=table.split(".")[0])
    )


def build(spec: Spec) -> Report:
    """A ``Report`` as a correct parser would give for ``render(spec)`` (line numbers left out)."""
    tables = Tables()
    for block, rows in spec.disclosure.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                raw = spec.raws.get((block, row, col))
                cell = _cell(value, f"disclosure.{block}", row, col, raw)
                if raw and raw.endswith("元"):
                    cell.unit = "万元" if raw.endswith("万元") else "元"
                tables.disclosure.setdefault(block, {}).setdefault(row, {})[col] = cell
    for row, values in spec.apps.items():
        tables.applications[row] = {
            c: _cell(v, "applications", row, c) for c, v in zip(APP_COLS, values, strict=False)
        }
    for i, value in enumerate(spec.reviews[:15]):
        row, col = REVIEW_ROWS[i // 5], REVIEW_COLS[i % 5]
        tables.reviews.setdefault(row, {})[col] = _cell(value, "reviews", row, col)
    rows = {f"applications.{r}": RowInfo(label=r, cell_count=len(v)) for r, v in spec.apps.items()}
    rows["reviews.review"] = RowInfo(label="0", cell_count=len(spec.reviews))
    for block, brows in spec.disclosure.items():
        for row, cols in brows.items():
            rows[f"disclosure.{block}.{row}"] = RowInfo(label=spec.labels.get(row, row), cell_count=len(cols))
    for row in spec.ambiguous:  # read as the parser reads a row it could not split with certainty
        rows[f"applications.{row}"].certainty = "ambiguous"
        for cell in tables.applications[row].values():
            cell.certainty = "ambiguous"
    texts = {"overview": spec.overview, "problems": spec.problems, "other": spec.other}
    sections = [
        Section(
            no=SECTION_NO[key],
            key=key,
            title=key,
            line=10 * (i + 1),
            text="\n".join(spec.fill(t) for t in texts.get(key, [])),
        )
        for i, key in enumerate(spec.sections)
    ]
    title = spec.fill(spec.title) if spec.title else None
    return Report(
        source="factory",
        organ=spec.organ,
        organ_path=[spec.place, spec.organ],
        organ_level=spec.organ_level,  # type: ignore[arg-type]
        year=spec.year,
        title=title,
        title_year=spec.year if title else None,
        period_year=spec.period_year or spec.year,
        published=spec.published,
        template=spec.template,  # type: ignore[arg-type]
        template_parts={"disclosure": spec.template, "applications": spec.template},  # type: ignore[dict-item]
        sections=sections,
        tables=tables,
        rows=rows,
        table_reads=table_reads(rows),
    )


def clean_report(**changes: Any) -> Report:
    return build(clean_spec(**changes))
