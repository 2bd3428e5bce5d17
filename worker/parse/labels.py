"""The Chinese wording people read: names of tables, rows, columns and sections, locations, severities.

The one home of every label a finding message, an alert, the CLI or a web page shows. The template's own
wording (section headings, the row labels of 三) is the parser's vocabulary (``worker.parse.vocab``) and is
read from there; everything else shown in Chinese is declared here. Keys are those of report-format.md
sections 2-4. Two forms exist:

- the template's full labels, used to describe a location (``describe_location_zh``): "三、收到和处理政府信息
  公开申请情况表 （七）总计·自然人（第 362 行）";
- short forms for sentences (``table_zh``-style names: ``TABLE_ZH``, ``row_zh``, ``col_zh``, ``cell_zh``),
  where the template's label is too long: "（六）其他处理·1.申请人逾期不补正".

This module imports only the vocabulary, so every layer (parser models, rules, alerts, CLI, web) may import it.
"""

from __future__ import annotations

from typing import Protocol

from worker.parse.vocab import APPLICATION_ROW_BY_KEY, APPLICATION_ROWS, SECTIONS, SUBTOTAL_KEYS

# --------------------------------------------------------------------------------------------------
# The template's labels
# --------------------------------------------------------------------------------------------------

SECTION_ZH = {s.key: s.title_2021 for s in SECTIONS}

TABLE_TITLES_ZH = {
    "applications": "三、收到和处理政府信息公开申请情况表",
    "reviews": "四、政府信息公开行政复议、行政诉讼情况表",
    "disclosure": "二、主动公开政府信息情况表",
}

DISCLOSURE_LABELS_ZH = {
    "art20_1": "第二十条第（一）项",
    "art20_5": "第二十条第（五）项",
    "art20_6": "第二十条第（六）项",
    "art20_8": "第二十条第（八）项",
    "art20_9": "第二十条第（九）项",
    "rules": "规章",
    "normative_docs": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_wan": "本年收费金额（万元）",
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "published_total": "对外公开总数量",
    "prev_items": "上一年项目数量",
    "change": "本年增/减",
    "items": "采购项目数量",
    "amount": "采购总金额",
}

APPLICATION_COLUMNS_ZH = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "nonprofit": "社会公益组织",
    "legal_services": "法律服务机构",
    "other_org": "其他组织",
    "total": "总计",
}

SUBTOTAL_ROWS_ZH = {
    "subtotal_withheld": "（三）不予公开（小计）",
    "subtotal_unavailable": "（四）无法提供（小计）",
    "subtotal_rejected": "（五）不予处理（小计）",
    "subtotal_other": "（六）其他处理（小计）",
}

REVIEW_ROWS_ZH = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
REVIEW_COLUMNS_ZH = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}


def table_label_zh(table: str) -> str | None:
    """The Chinese name of a table key ("applications", "disclosure.art20_8" -> 二's name); None if unknown."""
    return TABLE_TITLES_ZH.get(table.split(".", 1)[0])


def row_label_zh(table: str, row: str, *, joiner: str = "") -> str:
    """The template's Chinese label of a row key of ``table`` (the key itself when unknown).

    A sub-row of 三 is prefixed with its group's label: ``row_label_zh("applications", "withheld_secret",
    joiner="·")`` is "（三）不予公开·1.属于国家秘密" (``describe_location_zh`` uses no joiner).
    """
    if table == "applications":
        spec = APPLICATION_ROW_BY_KEY.get(row)
        if spec is None:
            return SUBTOTAL_ROWS_ZH.get(row, row)
        if spec.group:
            return f"{APPLICATION_ROW_BY_KEY[spec.group].label}{joiner}{spec.label}"
        return spec.label
    if table == "reviews":
        return REVIEW_ROWS_ZH.get(row, row)
    return DISCLOSURE_LABELS_ZH.get(row, row)


def col_label_zh(table: str, col: str) -> str:
    """The template's Chinese label of a column key of ``table`` (the key itself when unknown)."""
    if table == "applications":
        return APPLICATION_COLUMNS_ZH.get(col, col)
    if table == "reviews":
        return REVIEW_COLUMNS_ZH.get(col, col)
    return DISCLOSURE_LABELS_ZH.get(col, col)


# --------------------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------------------


class Place(Protocol):
    """What ``describe_location_zh`` reads of a location (``worker.parse.models.Location`` is one)."""

    @property
    def table(self) -> str | None: ...
    @property
    def row(self) -> str | None: ...
    @property
    def col(self) -> str | None: ...
    @property
    def line(self) -> int | None: ...
    @property
    def page(self) -> int | None: ...
    @property
    def section(self) -> str | None: ...


