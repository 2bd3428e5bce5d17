"""Properties over generated reports: any consistent report yields no finding at all, and any single changed
cell of 三 or 四 yields an arithmetic error (through the real parser)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rules.factories import APPS_2021, OVERVIEW, Spec, clean_spec
from tests.rules.render import render
from worker.parse.models import Report
from worker.rules import Severity, run_checks

OUTCOMES = [r for r in APPS_2021 if r not in ("new", "carried_over", "total", "carried_forward")]
ARITHMETIC = {
    "T3_BALANCE",
    "T3_RESULT_SUM",
    "T3_COL_TOTAL",
    "T4_REVIEW_TOTAL",
    "T4_DIRECT_TOTAL",
    "T4_AFTER_REVIEW_TOTAL",
}
count = st.integers(min_value=0, max_value=30)


@st.composite
def consistent_specs(draw: st.DrawFn) -> Spec:
    apps: dict[str, list[int | None]] = {}
    for row in OUTCOMES:
        values = [draw(count) if draw(st.booleans()) else 0 for _ in range(6)]
        apps[row] = [*values, sum(values)]
    total = [sum(apps[r][i] or 0 for r in OUTCOMES) for i in range(6)]
    carried_over = [draw(st.integers(0, 5)) for _ in range(6)]
    carried_forward = [draw(st.integers(0, total[i] + carried_over[i])) for i in range(6)]
    new = [total[i] + carried_forward[i] - carried_over[i] for i in range(6)]
    rows: dict[str, list[int]] = {
        "new": new,
        "carried_over": carried_over,
        "total": total,
        "carried_forward": carried_forward,
    }
    ordered: dict[str, list[int | None]] = {}
    for row in APPS_2021:
        values = rows[row] + [sum(rows[row])] if row in rows else apps[row]
        ordered[row] = list(values)
    reviews: list[int | None] = []
    for _ in range(3):
        parts = [draw(st.integers(0, 4)) for _ in range(4)]
        reviews += [*parts, sum(parts)]
    overview = list(OVERVIEW)
    overview[2] = (
        f"（二）依申请公开情况。全年共收到政府信息公开申请{ordered['new'][6]}件，予以公开{ordered['granted'][6]}件。"
    )
    overview[5] = (
        f"（五）监督保障。被申请行政复议{reviews[4]}件，提起行政诉讼{(reviews[9] or 0) + (reviews[14] or 0)}件。"
    )
    return clean_spec(apps=ordered, reviews=reviews, overview=overview)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=consistent_specs())
def test_consistent_reports_yield_no_finding(spec: Spec, parse_text: Callable[..., Report]) -> None:
    assert [(f.rule, f.message) for f in run_checks(parse_text(render(spec)))] == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=consistent_specs(), data=st.data())
def test_any_changed_cell_is_an_arithmetic_error(
    spec: Spec, data: Any, parse_text: Callable[..., Report]
) -> None:
    if data.draw(st.booleans(), label="in 四"):
        index = data.draw(st.integers(0, 14), label="cell")
        spec.reviews[index] = (spec.reviews[index] or 0) + data.draw(st.integers(1, 5), label="delta")
    else:
        row = data.draw(st.sampled_from(list(spec.apps)), label="row")
        col = data.draw(st.integers(0, 6), label="col")
        spec.apps[row][col] = (spec.apps[row][col] or 0) + data.draw(st.integers(1, 5), label="delta")
    found = run_checks(parse_text(render(spec)))
    assert {f.rule for f in found if f.severity is Severity.ERROR} & ARITHMETIC
