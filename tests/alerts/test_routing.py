"""Routing: first matching route wins; organ prefix on name or administrative path, rules, severity, kind."""

from __future__ import annotations

import pytest

from tests.alerts.factories import finding, sha, warning
from worker.alerts.models import QuarantineAlert, ReportAlert
from worker.alerts.routing import recipients_for_quarantine, recipients_for_report
from worker.errors import ConfigError

DEFAULT = ["zwgk@example.gov.cn"]
ROUTES = [
    {"organ_prefix": "福建省三明市将乐县", "recipients": ["jiangle@example.gov.cn"]},
    {
        "rules": ["XY_CARRYOVER"],
        "severity": "error",
        "recipients": ["audit@example.gov.cn", "lead@example.gov.cn"],
    },
    {"severity": "warning", "recipients": ["quality@example.gov.cn"]},
    {"kind": "quarantine", "recipients": ["it@example.gov.cn"]},
]


def _alert(organ: str, path: list[str]) -> ReportAlert:
    return ReportAlert(
        organ=organ,
        organ_path=path,
        identity_key="/".join(path) or None,
        year=2023,
        file_name="r.txt",
        sha256=sha(),
    )


def test_route_by_administrative_path_prefix() -> None:
    # the short name says nothing about the county; the administrative path does
    a = _alert("南口镇人民政府", ["福建省", "三明市", "将乐县", "南口镇人民政府"])
    assert recipients_for_report(a, [finding()], routes=ROUTES, default=DEFAULT) == ["jiangle@example.gov.cn"]


def test_route_by_printed_name_prefix() -> None:
    a = _alert("福建省三明市将乐县教育局", [])
    assert recipients_for_report(a, [finding()], routes=ROUTES, default=DEFAULT) == ["jiangle@example.gov.cn"]


def test_same_short_name_elsewhere_falls_through() -> None:
    a = _alert("南口镇人民政府", ["北京市", "昌平区", "南口镇人民政府"])
    assert recipients_for_report(a, [finding()], routes=ROUTES, default=DEFAULT) == DEFAULT


def test_route_by_rule_and_severity() -> None:
    a = _alert("某区人民政府", ["某省", "某市", "某区人民政府"])
    got = recipients_for_report(a, [finding(), finding("XY_CARRYOVER")], routes=ROUTES, default=DEFAULT)
    assert got == ["audit@example.gov.cn", "lead@example.gov.cn"]
    assert recipients_for_report(a, [warning()], routes=ROUTES, default=DEFAULT) == ["quality@example.gov.cn"]
    # rule listed but with the wrong severity: that route does not match
    xy_warning = finding("XY_CARRYOVER", severity=warning().severity)
    assert recipients_for_report(a, [xy_warning], routes=ROUTES, default=DEFAULT) == [
        "quality@example.gov.cn"
    ]


def test_quarantine_routes_only_on_kind() -> None:
    q = QuarantineAlert(file_name="x.pdf", reason="扫描版 PDF")
    assert recipients_for_quarantine(q, routes=ROUTES, default=DEFAULT) == ["it@example.gov.cn"]
    assert recipients_for_quarantine(q, routes=ROUTES[:3], default=DEFAULT) == DEFAULT


@pytest.mark.parametrize(
    "bad",
    [
        {"organ_prefx": "福建省", "recipients": ["a@b"]},
        {"organ_prefix": "福建省"},
        {"severity": "fatal", "recipients": ["a@b"]},
        {"kind": "digest", "recipients": ["a@b"]},
    ],
)
def test_bad_route_is_a_config_error(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        recipients_for_report(_alert("x", []), [finding()], routes=[bad], default=DEFAULT)
