"""The parser against the corpus: every seed and every fixture report parses to its expected canonical JSON.

The seeds and their hand-checked expected JSON live in tests/samples/seeds/.
Fixtures are tests/samples/<name>.txt with tests/samples/<name>.expected.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from worker.parse import read_report

SAMPLES = Path(__file__).parent / "samples"
SEED_EXPECTED = sorted((SAMPLES / "seeds").glob("*.expected.json"))
FIXTURES = sorted(p for p in SAMPLES.glob("*.txt"))


def _diff(actual: object, expected: object, path: str = "") -> list[str]:
    """Readable differences, cell by cell."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                out.append(f"{path}/{key}: missing")
            elif key not in expected:
                out.append(f"{path}/{key}: unexpected {actual[key]!r}")
            else:
                out.extend(_diff(actual[key], expected[key], f"{path}/{key}"))
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            d
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for d in _diff(a, e, f"{path}[{i}]")
        ]
    if actual != expected or isinstance(actual, bool) != isinstance(expected, bool):
        return [f"{path}: {actual!r} != expected {expected!r}"]
    return []


@pytest.mark.parametrize("expected_path", SEED_EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_seed_parses_to_expected(seeds_dir: Path, expected_path: Path) -> None:
    seed = seeds_dir / (expected_path.name.removesuffix(".expected.json") + ".txt")
    report = read_report(seed)
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert _diff(report.canonical(), expected) == []


@pytest.mark.parametrize("sample", FIXTURES, ids=lambda p: p.stem)
def test_fixture_parses_to_expected(sample: Path) -> None:
    expected = json.loads(sample.with_suffix(".expected.json").read_text(encoding="utf-8"))
    report = read_report(sample)
    assert _diff(report.canonical(), expected) == []


def test_corpus_is_large_and_varied() -> None:
    assert len(SEED_EXPECTED) == 5
    assert len(FIXTURES) >= 20
    templates = {
        json.loads(p.with_suffix(".expected.json").read_text(encoding="utf-8"))["template"] for p in FIXTURES
    }
    assert {"2019", "2021"} <= templates
