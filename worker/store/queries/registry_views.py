"""The typed answers about the registry of bodies: bodies, unmatched reports, the roster, the roll-up."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from worker.rules.base import Finding


class BodyView(BaseModel):
    """A registered body."""

    id: int
    name: str
    path: str  # "福建省/三明市/将乐县/南口镇"
    level: str  # township | county_department | county_government
    short_names: list[str] = Field(default_factory=list)
    former_names: list[str] = Field(default_factory=list)
    contact_name: str | None = None
    contact_emails: list[str] = Field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None


class UnmatchedReport(BaseModel):
    """A stored report that found no body, or several (``candidates``), waiting for a person."""

    report_id: int
    organ: str | None
    identity_key: str | None
    year: int | None
    file_name: str
    state: str  # "ambiguous" | "unmatched"
    region: str | None  # where a short name was looked up
    candidates: list[BodyView] = Field(default_factory=list)


class RosterState(StrEnum):
    """Where a body stands for a year."""

    NOT_RECEIVED = "not_received"
    FAILING = "failing"  # latest version has error findings
    NEEDS_REVIEW = "needs_review"  # latest version has no error, but a table could not be read with certainty
    PASSING = "passing"  # every version passed
    CORRECTED = "corrected"  # latest version passes after an earlier one failed

    @property
    def label_zh(self) -> str:
        return ROSTER_STATE_ZH[self]


ROSTER_STATE_ZH = {
    RosterState.NOT_RECEIVED: "未收到",
    RosterState.FAILING: "已收到·未通过",
    RosterState.NEEDS_REVIEW: "已收到·待人工复核",
    RosterState.PASSING: "已收到·通过",
    RosterState.CORRECTED: "更正后通过",
}


class RosterEntry(BaseModel):
    """One body of the roster."""

    body: BodyView
    state: RosterState
    report_id: int | None = None  # latest version
    versions: int = 0
    received_at: dt.datetime | None = None  # when the latest version was stored
    published: dt.date | None = None  # the latest version's own date
    deadline: dt.date
    days_left: int  # to the deadline from ``today``; negative: days past it


class Roster(BaseModel):
    """Every registered body of a region active in a year, with its state and a count per state."""

    region: str
    year: int
    today: dt.date
    entries: list[RosterEntry]
    counts: dict[RosterState, int]

    @property
    def total(self) -> int:
        return len(self.entries)


class RollupMember(BaseModel):
    """A body of the roll-up: the version summed, and why it deserves a look."""

    body: BodyView
    report_id: int | None  # the latest passing version (None: missing from the sums)
    latest_report_id: int | None
    latest_fails: bool = False  # summed an older passing version: the latest one fails


class RollupCell(BaseModel):
    """One summed cell and how many reports had a number in it."""

    table: str  # "disclosure.art20_1" | "applications" | "reviews"
    row: str
    col: str
    value: float | None
    reports: int


class Rollup(BaseModel):
    """The sums of 二, 三 and 四 over the latest passing version of each body of a region, and their checks."""

    region: str
    year: int
    template: str
    included: list[RollupMember]
    missing: list[RollupMember]
    cells: list[RollupCell]
    findings: list[Finding]  # T3_/T4_ rules run on the sums

    @property
    def warnings(self) -> list[RollupMember]:
        """Summed bodies whose own latest report fails."""
        return [m for m in self.included if m.latest_fails]

    def value(self, table: str, row: str, col: str) -> float | None:
        return next((c.value for c in self.cells if (c.table, c.row, c.col) == (table, row, col)), None)
