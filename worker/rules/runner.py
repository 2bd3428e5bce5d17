"""``run_checks``: every rule of the catalogue over one report, with per-rule severity overrides.

Pure: no I/O, logging or database. Cross-year rules only find something when ``ctx.previous`` holds the same
body's report for the year before (see ``worker.rules.cross_year.history``).
"""

from __future__ import annotations

from worker.parse.models import Report
from worker.rules.base import Finding, RuleContext, Severity
from worker.rules.registry import REDIRECTS, RULES

OFF = frozenset({"off", "ignore", "disabled", "none"})
_INSTANCES = {code: cls() for code, cls in RULES.items()}


def _overrides(ctx: RuleContext) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, value in ctx.severity_overrides.items():
        key = code.strip().upper()
        out[REDIRECTS.get(key, key)] = str(value).strip().lower()
    return out


def run_checks(report: Report, ctx: RuleContext | None = None) -> list[Finding]:
    """All findings of all rules for ``report``, in catalogue order.

    Args:
        report: the parsed report.
        ctx: neighbours for cross-year rules and ``severity_overrides`` (rule id -> "error" | "warning" |
            "off"), normally filled from ``settings.rule_severity``.

    Returns:
        The findings. An override changes the severity of a rule's ``fail`` findings ("off" drops the rule);
        ``not_assessable`` findings stay warnings.

    Raises:
        ValueError: an override names a severity that does not exist.
    """
    ctx = ctx or RuleContext()
    overrides = _overrides(ctx)
    findings: list[Finding] = []
    for code, rule in _INSTANCES.items():
        override = overrides.get(code)
        if override in OFF:
            continue
        severity = Severity(override) if override else None
        for finding in rule.check(report, ctx):
            if severity is not None and finding.status == "fail":
                finding.severity = severity
            findings.append(finding)
    return findings
