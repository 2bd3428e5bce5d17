"""Label vocabularies of both templates, as data (report-format.md sections 2-6).

Everything the recogniser matches against lives here: section headings, the block anchors, row labels and
column labels of section 二 (both templates), the row labels of 三 with their keywords, the columns of 三
and 四, and the placeholders. The Chinese wording shown to people (finding messages, locations) is in
``worker.parse.labels``. A label variant seen in the wild is a one-line change here plus a test.

All patterns are matched against *compacted* text: normalised (``normalise.normalise_line``) and with every
whitespace character removed (``compact``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WS = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def compact(text: str) -> str:
    """Remove every whitespace character (labels are compared without spaces, tabs or newlines)."""
    return _WS.sub("", text) if text else text


# --------------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    no: int
    key: str
    title_2021: str  # the heading as the 2021 template prints it
    keywords: tuple[str, ...]  # regexes; any match in the heading text (numeral removed) identifies it


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        1,
        "overview",
        "一、总体情况",
        (
            r"^总体情况",
            r"^总体概况",
            r"^概述",
            r"^基本情况",
            r"^(?:政府信息公开)?(?:工作)?总体(?:工作)?情况$",
            r"^工作概况$",
        ),
    ),
    SectionSpec(
        2,
        "disclosure",
        "二、主动公开政府信息情况",
        (r"主动公开政府信息", r"^主动公开(?:工作)?情况$"),
    ),
    SectionSpec(
        3,
        "applications",
        "三、收到和处理政府信息公开申请情况",
        (
            r"收到.{0,2}处理.{0,8}申请",
            r"^政府信息公开申请.{0,4}情况",
            r"^依申请公开(?:政府信息)?(?:工作)?(?:的)?情况$",
        ),
    ),
    SectionSpec(
        4,
        "reviews",
        "四、政府信息公开行政复议、行政诉讼情况",
        (r"行政复议", r"行政诉讼"),
    ),
    SectionSpec(
        5,
        "problems",
        "五、存在的主要问题及改进情况",
        (
            r"存在的主要问题",
            r"主要问题.{0,4}改进",
            r"问题.{0,4}改进情况",
            r"存在.{0,4}问题",
            r"存在的?不足",
            r"^问题.{0,2}改进",
        ),
    ),
    SectionSpec(
        6,
        "other",
        "六、其他需要报告的事项",
        (r"其他需要?报告", r"^其他需要?说明的?事项", r"^其他事项"),
    ),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

# The headings as the templates print them (numeral left out), and the wordings report-format.md section 6
# lists as seen in real reports. A heading run inline with the text (a web page saved on one line) is split
# onto its own line only when its numeral and one of these wordings match exactly (relines.py).
SECTION_TITLES: dict[int, tuple[str, ...]] = {
    1: ("总体情况",),
    2: ("主动公开政府信息情况", "主动公开政府信息的情况"),
    3: ("收到和处理政府信息公开申请情况",),
    4: ("政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议和提起行政诉讼情况"),
    5: ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"),
    6: ("其他需要报告的事项",),
}
SECTION_NUMERALS = "一二三四五六"
# A text line at least this long (whitespace removed) may be a report run together on one line; only such
# lines are re-split (relines.py). A paragraph of a report is shorter than this as a rule, and a shorter
# line is never touched.
RELINE_MIN_CHARS = 200
# Wordings shorter than this ("总体情况") are split before a Chinese character only when the heading chain
# needs them; see relines.py.
INLINE_TITLE_FREE_MIN = 6

# "一、总体情况", "一.总体情况", "第一部分 总体情况", "一 总体情况"
SECTION_NUMERAL = re.compile(r"^(?:第)?([一二三四五六])(?:部分)?(?:[、.．,，:：]|\s)\s*(.*)$")
HEADING_MAX_CHARS = 40  # a top-level heading is a short line

# --------------------------------------------------------------------------------------------------
# Section 二: blocks, rows, columns
# --------------------------------------------------------------------------------------------------

BLOCK_ANCHOR = re.compile(r"第二十条第\(?([一二三四五六七八九十]+)\)?项")
BLOCK_KEYS = {"一": "art20_1", "五": "art20_5", "六": "art20_6", "八": "art20_8", "九": "art20_9"}
HEADER_INFO = re.compile(r"^信息内容$")

# (regex on the compacted label, column key, template) -- first match wins, so specific before general.
DISCLOSURE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (r"本年新?制发|制发件数", "issued", "2021"),
    (r"废止", "repealed", "2021"),
    (r"现行有效|有效件数", "in_force", "2021"),
    (r"本年处理决定", "decisions", "2021"),
    (r"收费金额", "amount_wan", "2021"),
    (r"新制作", "made", "2019"),
    (r"新公开", "published", "2019"),
    (r"公开总数", "published_total", "2019"),
    (r"上一年项目", "prev_items", "2019"),
    (r"增/?减", "change", "2019"),
    (r"^处理决定数", "decisions", "2019"),
    (r"采购项目", "items", "2019"),
    (r"采购总?金额", "amount", "2019"),
)

# (regex, row key, template or "" when both); the printed label is kept in RowInfo.label.
DISCLOSURE_ROWS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "art20_1": ((r"规章$", "rules", ""), (r"规范性文件$", "normative_docs", "")),
    "art20_5": (
        (r"行政许可$", "licensing", ""),
        (r"其他对外管理服务事项|对外管理服务", "other_services", "2019"),
    ),
    "art20_6": ((r"行政处罚$", "penalty", ""), (r"行政强制$", "coercion", "")),
    "art20_8": ((r"行政事业性收费", "fees", ""),),
    "art20_9": ((r"政府集中采购", "procurement", "2019"),),
}

# The row labels of each block as the templates print them, in template order (both templates' wordings):
# a label no pattern above names is compared with these by place and likeness (likeness.py).
DISCLOSURE_ROW_LABELS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "art20_1": (("rules", ("规章",)), ("normative_docs", ("行政规范性文件", "规范性文件"))),
    "art20_5": (("licensing", ("行政许可",)), ("other_services", ("其他对外管理服务事项",))),
    "art20_6": (("penalty", ("行政处罚",)), ("coercion", ("行政强制",))),
    "art20_8": (("fees", ("行政事业性收费",)),),
    "art20_9": (("procurement", ("政府集中采购",)),),
}

# Default columns of each block when a report prints no header.
DISCLOSURE_DEFAULT_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "2021": {
        "art20_1": ("issued", "repealed", "in_force"),
        "art20_5": ("decisions",),
        "art20_6": ("decisions",),
        "art20_8": ("amount_wan",),
    },
    "2019": {
        "art20_1": ("made", "published", "published_total"),
        "art20_5": ("prev_items", "change", "decisions"),
        "art20_6": ("prev_items", "change", "decisions"),
        "art20_8": ("prev_items", "change"),
        "art20_9": ("items", "amount"),
    },
}

# --------------------------------------------------------------------------------------------------
# Section 三
# --------------------------------------------------------------------------------------------------

APPLICATION_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "nonprofit",
    "legal_services",
    "other_org",
    "total",
)


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str  # the 2021 template's label (2019 for ``other``)
    patterns: tuple[str, ...]  # regexes on the compacted label buffer
    group: str | None = None  # the group key it belongs to (withheld, unavailable, rejected, other)
    is_group: bool = False  # a group label (no numbers of its own unless a subtotal)
    templates: tuple[str, ...] = ("2021", "2019")


APPLICATION_ROWS: tuple[RowSpec, ...] = (
    RowSpec("new", "一、本年新收政府信息公开申请数量", (r"本年新收",)),
    RowSpec("carried_over", "二、上年结转政府信息公开申请数量", (r"上年结转",)),
    RowSpec("results", "三、本年度办理结果", (r"本年度?办理结果",), is_group=True),
    RowSpec("granted", "（一）予以公开", (r"予以公开",)),
    RowSpec("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (r"部分公开",)),
    RowSpec("withheld", "（三）不予公开", (r"不予公开",), is_group=True),
    RowSpec("withheld_secret", "1.属于国家秘密", (r"国家秘密",), "withheld"),
    RowSpec("withheld_law", "2.其他法律行政法规禁止公开", (r"法律行政法规", r"法规禁止"), "withheld"),
    RowSpec("withheld_security", '3.危及"三安全一稳定"', (r"三安全一稳定", r"危及"), "withheld"),
    RowSpec("withheld_third_party", "4.保护第三方合法权益", (r"第三方合法权益", r"保护第三方"), "withheld"),
    RowSpec("withheld_internal", "5.属于三类内部事务信息", (r"内部事务",), "withheld"),
    RowSpec("withheld_process", "6.属于四类过程性信息", (r"过程性信息",), "withheld"),
    RowSpec("withheld_enforcement", "7.属于行政执法案卷", (r"执法案卷",), "withheld"),
    RowSpec("withheld_inquiry", "8.属于行政查询事项", (r"行政查询",), "withheld"),
    RowSpec("unavailable", "（四）无法提供", (r"无法提供",), is_group=True),
    RowSpec("unavailable_not_held", "1.本机关不掌握相关政府信息", (r"不掌握",), "unavailable"),
    RowSpec(
        "unavailable_needs_creation", "2.没有现成信息需要另行制作", (r"另行制作", r"没有现成"), "unavailable"
    ),
    RowSpec("unavailable_unclear", "3.补正后申请内容仍不明确", (r"仍不明确", r"补正后"), "unavailable"),
    RowSpec("rejected", "（五）不予处理", (r"不予处理",), is_group=True),
    RowSpec("rejected_petition", "1.信访举报投诉类申请", (r"信访举报", r"举报投诉"), "rejected"),
    RowSpec("rejected_duplicate", "2.重复申请", (r"重复申请",), "rejected"),
    RowSpec("rejected_publication", "3.要求提供公开出版物", (r"公开出版物",), "rejected"),
    RowSpec("rejected_excessive", "4.无正当理由大量反复申请", (r"大量反复",), "rejected"),
    RowSpec(
        "rejected_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        (r"重新出具", r"确认或"),
        "rejected",
    ),
    # 2019: one data row; 2021: the group of the three rows below (a subtotal when it has numbers).
    RowSpec("other", "（六）其他处理", (r"其他处理",), is_group=True),
    RowSpec(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        (r"逾期不补正", r"不补正"),
        "other",
        templates=("2021",),
    ),
    RowSpec(
        "other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        (r"缴纳费用", r"收费通知"),
        "other",
        templates=("2021",),
    ),
    RowSpec("other_misc", "3.其他", (r"(?:^|[^\u4e00-\u9fff]|处理)其他$",), "other", templates=("2021",)),
    RowSpec("total", "（七）总计", (r"总计", r"^\(七\)合计$")),
    RowSpec("carried_forward", "四、结转下年度继续办理", (r"结转下一?年度?", r"下年度继续办理")),
)
APPLICATION_ROW_BY_KEY = {r.key: r for r in APPLICATION_ROWS}

# A group label that carries numbers is a report-specific subtotal row (Tables docstring).
SUBTOTAL_KEYS = {
    "withheld": "subtotal_withheld",
    "unavailable": "subtotal_unavailable",
    "rejected": "subtotal_rejected",
    "other": "subtotal_other",
}
ROWS_2021_ONLY = ("other_no_correction", "other_unpaid_fee", "other_misc")

# A 三 label no keyword names is read as the next template row when alike enough (likeness.py): the share of
# characters in common (difflib ratio, numbering left out) and how many rows ahead of the last one to look.
LABEL_LIKENESS_MIN = 0.75
LIKENESS_WINDOW = 2

# Row numbering printed before a label: "一、", "(一)", "1.", "1、"
ROW_NUMBERING = re.compile(r"(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、．])")

# --------------------------------------------------------------------------------------------------
# Section 四
# --------------------------------------------------------------------------------------------------

REVIEW_ROWS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
REVIEW_CELLS = 15
REVIEW_HEADER = re.compile(r"行政复议|行政诉讼|结果维持|尚未审结|总计|复议后起诉")

# --------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"^(?:空|无|/|\\|[-—–―]{1,3})$")
MONEY_UNITS = ("万元", "元")
COUNT_UNITS = ("件", "个", "条", "项", "次", "宗")

# --------------------------------------------------------------------------------------------------
# Template markers (scores; report-format.md section 6)
# --------------------------------------------------------------------------------------------------

# Labels only the 2019 template prints in 二 (besides its column labels): evidence for blocks printed
# without column labels. (A citation of 国办公开办函〔2021〕30号 in the preamble is not evidence: reports
# cite the new format while still filling in the old tables.)
TEMPLATE_2019_ROW_MARKERS = (r"其他对外管理服务", r"政府集中采购", r"第二十条第\(?九\)?项")