def describe_location_zh(loc: Place) -> str:
    """Clerk-readable Chinese for a location.

    E.g. ``三、收到和处理政府信息公开申请情况表 （七）总计·自然人（第 362 行）``.
    """
    parts: list[str] = []
    table = loc.table or ""
    base, _, block = table.partition(".")
    if base in TABLE_TITLES_ZH:
        head = TABLE_TITLES_ZH[base]
        if base == "disclosure" and block:
            head += " " + DISCLOSURE_LABELS_ZH.get(block, block)
        parts.append(head)
    elif loc.section and loc.section in SECTION_ZH:
        parts.append(SECTION_ZH[loc.section])
    elif table:
        parts.append(table)
    row = row_label_zh(base, loc.row) if loc.row else ""
    col = col_label_zh(base, loc.col) if loc.col else ""
    cell = "·".join(p for p in (row, col) if p)
    where = " ".join(p for p in (" ".join(parts), cell) if p)
    suffix = []
    if loc.page:
        suffix.append(f"第 {loc.page} 页")
    if loc.line:
        suffix.append(f"第 {loc.line} 行")
    if suffix:
        where += "（" + "，".join(suffix) + "）"
    return where or "（位置不详）"


# --------------------------------------------------------------------------------------------------
# Short forms for finding messages
# --------------------------------------------------------------------------------------------------

# Where the template label is too long for a sentence (or, for 处理决定数量, the wording of both templates:
# the 2021 one prints 本年处理决定数量, the 2019 one 处理决定数量).
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

TABLE_ZH = {t: _SHORT_TABLES.get(t) or TABLE_TITLES_ZH[t] for t in ("disclosure", "applications", "reviews")}

# The data rows of 三 (a group label is a row only as the 2019 template's （六）其他处理, or as a subtotal).
_APPLICATION_ROW_KEYS = (
    *(r.key for r in APPLICATION_ROWS if not r.is_group or r.key == "other"),
    *SUBTOTAL_KEYS.values(),
)
APPLICATION_ROWS_ZH = {
    key: _SHORT_ROWS.get(key) or row_label_zh("applications", key, joiner="·")
    for key in _APPLICATION_ROW_KEYS
}


def row_zh(table: str, row: str) -> str:
    """The short Chinese label of a row key of ``table`` (the key itself when unknown)."""
    if table == "applications":
        return APPLICATION_ROWS_ZH.get(row, row)
    return row_label_zh("reviews" if table == "reviews" else "disclosure", row)


def col_zh(table: str, col: str) -> str:
    """The short Chinese label of a column key of ``table`` (the key itself when unknown)."""
    base = table if table in ("applications", "reviews") else "disclosure"
    return _SHORT_COLS.get((base, col)) or col_label_zh(base, col)


def cell_zh(table: str, row: str, col: str) -> str:
    """ "（七）总计·自然人", "行政复议·总计", "第二十条第（八）项·行政事业性收费·本年收费金额（万元）"."""
    if table.startswith("disclosure."):
        block = table.split(".", 1)[1]
        return f"{DISCLOSURE_LABELS_ZH.get(block, block)}·{row_zh('disclosure', row)}·{col_zh('disclosure', col)}"
    return f"{row_zh(table, row)}·{col_zh(table, col)}"


# --------------------------------------------------------------------------------------------------
# Alerts
# --------------------------------------------------------------------------------------------------

# keyed by ``worker.rules.base.Severity`` (a StrEnum, so its members are these strings)
SEVERITY_ZH = {"error": "错误", "warning": "警告"}
# a stored report's verdict (``report.status``); needs_review: a table or section was not read with certainty
REPORT_STATUS_ZH = {"ok": "通过", "failed": "未通过", "needs_review": "待人工复核"}
NOT_ASSESSABLE_ZH = "无法判定"
# keyed by ``worker.alerts.models.MessageKind``: what a subject adds for a new, updated or resolved report
MESSAGE_KIND_ZH = {"new": "", "update": "（更新）", "resolved": "（已更正）"}
# numbering of the groups of an alert ("一、错误（3 项）")
LIST_NUMERALS_ZH = "一二三四五六七八九十"


# --------------------------------------------------------------------------------------------------
# Tables not read with certainty (TableRead.reason_zh, TABLE_UNREADABLE)
# --------------------------------------------------------------------------------------------------

REASON_DIGITS_ZH = "数字之间缺少分隔，无法唯一确定各单元格的数值"
REASON_UNRECOGNISED_ZH = "有行的名称无法识别，且表中缺少相应的行"


def table_name_zh(table: str) -> str:
    """A table key as people read it: "三、收到和处理政府信息公开申请情况表", "二、…情况表第二十条第（一）项"."""
    if table.startswith("disclosure."):
        block = table.split(".", 1)[1]
        return f"{TABLE_TITLES_ZH['disclosure']}{DISCLOSURE_LABELS_ZH.get(block, block)}"
    return TABLE_TITLES_ZH.get(table, table)
