"""Round-trip property: random report tables rendered in every layout parse back with every cell equal.

The models come from tests/utils/gen.py (both templates, random non-negative numbers, random blanks); the
renderers from tests/utils/render_text.py (random label splits and whitespace noise on request).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils.gen import random_report
from tests.utils.render_text import LAYOUTS, render_extracted, render_with_sections
from worker.parse import parse_extracted, parse_text


def _cell_diff(actual: dict, expected: dict, path: str = "") -> list[str]:
    out = []
    for key in set(actual) | set(expected):
        a, e = actual.get(key, "<absent>"), expected.get(key, "<absent>")
        if isinstance(e, dict) and isinstance(a, dict):
            out.extend(_cell_diff(a, e, f"{path}/{key}"))
        elif a != e or isinstance(a, float) != isinstance(e, float) and a is not None:
            out.append(f"{path}/{key}: parsed {a!r}, rendered {e!r}")
    return out


@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False), split=st.booleans(), noise=st.booleans())
def test_rendered_report_parses_back_cell_for_cell(
    layout: str, rnd: random.Random, split: bool, noise: bool
) -> None:
    model = random_report(rnd)
    text, sections = render_with_sections(model, layout, rng=rnd, split_labels=split, noise=noise)
    report = parse_text(text)
    canonical = report.canonical()
    assert _cell_diff(canonical["tables"], model["tables"]) == []
    assert canonical["template"] == model["template"]
    assert (canonical["organ"], canonical["year"]) == (model["organ"], model["year"])
    assert canonical["sections"] == sections
    assert canonical["meta"]["organ_path"] == model["meta"]["organ_path"]
    assert canonical["meta"]["published"] == model["meta"]["published"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False), noise=st.booleans(), spans=st.booleans())
def test_real_table_rows_parse_back_cell_for_cell(rnd: random.Random, noise: bool, spans: bool) -> None:
    """The grid layout: table rows as SourceLine.cells with merged regions resolved to "" (docx/html/pdf),
    with merge spans (docx, html) or without (pdf tables)."""
    model = random_report(rnd)
    report = parse_extracted(render_extracted(model, rng=rnd, noise=noise, spans=spans))
    assert _cell_diff(report.canonical()["tables"], model["tables"]) == []
    assert report.template == model["template"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_cell_has_a_location_on_its_line(layout: str) -> None:
    model = random_report(random.Random(7), blank_rate=0.0)
    text = render_with_sections(model, layout, rng=random.Random(7))[0]
    report = parse_text(text)
    lines = text.split("\n")
    grids = [("applications", report.tables.applications), ("reviews", report.tables.reviews)]
    grids += [(f"disclosure.{b}", rows) for b, rows in report.tables.disclosure.items()]
    for table, grid in grids:
        for row, cols in grid.items():
            for col, cell in cols.items():
                assert (cell.location.table, cell.location.row, cell.location.col) == (table, row, col)
                assert cell.location.line is not None
                assert cell.raw.replace(",", "") in lines[cell.location.line - 1].replace(",", "")
