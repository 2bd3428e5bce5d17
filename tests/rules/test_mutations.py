"""Mutation suite: change one cell of 三 or 四 at a time in each clean fixture, re-parse, and expect exactly
the arithmetic findings that cell's equations imply, at the right place with the right expected value.

The expectations come from an oracle written here, independently of the rules: the list of equations of the
template (row totals, （七）总计, the 勾稽关系, report-made subtotals, the three 四 groups) and which cells each
contains. Each clean fixture itself must yield no finding at all.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests.rules.build_fixtures import ALL_SUBTOTALS, FIXTURES, spec_2019
from tests.rules.factories import APP_COLS, REVIEW_COLS, REVIEW_ROWS, Spec, clean_spec
from tests.rules.render import render
from worker.parse.models import Report
from worker.rules import run_checks

APPLICANTS = APP_COLS[:6]
GROUPS = {
    "subtotal_withheld": "withheld_",
    "subtotal_unavailable": "unavailable_",
    "subtotal_rejected": "rejected_",
    "subtotal_other": "other_",
}
FLOW_ROWS = ("new", "carried_over", "total", "carried_forward")
ARITHMETIC = {
    "T3_BALANCE",
    "T3_RESULT_SUM",
    "T3_COL_TOTAL",
    "T3_SUBTOTAL",
    "T4_REVIEW_TOTAL",
    "T4_DIRECT_TOTAL",
    "T4_AFTER_REVIEW_TOTAL",
}
T4_RULE = {
    "review": "T4_REVIEW_TOTAL",
    "litigation_direct": "T4_DIRECT_TOTAL",
    "litigation_after_review": "T4_AFTER_REVIEW_TOTAL",
}

Key = tuple[str, str | None, str | None, float, float]  # rule, row, col, expected, actual


@dataclass(frozen=True)
class Equation:
    """sum(plus) - sum(minus) == 0; ``rule``/``row``/``col`` say where the finding must point;
    ``expected_side`` is the side the rule reports as expected ("plus" or "minus")."""

    rule: str
    row: str | None
    col: str | None
    plus: tuple[tuple[str, str], ...]
    minus: tuple[tuple[str, str], ...]


def equations(apps: dict[str, list[int | None]]) -> list[Equation]:
    rows = list(apps)
    outcomes = [r for r in rows if r not in FLOW_ROWS and not r.startswith("subtotal_")]
    eqs = [
        Equation("T3_COL_TOTAL", r, "total", tuple((r, c) for c in APPLICANTS), ((r, "total"),)) for r in rows
    ]
    for col in APP_COLS:
        eqs.append(
            Equation("T3_RESULT_SUM", "total", col, tuple((r, col) for r in outcomes), (("total", col),))
        )
        eqs.append(
            Equation(
                "T3_BALANCE",
                None,
                col,
                (("new", col), ("carried_over", col)),
                (("total", col), ("carried_forward", col)),
            )
        )
        for sub, prefix in GROUPS.items():
            if sub in apps:
                parts = tuple((r, col) for r in outcomes if r.startswith(prefix))
                eqs.append(Equation("T3_SUBTOTAL", sub, col, parts, ((sub, col),)))
    return eqs


def value(grid: dict[str, list[int | None]], cell: tuple[str, str]) -> int:
    return grid[cell[0]][APP_COLS.index(cell[1])] or 0


def expected_findings(apps: dict[str, list[int | None]], mutated: tuple[str, str], new: int) -> set[Key]:
    changed = copy.deepcopy(apps)
    changed[mutated[0]][APP_COLS.index(mutated[1])] = new
    out: set[Key] = set()
    for eq in equations(apps):
        if mutated not in eq.plus and mutated not in eq.minus:
            continue
        plus = sum(value(changed, c) for c in eq.plus)
        minus = sum(value(changed, c) for c in eq.minus)
        if plus != minus:
            out.add((eq.rule, eq.row, eq.col, float(plus), float(minus)))
    return out


def review_findings(reviews: list[int | None], index: int, new: int) -> set[Key]:
    changed = list(reviews)
    changed[index] = new
    group = index // 5
    parts = sum(v or 0 for v in changed[group * 5 : group * 5 + 4])
    total = changed[group * 5 + 4] or 0
    return (
        {(T4_RULE[REVIEW_ROWS[group]], REVIEW_ROWS[group], "total", float(parts), float(total))}
        if parts != total
        else set()
    )


def mutate(old: int | None) -> int:
    return 2 if not old else old - 1


def mutations(spec: Spec) -> Iterator[tuple[str, Spec, set[Key]]]:
    for row, values in spec.apps.items():
        for i, col in enumerate(APP_COLS):
            new = mutate(values[i])
            changed = copy.deepcopy(spec)
            changed.apps[row][i] = new
            yield f"三 {row}.{col}", changed, expected_findings(spec.apps, (row, col), new)
    for i, old in enumerate(spec.reviews):
        new = mutate(old)
        changed = copy.deepcopy(spec)
        changed.reviews[i] = new
        yield f"四 {REVIEW_ROWS[i // 5]}.{REVIEW_COLS[i % 5]}", changed, review_findings(spec.reviews, i, new)


BASES = {
    "2021": (clean_spec(), "T3_BALANCE"),
    "2019": (spec_2019(), "FMT_2019_INCOMPLETE"),
    "2021_subtotals": (clean_spec(apps=ALL_SUBTOTALS), "T3_SUBTOTAL"),
}


def found(report: Report) -> tuple[set[Key], set[str]]:
    arithmetic: set[Key] = set()
    others: set[str] = set()
    for f in run_checks(report):
        if f.rule in ARITHMETIC:
            loc = f.location
            assert loc is not None and loc.line, f"{f.rule} without a source line: {f.message}"
            arithmetic.add((f.rule, loc.row, loc.col, float(f.expected), float(f.actual)))
        else:
            others.add(f.rule)
    return arithmetic, others


@pytest.mark.parametrize("base", sorted(BASES))
def test_every_single_cell_mutation_is_caught(base: str, parse_text: Callable[..., Report]) -> None:
    spec, fixture = BASES[base]
    text = render(spec)
    assert text == (FIXTURES / fixture / "good.txt").read_text(encoding="utf-8"), "fixture out of date"
    assert run_checks(parse_text(text)) == []
    tried = caught = 0
    for name, changed, expected in mutations(spec):
        tried += 1
        arithmetic, others = found(parse_text(render(changed)))
        assert expected, f"oracle found no equation for {name}"
        assert arithmetic == expected, f"{name}: expected {sorted(expected)}, got {sorted(arithmetic)}"
        # a stated total ("予以公开12件", "行政复议3件") also contradicts the text: right, and nothing else
        assert others <= {"TXT_TABLE_MISMATCH"}, f"{name}: unexpected {others}"
        caught += 1
    print(f"\nmutation suite {base}: tried {tried}, caught {caught}")
    assert tried == caught == len(spec.apps) * 7 + 15
