"""``run_checks``: every rule of the catalogue over one report, with per-rule severity overrides.

Pure: no I/O, logging or database. Cross-year rules only find something when ``ctx.previous`` holds the same
body's report for the year before (see ``worker.rules.support.history``).
"""

from __future__ import annotations

from collections.abc import Mapping

from worker.errors import ConfigError
from worker.parse.models import Report
from worker.rules.base import Finding, RuleContext, Severity
from worker.rules.registry import REDIRECTS, RULES

OFF = frozenset({"off", "ignore", "disabled", "none"})
SEVERITIES = frozenset(s.value for s in Severity)
_INSTANCES = {code: cls() for code, cls in RULES.items()}


def validate_severity_overrides(overrides: Mapping[str, str]) -> dict[str, str]:
    """Normalise ``settings.rule_severity`` (ids upper-cased, redirects followed, values lower-cased).

    Raises:
        ConfigError: an unknown rule id or a severity other than error / warning / off.
    """
    out: dict[str, str] = {}
    for code, value in overrides.items():
        key = code.strip().upper()
        key = REDIRECTS.get(key, key)
        level = str(value).strip().lower()
        if key not in RULES:
            raise ConfigError(f"rule_severity: unknown rule id {code!r} (see `nianbao rules list`)")
        if level not in SEVERITIES and level not in OFF:
            raise ConfigError(f'rule_severity: {code} = {value!r}; use "error", "warning" or "off"')
        out[key] = level
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
        ConfigError: an override names an unknown rule or severity (``validate_severity_overrides``).
    """
    ctx = ctx or RuleContext()
    overrides = validate_severity_overrides(ctx.severity_overrides) if ctx.severity_overrides else {}
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
