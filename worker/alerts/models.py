"""What an alert is about, independent of the database: a report version with findings, or a quarantined file.

These models are what the ledger stores as the payload of a due alert, so that a message composed minutes
later (at the end of a digest window) shows the verdict that was due, even if the report row changed since.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from worker.rules.base import Finding

MessageKind = Literal["new", "update", "resolved"]


class ReportAlert(BaseModel):
    """One stored report version and its findings, as an alert shows them."""

    report_id: int | None = None
    organ: str | None = None
    organ_path: list[str] = Field(default_factory=list)
    identity_key: str | None = None
    year: int | None = None
    file_name: str
    stored_at: str | None = None  # where the file now lies (archive path)
    sha256: str  # content hash of the source file: the report version
    version: int = 1  # 1 for the first version of this body and year, n for the n-th (a corrected re-send)
    findings: list[Finding] = Field(default_factory=list)

    def alertable(self, *, include_warnings: bool) -> list[Finding]:
        """The findings an alert is about: failed errors, the findings that ask for a human look (a table not
        read with certainty: ``Finding.needs_review``, always), plus the other warnings when configured.

        A report whose alertable findings hold no error but a review finding is mailed as a request for the
        original (``is_review_request``), never as an error report. A finding that could not be assessed
        (``status="not_assessable"``) is shown with the report but never triggers an alert on its own.
        """
        out = [f for f in self.findings if f.is_error or f.needs_review]
        if include_warnings:
            out += [f for f in self.findings if f.is_warning and not f.needs_review]
        return out

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warning_count(self) -> int:
        return sum(1 for f in self.findings if f.is_warning)

    def display_name(self) -> str:
        """The body as printed, else its administrative path, else the file name."""
        return self.organ or "".join(self.organ_path) or self.file_name


def is_review_request(findings: list[Finding]) -> bool:
    """The alerted ``findings`` ask for the original or a check by hand (status ``needs_review``): no error,
    at least one table not read with certainty. Same precedence as ``worker.rules.status.report_status``."""
    return not any(f.is_error for f in findings) and any(f.needs_review for f in findings)


class QuarantineAlert(BaseModel):
    """A file that could not be processed and was moved aside."""

    quarantine_id: int | None = None
    file_name: str
    reason: str
    stored_at: str | None = None  # the quarantine path
    sha256: str | None = None


def finding_key(finding: Finding) -> dict[str, Any]:
    """The parts of a finding that make up the verdict (the wording of the message is not one of them)."""
    loc = finding.location.model_dump(exclude_none=True) if finding.location else None
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "status": finding.status,
        "location": loc,
        "expected": finding.expected,
        "actual": finding.actual,
        "compared_with": finding.compared_with,
    }


def _digest(obj: Any) -> str:
    blob = json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def findings_fingerprint(findings: list[Finding]) -> str:
    """A stable hash of a set of findings: order-independent, message wording ignored."""
    keys = sorted(_digest(finding_key(f)) for f in findings)
    return _digest(keys)


def quarantine_fingerprint(reason: str) -> str:
    """The verdict of a quarantine alert is its reason."""
    return _digest({"quarantine": reason})


def finding_label(finding: Finding) -> str:
    """A one-line identity of a finding for "resolved/new" lists in update messages."""
    where = finding.location.describe_zh() if finding.location else ""
    return f"[{finding.rule}] {finding.title or finding.message}" + (f"（{where}）" if where else "")
