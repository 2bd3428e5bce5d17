"""Meta-tests of the catalogue: every id of report-format.md section 7 is a rule, every rule is documented,
lives in the module its id names and has its fixtures; the registry refuses duplicates and retired ids."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.rules.conftest import FIXTURES
from worker.rules import RULES, Rule, Severity, UnknownRuleError, resolve
from worker.rules import registry as registry_module
from worker.rules.registry import RuleCatalogueError, build_registry

FORMAT_DOC = ROOT / "docs" / "report-format.md"
HEADINGS = ("## What it does", "## Why is this bad?", "## Example")
CJK = re.compile(r"[\u4e00-\u9fff]")


def section_7_ids() -> set[str]:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    part = text[text.index("## 7.") : text.index("## 8.")]
    rows = [line for line in part.splitlines() if line.startswith("| `")]
    return {code for line in rows for code in re.findall(r"`([A-Z][A-Z0-9_]+)`", line)}


def test_every_section_7_id_is_a_rule() -> None:
    ids = section_7_ids()
    assert len(ids) >= 33
    assert sorted(ids - set(RULES)) == []
    # T3_TOTAL_BLANK is named inside the BLANK_CELL row; nothing else is extra
    assert sorted(set(RULES) - ids) == []


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_documented_and_filed(code: str) -> None:
    cls = RULES[code]
    assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", code)
    doc = inspect.cleandoc(cls.__doc__ or "")
    positions = [doc.find(h) for h in HEADINGS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), (
        f"{code}: doc headings {HEADINGS}"
    )
    for heading, nxt in zip(HEADINGS, (*HEADINGS[1:], None), strict=True):
        body = doc[doc.index(heading) + len(heading) : doc.index(nxt) if nxt else None]
        assert len(body.strip()) > 20, f"{code}: {heading} is empty"
    assert CJK.search(cls.title_zh) and cls.title_en.strip()
    assert isinstance(cls.severity, Severity)
    module = Path(inspect.getfile(cls))
    expected = ROOT / "worker" / "rules" / code.split("_", 1)[0].lower() / f"{code.lower()}.py"
    assert module == expected, f"{code} lives in {module.relative_to(ROOT)}"
    assert cls.__module__ == registry_module.module_of(code)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_fixtures(code: str) -> None:
    folder = FIXTURES / code
    for name in ("good.txt", "bad.txt", "expected.txt"):
        assert (folder / name).is_file(), f"{code}: missing fixtures/{code}/{name}"
    lines = [
        line for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert lines and all(line.split(":", 1)[0] == code for line in lines)
    if RULES[code].needs_history:
        assert (folder / "prev.txt").is_file(), f"{code} compares years: needs fixtures/{code}/prev.txt"


def test_no_fixture_without_a_rule() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in RULES) == []


class _A(Rule):
    """doc"""

    code = "T3_BALANCE"
    title_zh = "甲"
    title_en = "a"
    severity = Severity.ERROR


class _B(_A):
    """doc"""

    code = "T3_BALANCE"


def test_registry_refuses_a_duplicate_id() -> None:
    with pytest.raises(RuleCatalogueError, match="duplicate rule id T3_BALANCE"):
        build_registry([_A, _B])


def test_registry_refuses_a_retired_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry_module.REMOVED, "T3_BALANCE", "merged")
    with pytest.raises(RuleCatalogueError, match="retired"):
        build_registry([_A])


def test_resolve_is_case_insensitive_and_follows_redirects(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve("t3_balance") is RULES["T3_BALANCE"]
    monkeypatch.setitem(registry_module.REDIRECTS, "T3_SUM", "T3_RESULT_SUM")
    assert resolve("T3_SUM") is RULES["T3_RESULT_SUM"]
    monkeypatch.setitem(registry_module.REMOVED, "OLD_ONE", "replaced by NUM_TYPE")
    with pytest.raises(UnknownRuleError, match="removed: replaced by NUM_TYPE"):
        resolve("OLD_ONE")
    with pytest.raises(UnknownRuleError, match="unknown rule id"):
        resolve("NOPE")


def test_an_empty_report_is_missing_everything_and_nothing_else() -> None:
    from collections import Counter

    from worker.parse.models import Report
    from worker.rules import run_checks

    got = Counter((f.rule, f.status) for f in run_checks(Report()))
    assert got == Counter(
        {
            ("STRUCT_SECTION_MISSING", "fail"): 6,
            ("STRUCT_TABLE_MISSING", "fail"): 3,
            ("TITLE_MISSING", "fail"): 1,
            ("PUB_AFTER_JAN31", "not_assessable"): 1,
            ("PUB_AFTER_MAR31", "not_assessable"): 1,
        }
    )


def test_docs_catalogue_lists_every_rule_as_it_is() -> None:
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    rows = {
        m.group(1): (m.group(2), m.group(3).strip(), m.group(4).strip())
        for m in re.finditer(r"^\| `([A-Z0-9_]+)` \| (\w+) \| \w+ \| ([^|]+) \| ([^|]+) \|$", doc, re.M)
    }
    assert rows == {c: (cls.severity.value, cls.title_zh, cls.title_en) for c, cls in RULES.items()}
