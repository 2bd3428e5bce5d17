"""Chinese labels of table rows and columns, for finding messages a clerk reads without the template.

The labels are the parser's (``worker.parse.vocab``, the one place they are declared). A message names a cell
by its row and column joined with "·" ("（七）总计·自然人", "（三）不予公开·1.属于国家秘密"), and uses a short
form where the template's full label is too long for a sentence: only those short forms are declared here.
Keys are those of report-format.md sections 2-4.
"""

from __future__ import annotations

from worker.parse import vocab

# Short forms of the messages, where the template label is too long for a sentence (or, for 处理决定数量, the
# wording of both templates: the 2021 one prints 本年处理决定数量, the 2019 one 处理决定数量).
_SHORT_TABLES = {"reviews": "四、行政复议、行政诉讼情况表"}
_SHORT_ROWS = {
    "new": "一、本年新收申请数量",
    "carried_over": "二、上年结转申请数量",
    "partial": "（二）部分公开",
    "withheld_security": "（三）不予公开·3.危及“三安全一稳定”",
    "other_no_correction": "（六）其他处理·1.申请人逾期不补正",
    "other_unpaid_fee": "（六）其他处理·2.申请人逾期未缴纳费用",
}
_SHORT_COLS = {
    ("applications", "other_org"): "其他法人或其他组织",
    ("disclosure", "decisions"): "处理决定数量",
}

TABLE_ZH = {
    t: _SHORT_TABLES.get(t) or vocab.table_label_zh(t) or t for t in ("disclosure", "applications", "reviews")
}
SECTION_ZH = {s.key: s.title_zh_short for s in vocab.SECTIONS}

# The data rows of 三 (a group label is a row only as the 2019 template's （六）其他处理, or as a subtotal).
_APPLICATION_ROW_KEYS = (
    *(r.key for r in vocab.APPLICATION_ROWS if not r.is_group or r.key == "other"),
    *vocab.SUBTOTAL_KEYS.values(),
)
APPLICATION_ROWS_ZH = {
    key: _SHORT_ROWS.get(key) or vocab.row_label_zh("applications", key, joiner="·")
    for key in _APPLICATION_ROW_KEYS
}


def row_zh(table: str, row: str) -> str:
    """The short Chinese label of a row key of ``table`` (the key itself when unknown)."""
    if table == "applications":
        return APPLICATION_ROWS_ZH.get(row, row)
    return vocab.row_label_zh("reviews" if table == "reviews" else "disclosure", row)


def col_zh(table: str, col: str) -> str:
    """The short Chinese label of a column key of ``table`` (the key itself when unknown)."""
    base = table if table in ("applications", "reviews") else "disclosure"
    return _SHORT_COLS.get((base, col)) or vocab.col_label_zh(base, col)


def cell_zh(table: str, row: str, col: str) -> str:
    """ "（七）总计·自然人", "行政复议·总计", "第二十条第（八）项·行政事业性收费·本年收费金额（万元）"."""
    if table.startswith("disclosure."):
        block = table.split(".", 1)[1]
        return f"{vocab.DISCLOSURE_LABELS_ZH.get(block, block)}·{row_zh('disclosure', row)}·{col_zh('disclosure', col)}"
    return f"{row_zh(table, row)}·{col_zh(table, col)}"
