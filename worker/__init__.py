"""nianbao worker: extract, parse, check, store and alert on 政府信息公开工作年度报告.

Public API (import from here, not from the submodules):
"""

from __future__ import annotations

__all__ = [
    # Errors
    "NianbaoError",
    "ExtractionError",
    "ParseError",
    # Models
    "Report",
    "Finding",
    "Severity",
]

from worker.errors import ExtractionError, NianbaoError, ParseError
from worker.parse.models import Report
from worker.rules.base import Finding, Severity
