"""A stored report's prose: the six sections' text and the lines around a finding (the sentence it is about).

Both come from the stored parse (``report.report_json``), so they show exactly what the checks read.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlmodel import Session

from worker.parse.models import Report
from worker.store.models import StoredReport


class SectionText(BaseModel):
    """One of the six sections as read: heading, first line, prose (table cells excluded)."""

    no: int
    key: str
    title: str
    line: int
    text: str


class ExcerptLine(BaseModel):
    """One line of the report's text around a finding (``focus``: the line the finding names)."""

    line: int
    text: str
    focus: bool


class ReportText(BaseModel):
    """The sections and the lines of a stored report (empty when its stored parse cannot be read)."""

    sections: list[SectionText] = Field(default_factory=list)
    lines: list[str] = Field(default_factory=list)  # line n is lines[n - 1]

    def excerpt(self, line: int | None, *, around: int = 1) -> list[ExcerptLine]:
        """The lines ``line - around`` .. ``line + around`` (blank ones skipped); empty without a line."""
        if line is None or not 1 <= line <= len(self.lines):
            return []
        first, last = max(1, line - around), min(len(self.lines), line + around)
        return [
            ExcerptLine(line=n, text=self.lines[n - 1], focus=n == line)
            for n in range(first, last + 1)
            if self.lines[n - 1].strip() or n == line
        ]


def report_text(session: Session, report_id: int) -> ReportText | None:
    """The sections' text and lines of report ``report_id``; None when there is no such report."""
    row = session.get(StoredReport, report_id)
    if row is None:
        return None
    try:
        report = Report.model_validate_json(row.report_json)
    except ValueError:
        return ReportText()
    sections = [
        SectionText(no=s.no, key=s.key, title=s.title, line=s.line, text=s.text) for s in report.sections
    ]
    return ReportText(sections=sections, lines=report.lines)
