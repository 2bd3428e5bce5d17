"""Who gets an alert: ``settings.alert_routes`` (first matching route wins), else ``settings.alert_recipients``.

A route is a table of conditions plus ``recipients``; all conditions present must match:

    organ_prefix  str or list: the body's name or its administrative path (joined without "/") starts with it
    rules         list of rule ids: at least one alerted finding has one of them
    severity      "error" | "warning": at least one alerted finding has it
    kind          "report" | "quarantine": which alerts the route applies to (default: both)
    channel       the channel the route's recipients belong to (default "email"; see worker/alerts/channels)

Routes are picked per channel: for each registered channel, the first matching route naming it wins, else
the channel's default recipients (email: ``settings.alert_recipients``).

Unknown keys are a ``ConfigError``: a typo must not silently send alerts to the default address.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from worker.alerts.channels import EMAIL as DEFAULT_CHANNEL
from worker.alerts.models import QuarantineAlert, ReportAlert
from worker.errors import ConfigError
from worker.rules.base import Finding

ROUTE_KEYS = {"organ_prefix", "rules", "severity", "kind", "recipients", "name", "channel"}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def validate_routes(routes: Sequence[dict[str, Any]]) -> None:
    """Raise ``ConfigError`` on a route with unknown keys or without recipients."""
    for i, route in enumerate(routes):
        unknown = set(route) - ROUTE_KEYS
        if unknown:
            raise ConfigError(
                f"alert_routes[{i}]: unknown key(s) {sorted(unknown)}; allowed: {sorted(ROUTE_KEYS)}"
            )
        if not _as_list(route.get("recipients")):
            raise ConfigError(f"alert_routes[{i}]: no recipients")
        if route.get("severity") not in (None, "error", "warning"):
            raise ConfigError(f"alert_routes[{i}]: severity must be 'error' or 'warning'")
        if route.get("kind") not in (None, "report", "quarantine"):
            raise ConfigError(f"alert_routes[{i}]: kind must be 'report' or 'quarantine'")


def _organ_names(alert: ReportAlert) -> list[str]:
    names = [alert.organ or "", "".join(alert.organ_path), (alert.identity_key or "").replace("/", "")]
    return [n for n in names if n]


def _matches(route: dict[str, Any], *, kind: str, names: list[str], findings: list[Finding]) -> bool:
    if route.get("kind") and route["kind"] != kind:
        return False
    prefixes = _as_list(route.get("organ_prefix"))
    if prefixes and not any(n.startswith(p) for p in prefixes for n in names):
        return False
    rules = set(_as_list(route.get("rules")))
    if rules and not any(f.rule in rules for f in findings):
        return False
    severity = route.get("severity")
    if severity and not any(f.severity.value == severity for f in findings):
        return False
    return True


def _pick(
    routes: Sequence[dict[str, Any]], default: Sequence[str], *, channel: str, **match: Any
) -> list[str]:
    validate_routes(routes)
    for route in routes:
        if route.get("channel", DEFAULT_CHANNEL) != channel:
            continue
        if _matches(route, **match):
            return sorted(set(_as_list(route["recipients"])))
    return sorted(set(default))


def recipients_for_report(
    alert: ReportAlert,
    findings: list[Finding],
    *,
    routes: Sequence[dict[str, Any]],
    default: Sequence[str],
    channel: str = DEFAULT_CHANNEL,
) -> list[str]:
    """Recipients on ``channel`` of a report alert about ``findings`` (the alerted ones)."""
    return _pick(
        routes, default, channel=channel, kind="report", names=_organ_names(alert), findings=findings
    )


def recipients_for_quarantine(
    alert: QuarantineAlert,
    *,
    routes: Sequence[dict[str, Any]],
    default: Sequence[str],
    channel: str = DEFAULT_CHANNEL,
) -> list[str]:
    """Recipients on ``channel`` of a quarantine alert (only routes without rule/severity conditions can match)."""
    eligible = [
        r for r in routes if not r.get("rules") and not r.get("severity") and not r.get("organ_prefix")
    ]
    validate_routes(routes)
    return _pick(eligible, default, channel=channel, kind="quarantine", names=[], findings=[])
