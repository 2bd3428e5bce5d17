"""The committed hand-made samples (tests/samples/formats/report_*) all publish report_expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from worker.parse import read_report

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "formats"
EXPECTED = json.loads((SAMPLES / "report_expected.json").read_text(encoding="utf-8"))
FULL = sorted(p.name for p in SAMPLES.glob("report_*") if p.suffix != ".json" and p.name != "report_aligned.pdf")


@pytest.mark.parametrize("name", FULL)
def test_committed_sample_parses_to_the_expected_report(name: str) -> None:
    got = read_report(SAMPLES / name).canonical()
    assert (got["organ"], got["year"], got["template"]) == (EXPECTED["organ"], EXPECTED["year"], "2021")
    assert got["tables"] == EXPECTED["tables"]
    assert [s["key"] for s in got["sections"]] == ["overview", "disclosure", "applications", "reviews", "problems",
                                                    "other"]
    assert got["meta"]["published"] == "2024-01-20"


def test_whitespace_aligned_pdf_gives_its_table() -> None:
    got = read_report(SAMPLES / "report_aligned.pdf").canonical()
    assert got["tables"]["disclosure"]["art20_1"] == {
        "rules": {"issued": 5, "repealed": 0, "in_force": 12},
        "normative_docs": {"issued": 3, "repealed": 1, "in_force": 20},
    }
