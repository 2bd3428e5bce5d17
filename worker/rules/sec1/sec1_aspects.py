"""SEC1_ASPECTS: 2021 template, 一、总体情况 lacks one of its five aspects."""

from __future__ import annotations

import re
from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.textscan import squash

# aspect -> words that show the report covers it (headings vary: "（三）政府信息管理",
# "三、政府信息资源的规范化、标准化管理情况", "（4）平台建设情况")
ASPECTS = {
    "主动公开": re.compile(r"主动公开"),
    "依申请公开": re.compile(r"依申请|申请公开"),
    "政府信息管理": re.compile(r"信息管理|信息资源|规范化|标准化管理|管理情况"),
    "政府信息公开平台建设": re.compile(r"平台"),
    "监督保障": re.compile(r"监督|保障"),
}


class OverviewAspectMissing(Rule):
    """## What it does
    For a report on the 2021 template, checks that 一、总体情况 covers the five aspects the template lists:
    主动公开, 依申请公开, 政府信息管理, 政府信息公开平台建设, 监督保障 (recognised by keywords, whatever the
    numbering of the sub-headings). One finding lists all missing aspects.

    ## Why is this bad?
    国办公开办函〔2021〕30号 asks 总体情况 to describe these five parts of the work; a report that skips one
    does not account for that part of 条例 art. 50 item 一.

    ## Example
    总体情况 with 主动公开, 依申请公开 and 平台建设 paragraphs only.
    Use instead: add paragraphs on 政府信息管理 and 监督保障.
    """

    code = "SEC1_ASPECTS"
    title_zh = "总体情况缺少规定内容"
    title_en = "Overview lacks one of the five aspects of the 2021 template"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        section = report.section("overview")
        if section is None or report.template != "2021":
            return
        text = squash(section.text)
        missing = [name for name, pattern in ASPECTS.items() if not pattern.search(text)]
        if not missing:
            return
        yield self.finding(
            f"一、总体情况未涉及：{'、'.join(missing)}（2021年版格式要求包括主动公开、依申请公开、政府信息管理、"
            f"平台建设、监督保障五方面）",
            location=Location(section="overview", line=section.line),
            expected=list(ASPECTS),
            actual=[name for name in ASPECTS if name not in missing],
        )
