"""nianbao worker: extract, parse, check, store and alert on 政府信息公开工作年度报告.

Public API, imported lazily (PEP 562) so that ``import worker.errors`` or ``worker.logging`` — as the
watcher and the CLI do — does not pull in the parser and the rule catalogue.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    # Errors
    "NianbaoError",
    "ExtractionError",
    "ParseError",
    # Models
    "Report",
    "Finding",
    "Severity",
    # Functions
    "read_report",
    "run_checks",
]

_WHERE = {
    "NianbaoError": "worker.errors",
    "ExtractionError": "worker.errors",
    "ParseError": "worker.errors",
    "Report": "worker.parse.models",
    "Finding": "worker.rules.base",
    "Severity": "worker.rules.base",
    "read_report": "worker.parse",
    "run_checks": "worker.rules",
}

if TYPE_CHECKING:
    from worker.errors import ExtractionError, NianbaoError, ParseError
    from worker.parse import read_report
    from worker.parse.models import Report
    from worker.rules import run_checks
    from worker.rules.base import Finding, Severity


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'worker' has no attribute {name!r}")
