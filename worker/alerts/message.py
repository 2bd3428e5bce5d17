"""The neutral alert message: what every channel says, composed once (compose.py), rendered per channel.

A channel turns an ``AlertMessage`` into its own format through the templates in worker/alerts/templates
(``message.txt.j2`` and ``message.html.j2`` for email). The message holds finished Chinese wording and the
untrusted values of the report as plain text; escaping is the renderer's business (autoescaping templates).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from worker.rules.base import Severity


class MessageType(StrEnum):
    """What a message is about; email shows it as ``X-Nianbao-Kind``, the ledger as the delivery kind."""

    REPORT_NEW = "report-new"
    REPORT_UPDATE = "report-update"
    REPORT_RESOLVED = "report-resolved"
    REPORT_REVIEW = "report-review"  # status needs_review: a request for the original, not an error report
    QUARANTINE = "quarantine"
    DIGEST = "digest"
    TEST = "test"
    REMINDER = "reminder"  # to a body: its report is missing or fails, the deadline is near (remind.py)
    REMINDER_SUMMARY = "reminder-summary"  # to the office: the bodies reminded


class Fact(BaseModel):
    """One labelled value about the file (文件, 现存位置, 内容校验码 ...)."""

    label: str
    value: str


class Link(BaseModel):
    """A link the reader can follow (e.g. the report's page in a web application)."""

    label: str
    url: str


class FindingItem(BaseModel):
    """One finding as listed in a message."""

    rule: str
    severity: Severity
    title: str
    message: str
    location: str  # where, in Chinese (``Location.describe_zh()``), or "—"
    expected: str | None = None  # shown with ``actual`` when the rule compared values
    actual: str | None = None
    has_comparison: bool = False
    is_new: bool = False  # in an update: not in the message sent before
    links: list[Link] = Field(default_factory=list)


class FindingGroup(BaseModel):
    """The findings of one severity (or the not-assessable ones), under a numbered heading."""

    title: str  # e.g. "一、错误（2 项）"
    items: list[FindingItem]


class DigestLine(BaseModel):
    """One report version in a digest."""

    name: str
    year: str  # "2023", or "—"
    file_name: str
    error_count: int
    kind_label: str  # 新 / 更新 / 已更正, or 第n版（更正版）… for a later version of the same body and year
    rules: str = ""  # the failing error rules with their counts, e.g. "T3_BALANCE ×2、XY_CARRYOVER"
    tables: str = ""  # needs review: the tables not read with certainty, e.g. "三、收到和处理政府信息公开申请情况表"
    at: str = ""  # when it fell due, in the configured time zone
    links: list[Link] = Field(default_factory=list)


class QuarantineLine(BaseModel):
    """One quarantined file in a digest."""

    file_name: str
    reason: str
    at: str = ""  # when it fell due, in the configured time zone


T = TypeVar("T", str, DigestLine, QuarantineLine)


class Section(BaseModel, Generic[T]):
    """A titled list of lines."""

    title: str
    lines: list[T]


class AlertMessage(BaseModel):
    """A whole message, channel-neutral. Sections are rendered in the order of the fields."""

    type: MessageType
    subject: str
    lead: str
    facts: list[Fact] = Field(default_factory=list)
    groups: list[FindingGroup] = Field(default_factory=list)
    resolved: Section[str] | None = None  # findings of the previous message that are gone
    reports: Section[DigestLine] | None = None  # digest: the report versions
    reviews: Section[DigestLine] | None = None  # digest: the versions needing review (待人工复核), own group
    quarantined: Section[QuarantineLine] | None = None  # digest: the quarantined files
    links: list[Link] = Field(default_factory=list)
