"""Render a test ``Spec`` as report text in the seed layout (tab-separated rows, as seeds 002 and 004).

Fixtures under tests/rules/fixtures are written with this layout; ``line_of`` finds the line a fixture's
expected finding points at.
"""

from __future__ import annotations

from tests.rules.factories import REVIEWS, Spec
from tests.utils.gen import DISCLOSURE
from tests.utils.render_text import ANCHORS, ORGANISATION_HEADERS, REVIEW_COL_LABELS, col_label, row_label
from tests.utils.render_text import APP_LABELS as APP_LABELS_BY_LEVEL
from tests.utils.render_text import HEADINGS as SECTION_HEADINGS
from tests.utils.render_text import KEYS as SECTION_KEYS

# Labels from render_text.py, the tests' one copy of the template's wording (written independently of the
# parser's vocabulary, so that parsing what is rendered here checks the parser).
APP_LABELS = {row: labels[-1] for row, labels in APP_LABELS_BY_LEVEL.items()}
# the group label printed beside the first sub-row of a group ("（三）不予公开" beside 1.属于国家秘密)
GROUP_HEADS = {
    row: APP_LABELS_BY_LEVEL[row][1]
    for row in ("withheld_secret", "unavailable_not_held", "rejected_petition", "other_no_correction")
}
SUBTOTAL_OF = {"subtotal_withheld": "withheld_secret", "subtotal_unavailable": "unavailable_not_held",
               "subtotal_rejected": "rejected_petition", "subtotal_other": "other_no_correction"}  # fmt: skip
HEADINGS = {key: SECTION_HEADINGS[no][0] for no, key in SECTION_KEYS.items()}


def _v(value: int | float | None, *, signed: bool = False) -> str:
    if value is None:
        return ""
    if signed and value > 0:
        return f"+{value}"
    return str(value)


def _disclosure(spec: Spec) -> list[str]:
    out: list[str] = []
    for block, rows in spec.disclosure.items():
        out.append(f"第二十条第（{ANCHORS[block]}）项")
        columns = DISCLOSURE[spec.template][block]["cols"]
        out.append("\t".join(["信息内容", *(col_label(col, spec.template) for col in columns)]))
        for row, cols in rows.items():
            label = spec.labels.get(row, row_label(row, spec.template))
            cells = [
                spec.raws.get((block, row, col), _v(value, signed=col == "change"))
                for col, value in cols.items()
            ]
            out.append("\t".join([label, *cells]))
    return out


def _applications(spec: Spec) -> list[str]:
    out = [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况",
        "\t自然人\t法人或其他组织\t\t\t\t\t总计",
        "\t\t" + "\t".join(ORGANISATION_HEADERS),
    ]
    subtotals = {SUBTOTAL_OF[k]: k for k in spec.apps if k.startswith("subtotal_")}
    for row, values in spec.apps.items():
        if row.startswith("subtotal_"):
            continue
        cells = "\t".join(_v(v) for v in values)
        if row in ("new", "carried_over", "carried_forward"):
            out.append(f"{APP_LABELS[row]}\t\t{cells}\t")
        elif row == "granted":
            out.append(f"{APP_LABELS_BY_LEVEL[row][0]}\t{APP_LABELS[row]}\t{cells}\t")
        elif row in subtotals:
            sub = "\t".join(_v(v) for v in spec.apps[subtotals[row]])
            out.append(f"\t{GROUP_HEADS[row]}\t{sub}")
            out.append(f"\t\t{APP_LABELS[row]}\t{cells}")
        elif row in GROUP_HEADS:
            out.append(f"\t{GROUP_HEADS[row]}\t{APP_LABELS[row]}\t{cells}")
        elif row in ("partial", "other", "total"):
            out.append(f"\t{APP_LABELS[row]}\t{cells}")
        else:
            out.append(f"\t\t{APP_LABELS[row]}\t{cells}")
    return out


def _reviews(spec: Spec) -> list[str]:
    head = "\t".join(REVIEW_COL_LABELS)
    return [
        "行政复议\t\t\t\t\t行政诉讼",
        f"{head}\t未经复议直接起诉\t\t\t\t\t复议后起诉",
        f"\t\t\t\t\t{head}\t{head}",
        "\t".join(_v(v) for v in spec.reviews),
    ]


def render(spec: Spec) -> str:
    """The report as text (ends with a newline)."""
    lines: list[str] = []
    if spec.title:
        lines += [spec.fill(spec.title), ""]
    period = spec.period_year or spec.year
    lines.append(
        "根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求，编制本报告。"
        f"本报告中所列数据的统计期限为{period}年1月1日起至{period}年12月31日止。"
    )
    bodies = {
        "overview": [spec.fill(t) for t in spec.overview],
        "disclosure": _disclosure(spec),
        "applications": _applications(spec),
        "reviews": _reviews(spec),
        "problems": [spec.fill(t) for t in spec.problems],
        "other": [spec.fill(t) for t in spec.other],
    }
    for key in spec.sections:
        lines += ["", HEADINGS[key], *bodies[key]]
    if spec.published:
        lines += [
            "",
            "",
            spec.organ,
            f"{spec.published.year}年{spec.published.month}月{spec.published.day}日",
        ]
    return "\n".join(lines) + "\n"


def line_of(text: str, needle: str, *, after: str | None = None) -> int:
    """1-based number of the first line containing ``needle`` (after the first line containing ``after``)."""
    lines = text.split("\n")
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


__all__ = ["render", "line_of", "REVIEWS", "APP_LABELS"]
