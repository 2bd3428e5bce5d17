"""Render a canonical report dict (tests/utils/gen.py) as plain text, in every layout the parser reads.

Layouts (``LAYOUTS``):
    tab     tab-separated rows with merged-region blanks like seed 002 ("label, blank, values, blank")
    cells   one cell per line like seeds 000/001 ("\\tX" lines, rows separated by blank lines)
    pipe    pipe tables ``| a | b |`` with a ``|---|`` separator, as PDF-to-text tools print them
    spaced  rows flattened with single spaces; blanks printed as placeholders (空 / - — 无)
    lines   one cell per line without tabs (pdftotext-like); blanks printed as placeholders
    htmlcells  one cell per line as HTML-to-text tools print it ("X |", "|" for an empty cell), section
            headings in markdown bold ("**一、总体情况**")
    grid    real table rows (``render_extracted`` -> ``Extracted`` with ``SourceLine.cells``), merged
            regions resolved to "" in a regular grid, as the docx/html/pdf extractors hand them over

``render_report(report, layout=..., rng=..., split_labels=..., noise=...)`` returns the text;
``render_with_sections`` also returns the sections (no, key, title, line) it printed, for expected JSON.
"""

from __future__ import annotations

import random
from typing import Any

LAYOUTS = ("tab", "cells", "pipe", "spaced", "lines", "htmlcells")  # plain-text layouts
GRID = "grid"  # real table rows (``render_extracted``), as the docx/html/pdf extractors give them
PLACEHOLDERS = ("-", "/", "—", "无", "空")

