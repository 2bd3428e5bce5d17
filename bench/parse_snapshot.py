"""Snapshot of what the parser and the rules make of a wide corpus, to prove a speed change changes nothing.

    .venv/bin/python bench/parse_snapshot.py write /tmp/before.pickle   # on the commit before the change
    .venv/bin/python bench/parse_snapshot.py compare /tmp/before.pickle # after it: every case identical?

Corpus: every tests/samples/**/*.txt and the other sample formats (read_report); the seeds and the fixtures
on one line, with headings inline and with floating labels; random reports (tests/utils/gen.py) in every
text layout, as extracted grids (with and without spans), as docx/html/pdf; degraded valid reports
(tests/utils/degrade.py) with and without an injected error. For each case: ``report.model_dump()`` and
the findings of ``run_checks`` (or the error raised).
"""

from __future__ import annotations

import pickle
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RANDOM_REPORTS = 40  # per layout
DEGRADED_CASES = 300
FORMAT_REPORTS = 4


def _cases() -> Iterator[tuple[str, Callable[[], Any]]]:
    from tests.unit.parse.test_degraded import CLEAN, _floating, headings_inline, no_separators, one_line
    from tests.utils.degrade import make_case
    from tests.utils.gen import random_report
    from tests.utils.render_formats import render_docx, render_pdf, write_html
    from tests.utils.render_text import LAYOUTS, render_extracted, render_with_sections
    from worker.parse import parse_extracted, parse_text, read_report

    samples = ROOT / "tests" / "samples"
    for path in sorted(samples.rglob("*")):
        if path.is_file() and path.suffix != ".json" and "fonts" not in path.parts:
            yield f"file:{path.relative_to(samples)}", partial(read_report, path)
    for path in sorted(samples.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for form, change in (("one_line", one_line), ("inline", headings_inline), ("no_sep", no_separators)):
            yield f"{form}:{path.name}", partial(parse_text, change(text))
    for name, arrange in (("lines", lambda ls: ls), ("paragraph", lambda ls: [" ".join(ls)]),
                          ("lost", lambda ls: ls[1:])):  # fmt: skip
        yield f"floating:{name}", partial(parse_text, _floating(CLEAN, arrange))
    for layout in LAYOUTS:
        for seed in range(RANDOM_REPORTS):
            rng = random.Random(f"{layout}-{seed}")
            model = random_report(rng)
            text, _ = render_with_sections(model, layout, rng=rng, split_labels=seed % 2 == 1, noise=seed % 3 == 0)
            yield f"{layout}:{seed}", partial(parse_text, text)
            if seed % 4 == 0:
                yield f"{layout}:{seed}:one_line", partial(parse_text, one_line(text))
                yield f"{layout}:{seed}:inline", partial(parse_text, headings_inline(text))
    for seed in range(RANDOM_REPORTS):
        model = random_report(random.Random(f"grid-{seed}"))
        for spans in (True, False):
            extracted = render_extracted(model, rng=random.Random(seed), spans=spans)
            yield f"grid:{seed}:{spans}", partial(parse_extracted, extracted)
    tmp = Path(tempfile.gettempdir()) / "parse_snapshot"  # one place: the report's source is its path
    tmp.mkdir(exist_ok=True)
    for seed in range(FORMAT_REPORTS):
        model = random_report(random.Random(f"format-{seed}"))
        for path in (render_docx(model, tmp / f"{seed}.docx"), write_html(model, tmp / f"{seed}.html"),
                     render_pdf(model, tmp / f"{seed}.pdf")):  # fmt: skip
            yield f"format:{path.name}", partial(read_report, path)
    for seed in range(DEGRADED_CASES):
        case = make_case(seed, inject=seed % 2 == 1)
        yield f"degraded:{seed}", partial(parse_text, case.text)


def _outcome(make: Callable[[], Any]) -> Any:
    from worker.rules import run_checks

    try:
        report = make()
    except Exception as exc:  # noqa: BLE001 - the error is part of the outcome
        return ("error", type(exc).__name__, str(exc))
    findings = [f.model_dump() for f in run_checks(report)]
    return (report.model_dump(), report.canonical(), findings)


def snapshot() -> dict[str, Any]:
    import logging

    logging.disable(logging.CRITICAL)
    return {name: _outcome(make) for name, make in _cases()}


def main(argv: list[str]) -> int:
    command, path = argv[1], Path(argv[2])
    now = snapshot()
    if command == "write":
        path.write_bytes(pickle.dumps(now))
        print(f"{len(now)} cases written to {path}")
        return 0
    before = pickle.loads(path.read_bytes())
    differ = [name for name in before.keys() | now.keys() if before.get(name) != now.get(name)]
    print(f"{len(now)} cases, {len(differ)} differ")
    for name in sorted(differ)[:20]:
        print("  differs:", name)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
