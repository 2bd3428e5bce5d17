"""The reminder messages (worker/alerts/remind.py), channel-neutral ``AlertMessage``s in Chinese.

One message to a body whose report of the year is missing or fails as its deadline nears (or has passed),
and one summary to the office listing the bodies reminded in a run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from worker.alerts.compose import report_url
from worker.alerts.message import AlertMessage, Fact, Link, MessageType
from worker.store.queries import RosterEntry, RosterState


@dataclass(frozen=True)
class DueReminder:
    """A body of a region's roster that is due a reminder at ``step`` (see ``remind.reminder_step``)."""

    region: str  # as configured ("" for the whole registry)
    year: int
    entry: RosterEntry
    step: str  # "d14", "d7", …, "d0" (the deadline day), "overdue"

    @property
    def key(self) -> str:
        """The ledger key: same body, year, state and step are never reminded twice."""
        return f"reminder:{self.entry.body.id}:{self.year}:{self.entry.state.value}:{self.step}"


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def days_zh(days_left: int) -> str:
    """"距截止还有 7 天" / "今天截止" / "已逾期 3 天"."""
    if days_left > 0:
        return f"距截止还有 {days_left} 天"
    return "今天截止" if days_left == 0 else f"已逾期 {-days_left} 天"


def _state_zh(entry: RosterEntry) -> str:
    if entry.state is RosterState.NOT_RECEIVED:
        return "尚未收到年度报告"
    if entry.state is RosterState.NEEDS_REVIEW:
        return "已收到年度报告，但其中的表格无法可靠读取，尚待人工复核"
    return "已收到年度报告，但最新版本未通过校验"


def body_reminder(due: DueReminder, *, base_url: str = "") -> AlertMessage:
    """The reminder to the body itself."""
    entry = due.entry
    body = entry.body
    ask = {RosterState.NOT_RECEIVED: "请按期公布并报送。",
           RosterState.NEEDS_REVIEW: "请报送 .docx 或 .pdf 原件，以便核对表格。"}.get(entry.state,
                                                                                "请根据校验结果更正后重新报送。")  # fmt: skip
    lead = (f"{body.contact_name or body.name}：贵单位 {due.year} 年度政府信息公开工作年度报告{_state_zh(entry)}。"
            f"按《政府信息公开条例》第四十九条，应于 {_date_zh(entry.deadline)} 前公布，{days_zh(entry.days_left)}。"
            f"{ask}")  # fmt: skip
    facts = [
        Fact(label="报告主体", value=body.name),
        Fact(label="行政区划", value=body.path),
        Fact(label="年度", value=f"{due.year}年度"),
        Fact(label="状态", value=entry.state.label_zh),
        Fact(label="截止日期", value=entry.deadline.isoformat()),
    ]
    if entry.received_at is not None:
        facts.append(Fact(label="最新版本收到时间", value=entry.received_at.date().isoformat()))
    url = report_url(base_url, entry.report_id)
    return AlertMessage(
        type=MessageType.REMINDER,
        subject=f"【年报提醒】{body.name} {due.year}年度报告{entry.state.label_zh}，{days_zh(entry.days_left)}",
        lead=lead, facts=facts, links=[Link(label="查看报告", url=url)] if url else [],
    )  # fmt: skip


def office_summary(
    dues: Sequence[DueReminder], *, region: str, year: int, today: dt.date, mailed: dict[int, list[str]]
) -> AlertMessage:
    """The summary to the office of the bodies reminded in this run (``mailed``: body id -> addresses written to)."""
    counts = {state: sum(1 for d in dues if d.entry.state is state)
              for state in (RosterState.NOT_RECEIVED, RosterState.FAILING, RosterState.NEEDS_REVIEW)}  # fmt: skip
    where = region or "全部已登记主体"
    facts = [Fact(label=state.label_zh, value=f"{n} 个") for state, n in counts.items()]
    for due in sorted(dues, key=lambda d: (d.entry.days_left, d.entry.body.path)):
        sent = mailed.get(due.entry.body.id) or []
        to = f"已提醒 {'、'.join(sent)}" if sent else "无联系邮箱，未能提醒"
        facts.append(Fact(label=due.entry.body.name,
                          value=f"{due.entry.state.label_zh}，截止 {due.entry.deadline.isoformat()}，"
                                f"{days_zh(due.entry.days_left)}；{to}"))  # fmt: skip
    return AlertMessage(
        type=MessageType.REMINDER_SUMMARY,
        subject=f"【年报提醒汇总】{where} {year}年度：{len(dues)} 个主体未报送或未通过",
        lead=f"截至 {today.isoformat()}，{where}以下主体的 {year} 年度报告尚未报送或未通过校验：",
        facts=facts,
    )
