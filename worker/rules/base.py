"""The rule contract: a pure function from a ``Report`` (plus its neighbours for cross-year rules) to findings."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from worker.parse.labels import cell_zh
from worker.parse.models import Location, Number, Report
from worker.rules.support.tables import fmt, loc


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# Rules whose failing findings ask for a human look (the original file, a check by hand) rather than say the
# report is wrong: a warning that makes the report "needs review" (worker/rules/status.py), never "failed".
REVIEW_RULES: frozenset[str] = frozenset({"TABLE_UNREADABLE"})


class Finding(BaseModel):
    """One problem found in one report."""

    rule: str  # stable id, e.g. "T3_BALANCE"
    severity: Severity
    status: Literal["fail", "not_assessable"] = "fail"
    title: str = ""  # the rule's Chinese title
    message: str  # Chinese, understandable without the template at hand
    location: Location | None = None
    expected: Any = None
    actual: Any = None
    compared_with: str | None = None  # cross-year: sha256 (or id) of the report compared against

    @property
    def is_error(self) -> bool:
        """A failing error: what makes a report ``failed`` and an alert mail due."""
        return self.status == "fail" and self.severity == Severity.ERROR

    @property
    def needs_review(self) -> bool:
        """A failing finding that asks for the original or a check by hand (``REVIEW_RULES``)."""
        return self.status == "fail" and self.rule in REVIEW_RULES

    @property
    def is_warning(self) -> bool:
        """A failing warning (a ``not_assessable`` finding is neither an error nor a warning)."""
        return self.status == "fail" and self.severity == Severity.WARNING

    def cli_dict(self) -> dict[str, Any]:
        """The ``nianbao check --json`` shape."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "status": self.status,
            "message": self.message,
            "location": self.location.model_dump(exclude_none=True) if self.location else None,
            "expected": self.expected,
            "actual": self.actual,
        }


class Neighbour(BaseModel):
    """A stored report of the same body in an adjacent year, for cross-year rules."""

    ref: str  # sha256 of the stored report's source (what ``Finding.compared_with`` names)
    report: Report


class RuleContext(BaseModel):
    """Everything a rule may look at besides the report itself."""

    previous: Neighbour | None = None  # same body, year - 1
    next: Neighbour | None = None  # same body, year + 1
    severity_overrides: dict[str, str] = Field(default_factory=dict)


class Rule:
    """Base class of every rule. Subclasses set the class attributes and implement ``check``.

    The docstring of a subclass has three headings: ``## What it does``, ``## Why is this bad?``,
    ``## Example``; ``nianbao rules explain ID`` prints it.
    """

    code: ClassVar[str]
    title_zh: ClassVar[str]
    title_en: ClassVar[str]
    severity: ClassVar[Severity]
    needs_history: ClassVar[bool] = False

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        message: str,
        *,
        location: Location | None = None,
        expected: Any = None,
        actual: Any = None,
        severity: Severity | None = None,
        status: Literal["fail", "not_assessable"] = "fail",
        compared_with: str | None = None,
    ) -> Finding:
        """Build a finding of this rule (severity defaults to the rule's)."""
        return Finding(
            rule=self.code,
            severity=severity or self.severity,
            status=status,
            title=self.title_zh,
            message=message,
            location=location,
            expected=expected,
            actual=actual,
            compared_with=compared_with,
        )

    def wrong_cell(
        self, report: Report, cell: tuple[str, str, str], *, expected: Number, actual: Number, basis: str
    ) -> Finding:
        """The finding for a cell that should hold ``expected``: "（七）总计·自然人 应为 22（各项办理结果之和），
        报告填写 21", located at the cell.

        Args:
            report: the report the cell belongs to.
            cell: (table, row, col) keys, e.g. ("applications", "total", "natural_person").
            expected: what the cell should hold.
            actual: what the report printed (a blank counted as 0).
            basis: where ``expected`` comes from, e.g. "各项办理结果之和".
        """
        table, row, col = cell
        return self.finding(
            f"{cell_zh(table, row, col)} 应为 {fmt(expected)}（{basis}），报告填写 {fmt(actual)}",
            location=loc(report, table, row, col),
            expected=expected,
            actual=actual,
        )
