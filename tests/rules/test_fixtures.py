"""Every rule's good and bad fixture, through the real parser and, independently, as factory reports.

tests/rules/fixtures/<RULE_ID>/bad.txt must yield exactly the findings of that rule listed in expected.txt
(``RULE_ID:line:message fragment``); good.txt must yield no finding of any rule. prev.txt, when present, is the
same body's report for the year before (passed as ``ctx.previous``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.rules.build_fixtures import CASES, Case
from tests.rules.conftest import FIXTURES
from tests.rules.factories import build, clean_spec
from tests.rules.render import render
from worker.parse.models import Report
from worker.rules import Finding, Neighbour, RuleContext, run_checks

RULE_DIRS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def read_expected(path: Path) -> list[tuple[str, int | None, str]]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            rule, line, fragment = raw.split(":", 2)
            out.append((rule, int(line) if line else None, fragment))
    return out


def context(folder: Path, parse: Callable[..., Report]) -> RuleContext:
    prev = folder / "prev.txt"
    if not prev.exists():
        return RuleContext()
    return RuleContext(
        previous=Neighbour(ref="sha-prev", report=parse(prev.read_text(encoding="utf-8"), source="prev.txt"))
    )


def match(findings: list[Finding], expected: list[tuple[str, int | None, str]], *, check_lines: bool) -> None:
    """Each expected (rule, line, fragment) is met by a distinct finding, and nothing else of the rule fires."""
    left = list(findings)
    for rule, line, fragment in expected:
        hit = next(
            (
                f
                for f in left
                if f.rule == rule
                and fragment in f.message
                and (not check_lines or line is None or (f.location is not None and f.location.line == line))
            ),
            None,
        )
        assert hit is not None, (
            f"no {rule} finding at line {line} with {fragment!r}; got {[(f.location.line if f.location else None, f.message) for f in left]}"
        )
        left.remove(hit)
    assert not left, f"unexpected findings: {[f.message for f in left]}"


@pytest.mark.parametrize("rule", RULE_DIRS)
def test_fixture_bad_yields_expected_findings(rule: str, parse_text: Callable[..., Report]) -> None:
    folder = FIXTURES / rule
    report = parse_text((folder / "bad.txt").read_text(encoding="utf-8"), source="bad.txt")
    findings = [f for f in run_checks(report, context(folder, parse_text)) if f.rule == rule]
    match(findings, read_expected(folder / "expected.txt"), check_lines=True)
    for f in findings:  # every failure says where and what was expected
        assert f.location is not None and f.expected is not None and f.title, f.message


@pytest.mark.parametrize("rule", RULE_DIRS)
def test_fixture_good_yields_nothing(rule: str, parse_text: Callable[..., Report]) -> None:
    folder = FIXTURES / rule
    report = parse_text((folder / "good.txt").read_text(encoding="utf-8"), source="good.txt")
    findings = run_checks(report, context(folder, parse_text))
    assert [(f.rule, f.message) for f in findings] == []


def _ctx(case: Case) -> RuleContext:
    if case.prev is None:
        return RuleContext()
    return RuleContext(previous=Neighbour(ref="sha-prev", report=build(case.prev)))


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_factory_case_bad(case: Case) -> None:
    """The same cases as Report objects (no parser): the rule's messages, lines not compared."""
    findings = [f for f in run_checks(build(case.bad), _ctx(case)) if f.rule == case.rule]
    wanted = [(case.rule, line, fragment) for line, fragment in case.expected(render(case.bad))]
    match(findings, wanted, check_lines=False)


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_factory_case_good(case: Case) -> None:
    good = case.good or clean_spec()
    assert [(f.rule, f.message) for f in run_checks(build(good), _ctx(case))] == []
