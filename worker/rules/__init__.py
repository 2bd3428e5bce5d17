"""The check catalogue (report-format.md section 7): one rule per module, its path
predicted by its id (``T3_BALANCE`` -> ``worker/rules/t3/t3_balance.py``); shared helpers in ``worker/rules/support/``.

from worker.rules import RULES, run_checks
findings = run_checks(report, RuleContext(previous=Neighbour(ref=sha, report=last_year)))
"""

from __future__ import annotations

from worker.rules.base import Finding, Neighbour, Rule, RuleContext, Severity
from worker.rules.registry import REDIRECTS, REMOVED, RULES, UnknownRuleError, resolve
from worker.rules.runner import run_checks, validate_severity_overrides

__all__ = [
    # Running
    "run_checks",
    "validate_severity_overrides",
    "RuleContext",
    "Neighbour",
    # Results
    "Finding",
    "Severity",
    # Catalogue
    "RULES",
    "REMOVED",
    "REDIRECTS",
    "Rule",
    "resolve",
    "UnknownRuleError",
]
