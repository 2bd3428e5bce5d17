"""Read-layer answers as export sheets: the reports list, the findings list, the roster, the registry."""

from __future__ import annotations

from collections.abc import Sequence

from worker.exports.sheets import Sheet, Value
from worker.parse.labels import NOT_ASSESSABLE_ZH, REPORT_STATUS_ZH, SEVERITY_ZH
from worker.registry.sheet import Column
from worker.store.queries import BodyView, FindingRow, ReportSummary, Roster

STATUS_ZH = REPORT_STATUS_ZH  # ok 通过 / failed 未通过 / needs_review 待人工复核
LEVEL_ZH = {"township": "乡镇（街道）", "county_department": "县级部门", "county_government": "县级人民政府"}


def _json_value(value: object) -> Value:
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def reports_sheet(reports: Sequence[ReportSummary]) -> Sheet:
    """The reports list."""
    headers = ["编号", "报告主体", "主体路径", "年度", "格式版本", "状态", "错误", "警告", "文件", "发布日期", "接收时间", "SHA-256"]
    rows: list[list[Value]] = [
        [r.id, r.organ, r.identity_key, r.year, r.template, STATUS_ZH.get(r.status, r.status), r.error_count,
         r.warning_count, r.file_name, r.published, r.created_at, r.sha256]
        for r in reports
    ]  # fmt: skip
    return Sheet(title="报告列表", headers=headers, rows=rows)


def findings_sheet(findings: Sequence[FindingRow]) -> Sheet:
    """The findings list, one row per finding with its report."""
    headers = ["报告编号", "报告主体", "主体路径", "年度", "文件", "规则", "级别", "标题", "说明", "位置", "应为", "实际"]
    rows: list[list[Value]] = []
    for row in findings:
        f = row.finding
        kind = NOT_ASSESSABLE_ZH if f.status == "not_assessable" else SEVERITY_ZH.get(f.severity.value, "")
        rows.append([row.report_id, row.organ, row.identity_key, row.year, row.file_name, f.rule, kind, f.title,
                     f.message, f.location.describe_zh() if f.location else "", _json_value(f.expected),
                     _json_value(f.actual)])  # fmt: skip
    return Sheet(title="校验结果", headers=headers, rows=rows)


def roster_sheet(roster: Roster) -> Sheet:
    """The roster: one row per body with its state, latest version and days to (or past) the deadline."""
    headers = ["主体编号", "名称", "行政区划路径", "层级", "状态", "最新版本编号", "版本数", "最新接收时间", "发布日期",
               "截止日期", "距截止天数", "联系人", "联系邮箱"]  # fmt: skip
    rows: list[list[Value]] = [
        [e.body.id, e.body.name, e.body.path, LEVEL_ZH.get(e.body.level, e.body.level), e.state.label_zh,
         e.report_id, e.versions, e.received_at, e.published, e.deadline, e.days_left, e.body.contact_name,
         ";".join(e.body.contact_emails)]
        for e in roster.entries
    ]  # fmt: skip
    return Sheet(title=f"{roster.year}年度报送情况"[:31], headers=headers, rows=rows)


def bodies_sheet(bodies: Sequence[BodyView]) -> Sheet:
    """The registry in its import format (``nianbao bodies import`` reads this back)."""
    rows: list[list[Value]] = [
        [b.name, ";".join(b.short_names), ";".join(b.former_names), b.path, b.level, b.contact_name,
         ";".join(b.contact_emails), b.year_from, b.year_to]
        for b in bodies
    ]  # fmt: skip
    return Sheet(title="主体名录", headers=[c.value for c in Column], rows=rows)
