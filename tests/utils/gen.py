"""Random canonical report dicts (report-format.md section 5), for round-trip properties and fixtures.

``random_report(rng)`` builds the model; ``tests/utils/render_text.py`` renders it in any layout; parsing the
rendered text must give back every cell. ``reports()`` is the hypothesis strategy over the same generator.
The model uses the canonical keys only, so the formats work can render the same models to docx/html/pdf.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from hypothesis import strategies as st

APP_COLS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")
APP_ROWS_HEAD = (
    "new",
    "carried_over",
    "granted",
    "partial",
    "withheld_secret",
    "withheld_law",
    "withheld_security",
    "withheld_third_party",
    "withheld_internal",
    "withheld_process",
    "withheld_enforcement",
    "withheld_inquiry",
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear",
    "rejected_petition",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirmation",
)
APP_ROWS = {
    "2021": (
        *APP_ROWS_HEAD,
        "other_no_correction",
        "other_unpaid_fee",
        "other_misc",
        "total",
        "carried_forward",
    ),
    "2019": (*APP_ROWS_HEAD, "other", "total", "carried_forward"),
}
REVIEW_ROWS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")

DISCLOSURE = {
    "2021": {
        "art20_1": {"rows": ("rules", "normative_docs"), "cols": ("issued", "repealed", "in_force")},
        "art20_5": {"rows": ("licensing",), "cols": ("decisions",)},
        "art20_6": {"rows": ("penalty", "coercion"), "cols": ("decisions",)},
        "art20_8": {"rows": ("fees",), "cols": ("amount_wan",)},
    },
    "2019": {
        "art20_1": {"rows": ("rules", "normative_docs"), "cols": ("made", "published", "published_total")},
        "art20_5": {"rows": ("licensing", "other_services"), "cols": ("prev_items", "change", "decisions")},
        "art20_6": {"rows": ("penalty", "coercion"), "cols": ("prev_items", "change", "decisions")},
        "art20_8": {"rows": ("fees",), "cols": ("prev_items", "change")},
        "art20_9": {"rows": ("procurement",), "cols": ("items", "amount")},
    },
}
DECIMAL_COLS = {"amount_wan", "amount"}
SIGNED_COLS = {"change"}

_UNIT_NAMES = ("南平", "东山", "青溪", "石岭", "白水", "龙泉", "安远", "清河", "永宁", "长乐", "黄岩", "金城")
_PROVINCES = ("福建省", "山西省", "陕西省", "河南省", "江西省", "湖南省")


def _count(rng: random.Random, blank_rate: float) -> int | None:
    if rng.random() < blank_rate:
        return None
    roll = rng.random()
    if roll < 0.25:
        return 0
    if roll < 0.9:
        return rng.randint(1, 60)
    return rng.randint(61, 25000)


def _value(rng: random.Random, col: str, blank_rate: float) -> int | float | None:
    if col in DECIMAL_COLS:
        if rng.random() < blank_rate:
            return None
        if rng.random() < 0.3:
            return rng.randint(0, 500)
        return round(rng.uniform(0, 9999), rng.choice((1, 2)))
    if col in SIGNED_COLS:
        if rng.random() < blank_rate:
            return None
        return rng.randint(-20, 20)
    return _count(rng, blank_rate)


def random_organ(rng: random.Random) -> dict[str, Any]:
    """An issuing body: a township or a county-level department, with its administrative path."""
    province = rng.choice(_PROVINCES)
    city, county, town = rng.sample(_UNIT_NAMES, 3)
    if rng.random() < 0.7:
        path = [province, city + "市", county + "县", town + "镇"]
        return {"organ": "".join(path) + "人民政府", "organ_path": path, "organ_level": "township"}
    kind = rng.choice(("教育局", "民政局", "财政局", "交通运输局", "街道"))
    if kind == "街道":  # a street office of a district: "…XX区人民政府XX街道办事处"
        path = [province, city + "市", county + "区", town + "街道"]
        organ = f"{province}{city}市{county}区人民政府{town}街道办事处"
        return {"organ": organ, "organ_path": path, "organ_level": "township"}
    path = [province, city + "市", county + "县", kind]
    return {"organ": "".join(path), "organ_path": path, "organ_level": "county_department"}


def random_report(
    rng: random.Random, *, template: str | None = None, blank_rate: float | None = None
) -> dict[str, Any]:
    """A canonical report dict with random non-negative numbers and random blanks (``None``)."""
    template = template or rng.choice(("2021", "2019"))
    blank_rate = rng.choice((0.0, 0.0, 0.05, 0.2)) if blank_rate is None else blank_rate
    year = rng.randint(2021, 2024) if template == "2021" else rng.randint(2019, 2020)
    disclosure = {
        block: {row: {col: _value(rng, col, blank_rate) for col in spec["cols"]} for row in spec["rows"]}
        for block, spec in DISCLOSURE[template].items()
    }
    applications = {row: {col: _count(rng, blank_rate) for col in APP_COLS} for row in APP_ROWS[template]}
    reviews = {row: {col: _count(rng, blank_rate) for col in REVIEW_COLS} for row in REVIEW_ROWS}
    organ = random_organ(rng)
    month, day = rng.randint(1, 3), rng.randint(1, 28)
    return {
        "organ": organ["organ"],
        "year": year,
        "template": template,
        "sections": [],
        "tables": {"disclosure": disclosure, "applications": applications, "reviews": reviews},
        "meta": {
            "organ_path": organ["organ_path"],
            "organ_level": organ["organ_level"],
            "title": None,
            "title_year": year,
            "period_year": year,
            "published": f"{year + 1}-{month:02d}-{day:02d}",
            "template_parts": {"disclosure": template, "applications": template},
        },
    }


def reports(template: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Hypothesis strategy of canonical report dicts."""
    return st.randoms(use_true_random=False).map(lambda r: random_report(r, template=template))


_RESULT_ROWS_SKIP = ("new", "carried_over", "total", "carried_forward")


def consistent(canonical: dict[str, Any]) -> dict[str, Any]:
    """The canonical dict with 三 and 四 made to add up (no blanks in them)."""
    out = copy.deepcopy(canonical)
    apps = out["tables"]["applications"]
    for row in apps.values():
        for c in APP_COLS[:-1]:
            row[c] = row[c] or 0
        row["total"] = sum(row[c] for c in APP_COLS[:-1])
    results = [r for r in apps if r not in _RESULT_ROWS_SKIP]
    for c in APP_COLS:
        apps["total"][c] = sum(apps[r][c] for r in results)
    for c in APP_COLS[:-1]:
        apps["new"][c] = apps["total"][c] + apps["carried_forward"][c] - apps["carried_over"][c]
        if apps["new"][c] < 0:  # keep every count non-negative: carry more over from last year instead
            apps["carried_over"][c] = apps["total"][c] + apps["carried_forward"][c]
            apps["new"][c] = 0
    for r in ("new", "carried_over"):
        apps[r]["total"] = sum(apps[r][c] for c in APP_COLS[:-1])
    for row in out["tables"]["reviews"].values():
        for c in REVIEW_COLS[:-1]:
            row[c] = row[c] or 0
        row["total"] = sum(row[c] for c in REVIEW_COLS[:-1])
    return out
