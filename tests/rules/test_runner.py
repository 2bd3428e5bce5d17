"""run_checks: severity overrides from configuration, purity, and the rules whose severity depends on the
report (PUB_AFTER_JAN31 by the body's level, FMT_2019_INCOMPLETE by year)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.rules.factories import build, clean_spec
from worker.errors import ConfigError
from worker.rules import RuleContext, Severity, run_checks, validate_severity_overrides
from worker.settings import Settings


def late(level: str, published: dt.date = dt.date(2024, 2, 15)) -> list[tuple[str, str, str]]:
    report = build(clean_spec(published=published, organ_level=level))
    return [(f.rule, f.severity.value, f.status) for f in run_checks(report)]


def test_late_january_is_an_error_for_a_county_department_and_a_warning_for_a_township() -> None:
    assert late("county_department") == [("PUB_AFTER_JAN31", "error", "fail")]
    assert late("township") == [("PUB_AFTER_JAN31", "warning", "fail")]
    assert late("unknown") == [("PUB_AFTER_JAN31", "warning", "fail")]
    assert late("county_government") == []  # their deadline is 31 March


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (dt.date(2024, 1, 1), []),
        (dt.date(2023, 12, 31), [("PUB_BEFORE_YEAR_END", "error", "fail")]),
        (dt.date(2024, 1, 31), []),
        (dt.date(2024, 3, 31), [("PUB_AFTER_JAN31", "error", "fail")]),
        (dt.date(2024, 4, 1), [("PUB_AFTER_JAN31", "error", "fail"), ("PUB_AFTER_MAR31", "error", "fail")]),
    ],
)
def test_deadline_edges(published: dt.date, expected: list[tuple[str, str, str]]) -> None:
    assert late("county_department", published) == expected


def test_no_date_is_not_assessable_never_silently_fine() -> None:
    found = run_checks(build(clean_spec(published=None)))
    assert [(f.rule, f.severity, f.status) for f in found] == [
        ("PUB_AFTER_JAN31", Severity.WARNING, "not_assessable"),
        ("PUB_AFTER_MAR31", Severity.WARNING, "not_assessable"),
    ]


def test_severity_override_from_settings_applies_to_every_body() -> None:
    settings = Settings(rule_severity={"PUB_AFTER_JAN31": "error", "sec6_fee": "off"})
    ctx = RuleContext(severity_overrides=settings.rule_severity)
    township = build(clean_spec(published=dt.date(2024, 2, 15), other=["无。"]))
    assert [(f.rule, f.severity.value) for f in run_checks(township)] == [
        ("PUB_AFTER_JAN31", "warning"),
        ("SEC6_FEE", "warning"),
    ]
    assert [(f.rule, f.severity.value) for f in run_checks(township, ctx)] == [("PUB_AFTER_JAN31", "error")]


def test_override_can_soften_an_error_and_leaves_not_assessable_alone() -> None:
    ctx = RuleContext(severity_overrides={"T3_COL_TOTAL": "warning", "PUB_AFTER_MAR31": "error"})
    apps = clean_spec().apps
    apps["partial"][6] = 5
    found = run_checks(build(clean_spec(apps=apps, published=None)), ctx)
    assert {(f.rule, f.severity.value, f.status) for f in found} == {
        ("T3_COL_TOTAL", "warning", "fail"),
        ("T3_RESULT_SUM", "error", "fail"),
        ("PUB_AFTER_JAN31", "warning", "not_assessable"),
        ("PUB_AFTER_MAR31", "warning", "not_assessable"),
    }


def test_unknown_severity_or_rule_id_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="T3_BALANCE = 'fatal'"):
        run_checks(build(clean_spec()), RuleContext(severity_overrides={"T3_BALANCE": "fatal"}))
    with pytest.raises(ConfigError, match="unknown rule id 'PUB_AFTER_JAN_31'"):
        validate_severity_overrides({"PUB_AFTER_JAN_31": "error"})
    assert validate_severity_overrides({" pub_after_jan31 ": "Error"}) == {"PUB_AFTER_JAN31": "error"}


def test_2019_template_missing_block_is_a_warning_only_in_2019() -> None:
    def incomplete(year: int) -> list[tuple[str, str]]:
        spec = clean_spec(template="2019", year=year, published=dt.date(year + 1, 1, 10))
        del spec.disclosure["art20_9"]
        return [(f.rule, f.severity.value) for f in run_checks(build(spec)) if f.rule.startswith("FMT_")]

    assert incomplete(2019) == [("FMT_2019_INCOMPLETE", "warning")]
    assert incomplete(2020) == [("FMT_2019_INCOMPLETE", "error")]
    assert incomplete(2022) == [("FMT_2019_INCOMPLETE", "error"), ("FMT_OLD_USED", "error")]


def test_run_checks_is_pure_and_deterministic() -> None:
    report = build(clean_spec(published=None, other=["无。"]))
    before = report.model_dump()
    first = run_checks(report)
    assert run_checks(report) == first
    assert report.model_dump() == before
