"""The roll-up as sheets: 二, 三 and 四 in the official table layout, the bodies in and out, the checks.

Row and column labels come from ``worker.parse.labels`` (the template's wording); the rows of 三 follow the
template of the roll-up (``worker.parse.vocab.APPLICATION_ROWS``), group rows printed without numbers.
"""

from __future__ import annotations

from worker.exports.sheets import Sheet, Value
from worker.parse.labels import (
    APPLICATION_COLUMNS_ZH,
    DISCLOSURE_LABELS_ZH,
    NOT_ASSESSABLE_ZH,
    REVIEW_COLUMNS_ZH,
    SEVERITY_ZH,
    TABLE_TITLES_ZH,
)
from worker.parse.vocab import APPLICATION_COLUMNS, APPLICATION_ROWS, REVIEW_COLUMNS
from worker.store.queries import Rollup

_ORG_COLUMNS = APPLICATION_COLUMNS[1:-1]  # 商业企业 … 其他组织: under 法人或其他组织


def applications_sheet(rollup: Rollup) -> Sheet:
    """三、收到和处理政府信息公开申请情况表, rows in template order, two header rows as printed."""
    labels = [APPLICATION_COLUMNS_ZH[c] for c in APPLICATION_COLUMNS]
    labels[-2] = "其他"
    rows: list[list[Value]] = []
    for spec in APPLICATION_ROWS:
        if rollup.template not in spec.templates:
            continue
        number_row = not spec.is_group or (spec.key == "other" and rollup.template == "2019")
        values = [rollup.value("applications", spec.key, c) if number_row else None for c in APPLICATION_COLUMNS]
        rows.append([spec.label, *values])
    return Sheet(
        title="三、申请情况", headers=["", *labels], rows=rows, header_rows=2,
        extra_header=[[TABLE_TITLES_ZH["applications"], "申请人情况", *[""] * 6],
                      ["", "自然人", "法人或其他组织", *[""] * 4, "总计"]],
        merges=["A1:A3", "B1:H1", "B2:B3", "C2:G2", "H2:H3"],
    )  # fmt: skip


def reviews_sheet(rollup: Rollup) -> Sheet:
    """四、政府信息公开行政复议、行政诉讼情况表: one row of 15 numbers under two header rows."""
    groups = (("review", "行政复议"), ("litigation_direct", "行政诉讼·未经复议直接起诉"),
              ("litigation_after_review", "行政诉讼·复议后起诉"))  # fmt: skip
    values: list[Value] = [rollup.value("reviews", row, c) for row, _ in groups for c in REVIEW_COLUMNS]
    top: list[str] = []
    for _, label in groups:
        top += [label, *[""] * 4]
    return Sheet(
        title="四、复议诉讼", headers=[REVIEW_COLUMNS_ZH[c] for _ in groups for c in REVIEW_COLUMNS],
        rows=[values], extra_header=[top], header_rows=2, merges=["A1:E1", "F1:J1", "K1:O1"],
    )  # fmt: skip


def disclosure_sheet(rollup: Rollup) -> Sheet:
    """二、主动公开政府信息情况表: each block under its own heading row, its columns as a row of labels."""
    blocks: dict[str, dict[str, dict[str, float | None]]] = {}
    for c in rollup.cells:
        if c.table.startswith("disclosure."):
            blocks.setdefault(c.table.split(".", 1)[1], {}).setdefault(c.row, {})[c.col] = c.value
    rows: list[list[Value]] = []
    for block in sorted(blocks):
        cols = list(dict.fromkeys(col for cells in blocks[block].values() for col in cells))
        rows.append([DISCLOSURE_LABELS_ZH.get(block, block)])
        rows.append(["信息内容", *[DISCLOSURE_LABELS_ZH.get(c, c) for c in cols]])
        for row, cells in blocks[block].items():
            rows.append([DISCLOSURE_LABELS_ZH.get(row, row), *[cells.get(c) for c in cols]])
    return Sheet(title="二、主动公开", headers=[TABLE_TITLES_ZH["disclosure"]], rows=rows)


def members_sheet(rollup: Rollup) -> Sheet:
    """Which bodies are summed (and from which report), which are missing, which deserve a warning."""
    rows: list[list[Value]] = []
    for m in rollup.included:
        note = "最新版本未通过，汇总使用此前通过的版本" if m.latest_fails else ""
        rows.append([m.body.name, m.body.path, "已纳入", m.report_id, m.latest_report_id, note])
    for m in rollup.missing:
        note = "最新版本未通过" if m.latest_report_id else "未收到报告"
        rows.append([m.body.name, m.body.path, "未纳入", None, m.latest_report_id, note])
    return Sheet(title="纳入情况", headers=["名称", "行政区划路径", "汇总", "汇总所用报告编号", "最新报告编号", "说明"],
                 rows=rows)  # fmt: skip


def checks_sheet(rollup: Rollup) -> Sheet:
    """The arithmetic checks run on the sums."""
    rows: list[list[Value]] = [
        [f.rule, NOT_ASSESSABLE_ZH if f.status == "not_assessable" else SEVERITY_ZH.get(f.severity.value, ""),
         f.message, f.location.describe_zh() if f.location else ""]
        for f in rollup.findings
    ]  # fmt: skip
    return Sheet(title="汇总校验", headers=["规则", "级别", "说明", "位置"], rows=rows)


def cells_sheet(rollup: Rollup) -> Sheet:
    """Every summed cell in long form (the CSV of a roll-up)."""
    rows: list[list[Value]] = [[c.table, c.row, c.col, c.value, c.reports] for c in rollup.cells]
    return Sheet(title="汇总数据", headers=["表", "行", "列", "合计", "纳入份数"], rows=rows)


def rollup_sheets(rollup: Rollup) -> list[Sheet]:
    """All sheets of a roll-up export: the three tables in the official layout, members, checks, long form."""
    return [applications_sheet(rollup), reviews_sheet(rollup), disclosure_sheet(rollup), members_sheet(rollup),
            checks_sheet(rollup), cells_sheet(rollup)]  # fmt: skip