# The template's labels, written out here on purpose and never imported from worker/parse: the round trip
# (render -> parse -> compare) is an oracle only while the text is produced independently of the parser's
# vocabulary. This is the one copy the test renderers share (render_formats_layout.py reads it too).
APP_LABELS: dict[str, tuple[str, ...]] = {
    "new": ("一、本年新收政府信息公开申请数量",),
    "carried_over": ("二、上年结转政府信息公开申请数量",),
    "granted": ("三、本年度办理结果", "（一）予以公开"),
    "partial": ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "withheld_secret": ("", "（三）不予公开", "1.属于国家秘密"),
    "withheld_law": ("", "", "2.其他法律行政法规禁止公开"),
    "withheld_security": ("", "", "3.危及“三安全一稳定”"),
    "withheld_third_party": ("", "", "4.保护第三方合法权益"),
    "withheld_internal": ("", "", "5.属于三类内部事务信息"),
    "withheld_process": ("", "", "6.属于四类过程性信息"),
    "withheld_enforcement": ("", "", "7.属于行政执法案卷"),
    "withheld_inquiry": ("", "", "8.属于行政查询事项"),
    "unavailable_not_held": ("", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    "unavailable_needs_creation": ("", "", "2.没有现成信息需要另行制作"),
    "unavailable_unclear": ("", "", "3.补正后申请内容仍不明确"),
    "rejected_petition": ("", "（五）不予处理", "1.信访举报投诉类申请"),
    "rejected_duplicate": ("", "", "2.重复申请"),
    "rejected_publication": ("", "", "3.要求提供公开出版物"),
    "rejected_excessive": ("", "", "4.无正当理由大量反复申请"),
    "rejected_confirmation": ("", "", "5.要求行政机关确认或重新出具已获取信息"),
    "other": ("", "（六）其他处理"),
    "other_no_correction": (
        "",
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    "other_unpaid_fee": ("", "", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other_misc": ("", "", "3.其他"),
    "total": ("", "（七）总计"),
    "carried_forward": ("四、结转下年度继续办理",),
}
ANCHORS = {"art20_1": "一", "art20_5": "五", "art20_6": "六", "art20_8": "八", "art20_9": "九"}
COL_LABELS = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "amount_wan": "本年收费金额（单位：万元）",
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "published_total": "对外公开总数量",
    "prev_items": "上一年项目数量",
    "change": "本年增/减",
    "items": "采购项目数量",
    "amount": "采购总金额",
}
ROW_LABELS = {
    "rules": "规章",
    "normative_docs": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
HEADINGS = {
    1: ("一、总体情况",),
    2: ("二、主动公开政府信息情况", "二、主动公开政府信息的情况"),
    3: ("三、收到和处理政府信息公开申请情况", "三、收到和处理政府信息公开申请情况(依申请公开)"),
    4: ("四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"),
    5: ("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"),
    6: ("六、其他需要报告的事项",),
}
KEYS = {1: "overview", 2: "disclosure", 3: "applications", 4: "reviews", 5: "problems", 6: "other"}
ORGANISATION_HEADERS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")  # under 法人或其他组织
REVIEW_COL_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")  # per group of 四


def col_label(col: str, template: str) -> str:
    """The printed label of a column of 二 (处理决定数量 is worded per template)."""
    return COL_LABELS.get(col, "本年处理决定数量" if template == "2021" else "处理决定数量")


def row_label(row: str, template: str) -> str:
    """The printed label of a row of 二 (the 2019 template prints 规范性文件 without 行政)."""
    return "规范性文件" if row == "normative_docs" and template == "2019" else ROW_LABELS[row]
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class _Doc:
    def __init__(self, rng: random.Random, *, noise: bool) -> None:
        self.lines: list[str] = []
        self.cells: dict[int, list[str]] = {}  # grid layout: 0-based line -> the row's cells
        self.spans: dict[int, list[int]] = {}  # grid layout: 0-based line -> merge spans of the row
        self.force_placeholder = False
        self.dense = (
            rng.random() < 0.3
        )  # cells layout: no blank line between table rows  # layouts that cannot show an empty cell print a placeholder
        self.rng = rng
        self.noise = noise

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def row(
        self, layout: str, cells: list[str], *, width: int | None = None, spans: list[int] | None = None
    ) -> None:
        """A table row: ``| a | b |`` (pipe), tab-joined (tab), or a real table row (grid, padded to width).

        ``spans`` (grid): per cell 1, or 0 for a horizontal / -1 for a vertical merge continuation; the
        padding up to ``width`` continues the last cell horizontally.
        """
        if layout == "pipe":
            self.add("| " + " | ".join(cells) + " |")
        elif layout == "grid":
            pad = (width or len(cells)) - len(cells)
            if spans is not None:
                self.spans[len(self.lines)] = spans + [0] * pad
            cells = cells + [""] * pad
            self.cells[len(self.lines)] = cells
            self.add("\t".join(cells))
        else:
            self.add("\t".join(cells))

    def blank(self) -> None:
        self.lines.append("")

    def pad(self, text: str) -> str:
        """Whitespace noise the normaliser must absorb (indent, NBSP, ideographic space, trailing spaces)."""
        if not self.noise or not text or self.rng.random() < 0.6:
            return text
        return (
            self.rng.choice(("    ", "\u3000\u3000", "\u00a0", " "))
            + text
            + self.rng.choice(("", " ", "\u3000"))
        )


def _number(doc: _Doc, value: int | float | None, *, col: str, placeholder: bool) -> str:
    rng = doc.rng
    placeholder = placeholder or doc.force_placeholder
    if value is None:
        return rng.choice(PLACEHOLDERS) if placeholder or rng.random() < 0.2 else ""
    if isinstance(value, float):
        text = repr(value)
        if col == "amount_wan" and rng.random() < 0.3:
            text += "万元"
        return text
    if col == "change" and value > 0 and rng.random() < 0.6:
        return f"+{value}"
    if value >= 1000 and rng.random() < 0.5:
        text = f"{value:,}"
    else:
        text = str(value)
    if doc.noise and rng.random() < 0.1:
        text = text.translate(_FULLWIDTH)
    return text


def _split(doc: _Doc, label: str, enabled: bool) -> list[str]:
    if not enabled or len(label) < 4 or doc.rng.random() < 0.6:
        return [label]
    cut = doc.rng.randint(2, len(label) - 1)  # never split the numbering "1." itself
    return [label[:cut], label[cut:]]


def _emit_row(
    doc: _Doc, layout: str, labels: list[str], values: list[str], *, split: bool, style: str
) -> None:
    """One table row. ``labels`` are the label columns ("" = a merged-region blank)."""
    if layout == "spaced":
        text = " ".join([p for lab in labels if lab for p in _split(doc, lab, split)] + values)
        doc.add(doc.pad(text))
        return
    if layout == "cells":
        if not doc.dense:
            doc.blank()
        for lab in labels:
            if not lab:
                doc.add("\t")
                continue
            parts = _split(doc, lab, split)
            doc.add("\t" + parts[0])
            for part in parts[1:]:
                doc.add(part if doc.rng.random() < 0.5 else "\t" + part)
        doc.add(*("\t" + v for v in values))
        return
    if layout == "grid":  # merged label regions resolved to "" in a regular 3 + 7 grid
        cells = [*labels, *[""] * (3 - len(labels))]
        spans = [
            (-1 if not lab else 1) for lab in cells
        ]  # "" before a label: a vertical merge (group column)
        for i in range(1, 3):
            if not cells[i] and i >= len(labels):
                spans[i] = 0  # after the label: the label spans these columns
        doc.row(layout, [*cells, *values], spans=[*spans, *[1] * len(values)])
        return
    doc.row(layout, _tab_cells(labels, values, style))


def _tab_cells(labels: list[str], values: list[str], style: str) -> list[str]:
    if style == "clean":
        return [" ".join(lab for lab in labels if lab), *values]
    # seed 002: a one-label row spans two label columns (label, blank); rows of the group columns trail a blank
    if len(labels) == 1:
        return [labels[0], "", *values, ""]
    if len(labels) == 2:
        return [*labels, *values, ""]
    return [*labels, *values]


def _disclosure(doc: _Doc, layout: str, report: dict[str, Any], *, split: bool, style: str) -> None:
    for block, rows in report["tables"]["disclosure"].items():
        cols = list(next(iter(rows.values())).keys())
        anchor = f"第二十条第（{ANCHORS[block]}）项"
        header = ["信息内容", *(col_label(c, report["template"]) for c in cols)]
        if layout == "cells":
            doc.blank()
            doc.add("\t" + anchor)
            doc.blank()
            for lab in header:
                parts = _split(doc, lab, split)
                doc.add("\t" + parts[0], *parts[1:])
        elif layout == "spaced":
            doc.add(anchor, " ".join(header))
        else:
            width = len(header)
            for cells in ([anchor] + [""] * (width - 1), header):
                doc.row(layout, cells, width=4)
            if layout == "pipe":
                doc.add("|" + "---|" * width)
        for row, values in rows.items():
            label = row_label(row, report["template"])
            texts = [_number(doc, values[c], col=c, placeholder=layout == "spaced") for c in cols]
            if layout == "cells":
                doc.blank()
                doc.add(*(["\t" + p for p in _split(doc, label, split)]), *("\t" + t for t in texts))
            elif layout == "spaced":
                doc.add(doc.pad(" ".join([label, *texts])))
            else:
                cells = [label, *texts]
                doc.row(layout, cells, width=4, spans=[1] * len(cells))


def _applications(doc: _Doc, layout: str, report: dict[str, Any], *, split: bool, style: str) -> None:
    head = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    orgs = list(ORGANISATION_HEADERS)
    if layout == "cells":
        doc.add(
            "\t" + head, "\t申请人情况", "", "\t", "\t自然人", "\t法人或其他组织", "\t总计", "", "\t", "\t"
        )
        doc.add(*("\t" + o for o in orgs), "\t")
    elif layout == "spaced":
        doc.add(head + " 申请人情况", "自然人 法人或其他组织 总计", " ".join(orgs))
    else:
        rows = [[head, "申请人情况", "", "", "", "", "", "", ""], ["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
                ["", "", "", *orgs, ""]]  # fmt: skip
        for cells in rows:
            doc.row(layout, cells)
        if layout == "pipe":
            doc.add("|" + "---|" * 9)
    for row, values in report["tables"]["applications"].items():
        texts = [_number(doc, v, col=c, placeholder=layout == "spaced") for c, v in values.items()]
        _emit_row(doc, layout, list(APP_LABELS[row]), texts, split=split, style=style)


def _reviews(doc: _Doc, layout: str, report: dict[str, Any]) -> None:
    group = list(REVIEW_COL_LABELS)
    values = [
        _number(doc, report["tables"]["reviews"][r][c], col=c, placeholder=layout == "spaced")
        for r in ("review", "litigation_direct", "litigation_after_review")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    if layout == "cells":
        doc.add(
            "\t行政复议",
            "\t行政诉讼",
            "",
            *("\t" + g for g in group),
            "\t未经复议直接起诉",
            "\t复议后起诉",
            "",
        )
        doc.add(*(["\t"] * 5), *("\t" + g for g in group * 2), "")
        doc.add(*("\t" + v for v in values))
    elif layout == "spaced":
        doc.add(
            "行政复议 行政诉讼", " ".join([*group, "未经复议直接起诉", "复议后起诉"]), " ".join(group * 2)
        )
        doc.add(" ".join(values))
    else:
        rows = [["行政复议", "", "", "", "", "行政诉讼", *[""] * 9], [*group, "未经复议直接起诉", "", "", "", "",
                "复议后起诉", "", "", "", ""], [""] * 5 + group * 2, values]  # fmt: skip
        for i, cells in enumerate(rows):
            doc.row(layout, cells)
            if layout == "pipe" and i == 2:
                doc.add("|" + "---|" * 15)


def render_with_sections(
    report: dict[str, Any],
    layout: str = "tab",
    *,
    rng: random.Random | None = None,
    split_labels: bool = False,
    noise: bool = False,
    style: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Render and also return the sections printed: ``[{"no", "key", "title", "line"}]``."""
    return _render(report, layout, rng=rng, split_labels=split_labels, noise=noise, style=style)


def _render(
    report: dict[str, Any],
    layout: str,
    *,
    rng: random.Random | None = None,
    split_labels: bool = False,
    noise: bool = False,
    style: str | None = None,
    sink: dict[int, list[str]] | None = None,
    spans_sink: dict[int, list[int]] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    rng = rng or random.Random(0)
    style = style or rng.choice(("seed002", "clean"))
    doc = _Doc(rng, noise=noise)
    if sink is not None:
        doc.cells = sink
    if spans_sink is not None:
        doc.spans = spans_sink
    if layout == "lines":  # pdftotext-like: one cell per line without tabs; blanks must be placeholders
        doc.force_placeholder = True
        text, sections = _render_doc(doc, report, "cells", split_labels=split_labels, style=style)
        return "\n".join(line.replace("\t", "") for line in text.split("\n")), sections
    if layout == "htmlcells":
        text, sections = _render_doc(doc, report, "cells", split_labels=split_labels, style=style)
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line.startswith("\t"):
                lines[i] = f"{line[1:]} |" if line[1:] else "|"
        for sec in sections:
            lines[sec["line"] - 1] = f"**{lines[sec['line'] - 1].strip()}**"
        return "\n".join(lines), sections
    return _render_doc(doc, report, layout, split_labels=split_labels, style=style)


def _render_doc(
    doc: _Doc, report: dict[str, Any], layout: str, *, split_labels: bool, style: str
) -> tuple[str, list[dict[str, Any]]]:
    rng = doc.rng
    organ, year = report["organ"], report["year"]
    title = report["meta"].get("title") or f"{organ}{year}年政府信息公开工作年度报告"
    doc.add(title, "")
    doc.add(doc.pad(f"根据《中华人民共和国政府信息公开条例》要求，编制本报告。本报告所列数据的统计期限为{year}年1月1日起至"
                    f"{year}年12月31日止。如对本报告有疑问，请与{organ}联系。"))  # fmt: skip
    sections: list[dict[str, Any]] = []

    def heading(no: int) -> None:
        title = rng.choice(HEADINGS[no])
        doc.add(doc.pad(title))
        sections.append({"no": no, "key": KEYS[no], "title": title, "line": len(doc.lines)})

    heading(1)
    doc.add(doc.pad(f"{year}年，我单位认真贯彻落实《条例》，不断加强组织领导。"))
    if rng.random() < 0.5:  # seed 004: top-level numerals reused as sub-headings inside 一
        doc.add("一、主动公开情况", f"全年共发布信息{rng.randint(1, 900)}条。", "二、依申请公开情况", "全年未收到申请。",
                "三、政府信息资源的规范化、标准化管理情况", "建立健全制度。")  # fmt: skip
    else:
        doc.add(
            "（一）主动公开", f"全年共发布信息{rng.randint(1, 900)}条。", "（二）依申请公开", "依法办理。"
        )
    heading(2)
    _disclosure(doc, layout, report, split=split_labels, style=style)
    doc.blank()
    heading(3)
    doc.blank()
    _applications(doc, layout, report, split=split_labels, style=style)
    doc.blank()
    heading(4)
    doc.blank()
    _reviews(doc, layout, report)
    doc.blank()
    heading(5)
    doc.add(doc.pad("一是信息公开内容有待丰富。"), doc.pad("下一步将进一步加强培训，改进工作。"))
    heading(6)
    doc.add(doc.pad("本年度未收取信息处理费。"), "", organ)
    if report["meta"].get("published"):
        y, m, d = (int(x) for x in report["meta"]["published"].split("-"))
        doc.add(f"{y}年{m}月{d}日")
    doc.add("")
    return "\n".join(doc.lines), sections


def render_report(report: dict[str, Any], layout: str = "tab", **options: Any) -> str:
    """Render a canonical report dict as plain text in ``layout`` (see the module docstring)."""
    return render_with_sections(report, layout, **options)[0]


def render_extracted(report: dict[str, Any], **options: Any) -> Any:
    """The ``grid`` layout as an extractor of a format with real tables hands it over: ``Extracted`` lines,
    table rows as ``SourceLine.cells`` (merged regions resolved to "" in a regular grid), the rest as text.

    ``spans=True`` (default) also fills ``SourceLine.spans`` for the data rows, as the docx/html extractors
    do; ``spans=False`` leaves them out, as for PDF tables without merge information.
    """
    from worker.extract.base import Extracted, SourceLine

    rng = options.pop("rng", None) or random.Random(0)
    with_spans = options.pop("spans", True)
    doc_cells: dict[int, list[str]] = {}
    doc_spans: dict[int, list[int]] = {}

    text, _ = _render(report, "grid", rng=rng, sink=doc_cells, spans_sink=doc_spans, **options)
    lines = [
        SourceLine(
            text=line, cells=doc_cells[i], table=0, row=i, spans=doc_spans.get(i) if with_spans else None
        )
        if i in doc_cells
        else SourceLine(text=line)
        for i, line in enumerate(text.split("\n"))
    ]
    return Extracted(kind="docx", lines=lines)
