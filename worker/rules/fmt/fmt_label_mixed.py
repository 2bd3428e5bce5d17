"""FMT_LABEL_MIXED: an old (2019) label inside a 2021-template table."""

from __future__ import annotations

import re
from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity

_WS = re.compile(r"\s+")
# row key suffix -> (old label as printed, the 2021 label)
OLD_ROW_LABELS = {
    "normative_docs": ("规范性文件", "行政规范性文件"),
}
OLD_ONLY_ROWS = {"other_services": "其他对外管理服务事项", "procurement": "政府集中采购"}


class OldLabelInNewTemplate(Rule):
    """## What it does
    In a report whose section 二 is on the 2021 template, finds rows printed with a 2019 label: "规范性文件"
    where the 2021 template says "行政规范性文件", or 2019-only rows (其他对外管理服务事项, 政府集中采购).

    ## Why is this bad?
    国办公开办函〔2021〕30号 renamed the row to 行政规范性文件 (the term of 国办发〔2018〕37号); an old label
    suggests the table was copied from an old report and may carry old figures. A warning: the numbers
    themselves can be right.

    ## Example
    第二十条第（一）项 row "规范性文件 0 0 0" under 本年制发件数 / 本年废止件数 / 现行有效件数.
    Use instead: "行政规范性文件".
    """

    code = "FMT_LABEL_MIXED"
    title_zh = "2021年版格式中使用了旧版标签"
    title_en = "Old (2019) label inside the 2021 template"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        part = report.template_parts.get("disclosure", report.template)
        if part != "2021":
            return
        for key, info in report.rows.items():
            if not key.startswith("disclosure."):
                continue
            row = key.rsplit(".", 1)[-1]
            label = _WS.sub("", info.label)
            where = Location(table=key.rsplit(".", 1)[0], row=row, line=info.line, page=info.page)
            if row in OLD_ROW_LABELS and label == OLD_ROW_LABELS[row][0]:
                old, new = OLD_ROW_LABELS[row]
                yield self.finding(
                    f"2021年版格式中应写“{new}”，报告写的是旧版标签“{old}”",
                    location=where,
                    expected=new,
                    actual=old,
                )
            elif row in OLD_ONLY_ROWS:
                yield self.finding(
                    f"“{OLD_ONLY_ROWS[row]}”是2019年版格式的行，2021年版格式中没有",
                    location=where,
                    expected=None,
                    actual=OLD_ONLY_ROWS[row],
                )
