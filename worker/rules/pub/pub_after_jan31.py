"""PUB_AFTER_JAN31: published after 31 January of the following year."""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.deadline import published_late


class PublishedAfterJan31(Rule):
    """## What it does
    Checks that the report is dated on or before 31 January of the year after the report year.
    The severity follows the body's level (``Report.organ_level``):

    - ``county_department`` (a department of a government at county level or above): **error** — this is
      their legal deadline;
    - ``township`` and ``unknown``: **warning** — township deadlines are set locally (often in February),
      so late January is worth showing but is not proven wrong;
    - ``county_government``: no finding — their deadline is 31 March (see PUB_AFTER_MAR31).

    Without a date the check is ``not_assessable`` (a warning). Severity can be overridden in config
    (``[rule_severity] PUB_AFTER_JAN31 = "error"`` makes it an error for every body).

    ## Why is this bad?
    条例 art. 49: 县级以上人民政府部门 publish their report of the previous year "每年1月31日前".

    ## Example
    A 县教育局 report for 2023 dated "2024年2月15日".
    Use instead: publish by 2024年1月31日.
    """

    code = "PUB_AFTER_JAN31"
    title_zh = "晚于1月31日发布"
    title_en = "Published after 31 January of the following year"
    severity = Severity.ERROR

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        if report.organ_level == "county_government":
            return
        if report.organ_level == "county_department":
            severity, who = Severity.ERROR, "县级以上人民政府部门"
        else:
            severity, who = Severity.WARNING, "本机关"
        yield from published_late(
            self,
            report,
            month=1,
            day=31,
            why=f"条例第四十九条：{who}应于每年1月31日前公布上一年度报告",
            severity=severity,
        )
