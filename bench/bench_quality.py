"""Quality of reading degraded text (issue 11): how many cells are read with certainty, how many are left
ambiguous, and how many findings are false (must be 0).

Two corpora:

* the sample corpus (tests/samples/seeds/*.txt and tests/samples/*.txt, each with its hand-checked
  ``.expected.json``), as published and in degraded forms: separators between value cells lost with chance
  ``p`` (``3000003``), lost or left as one space (``10 0 00 0 1``); tests/utils/degrade.py does it;
* generated valid reports (tests/utils/degrade.py ``make_case``: every layout of render_text.py, random
  degradation), and the same with one injected arithmetic error.

Per form: cells of 二/三/四 in the truth, the share read with certainty (cell and row certain), the share
ambiguous, certain cells that are wrong (must be 0), and false findings: error findings of a degraded form
that its clean form does not have (corpus), or any error finding on a valid report (generated). For injected
errors: how often the row with the error was read with certainty, and how often the error was then found.

``NIANBAO_QUALITY_CASES`` (default 150) sets the number of generated cases of each kind. Returns 1 when a false
finding or a wrong certain cell was seen.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = int(os.environ.get("NIANBAO_QUALITY_CASES", "150"))
FORMS = (("published", 0.0, 0.0), ("joined p=0.3", 0.3, 0.0), ("joined p=0.6", 0.6, 0.0),
         ("joined p=1", 1.0, 0.0), ("partly spaced p=0.6", 0.6, 0.5), ("partly spaced p=1", 1.0, 0.5))  # fmt: skip


@dataclass
class Tally:
    reports: int = 0
    cells: int = 0
    certain: int = 0
    ambiguous: int = 0
    wrong: int = 0
    false_findings: int = 0
    unreadable_tables: int = 0
    notes: list[str] = field(default_factory=list)

    def row(self, name: str) -> str:
        share = (lambda k: f"{100 * k / self.cells:5.1f}%") if self.cells else (lambda k: "    -")
        return (f"{name:<22} {self.reports:>7} {self.cells:>7} {share(self.certain):>9} {share(self.ambiguous):>9}"
                f" {self.wrong:>6} {self.false_findings:>6} {self.unreadable_tables:>6}")  # fmt: skip


HEADER = (f"{'form':<22} {'reports':>7} {'cells':>7} {'certain':>9} {'ambiguous':>9} {'wrong':>6} {'false':>6}"
          f" {'unread':>6}")


def _truth(tables: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    out: dict[tuple[str, str, str], Any] = {}
    for block, rows in tables.get("disclosure", {}).items():
        for row, cols in rows.items():
            out |= {(f"disclosure.{block}", row, col): v for col, v in cols.items()}
    for table in ("applications", "reviews"):
        for row, cols in tables.get(table, {}).items():
            out |= {(table, row, col): v for col, v in cols.items()}
    return out


def _count(tally: Tally, report: Any, truth: dict[tuple[str, str, str], Any], name: str) -> None:
    tally.reports += 1
    parsed = _truth({"disclosure": report.tables.disclosure, "applications": report.tables.applications,
                     "reviews": report.tables.reviews})  # fmt: skip
    tally.cells += len(truth)
    for key in truth:
        cell = parsed.get(key)
        if cell is None:  # a cell of an ambiguous row the reading could not place
            tally.ambiguous += 1
            continue
        if cell.is_certain and report.is_certain(key[0], key[1]):
            tally.certain += 1
            if cell.value != truth[key]:
                tally.wrong += 1
                tally.notes.append(f"{name}: {'/'.join(key)} read {cell.value!r}, is {truth[key]!r}")
        else:
            tally.ambiguous += 1
    for key, cell in parsed.items():  # a certain cell the truth does not have is wrong too
        if key not in truth and cell.is_certain and report.is_certain(key[0], key[1]):
            tally.wrong += 1
            tally.notes.append(f"{name}: {'/'.join(key)} read {cell.value!r}, absent")
    tally.unreadable_tables += sum(1 for r in report.table_reads.values() if not r.is_certain)


def _errors(findings: list[Any]) -> set[tuple[str, str | None, str | None, str | None]]:
    from worker.rules.base import Severity

    return {(f.rule, f.location.table if f.location else None, f.location.row if f.location else None,
             f.location.col if f.location else None) for f in findings if f.severity is Severity.ERROR}  # fmt: skip


def corpus() -> list[Path]:
    samples = ROOT / "tests" / "samples"
    return sorted((samples / "seeds").glob("*.txt")) + sorted(samples.glob("*.txt"))


def bench_corpus(consistent: bool | None = None) -> dict[str, Tally]:
    """Tallies per form; ``consistent``: only the reports whose tables add up (True), only the others
    (False: fixtures generated with random numbers), or all (None)."""
    from tests.utils.degrade import degrade
    from worker.parse import parse_text
    from worker.rules import run_checks

    tallies = {name: Tally() for name, _, _ in FORMS}
    for path in corpus():
        expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
        truth = _truth(expected["tables"])
        text = path.read_text(encoding="utf-8")
        clean = parse_text(text, source=path.name)
        baseline = _errors(run_checks(clean))
        adds_up = not any(rule.startswith(("T3_", "T4_")) for rule, *_ in baseline)
        if consistent is not None and adds_up != consistent:
            continue
        sections = [{"no": s.no, "line": s.line} for s in clean.sections]
        if not any(s["no"] == 2 for s in sections):
            continue
        if not any(s["no"] == 5 for s in sections):
            sections.append({"no": 5, "line": len(text.split("\n"))})
        for name, p, spaced in FORMS:
            form = text if p == 0 else degrade(text, sections, random.Random(f"{path.name}/{name}"), p=p, spaced=spaced)
            report = parse_text(form, source=path.name)
            _count(tallies[name], report, truth, f"{path.name} {name}")
            false = _errors(run_checks(report)) - baseline
            tallies[name].false_findings += len(false)
            tallies[name].notes.extend(f"{path.name} {name}: false {f}" for f in sorted(false, key=str))
    return tallies


def bench_generated() -> tuple[Tally, Tally, dict[str, int]]:
    from tests.utils.degrade import make_case
    from worker.parse import parse_text
    from worker.rules import run_checks

    valid, injected = Tally(), Tally()
    found = {"certain_row": 0, "found": 0}
    for seed in range(CASES):
        case = make_case(seed, inject=False, typo=False)
        report = parse_text(case.text)
        _count(valid, report, _truth(case.model["tables"]), f"valid {seed}")
        errors = _errors(run_checks(report))
        valid.false_findings += len(errors)
        valid.notes.extend(f"valid {seed} ({case.layout}, p={case.p}): false {e}" for e in sorted(errors, key=str))
    for seed in range(CASES):
        case = make_case(seed, inject=True, typo=False)
        assert case.injected is not None
        report = parse_text(case.text)
        _count(injected, report, _truth(case.model["tables"]), f"injected {seed}")
        where = case.injected
        if where.row in getattr(report.tables, where.table) and report.is_certain(where.table, where.row):
            found["certain_row"] += 1
            if any(rule.startswith(("T3_", "T4_")) for rule, *_ in _errors(run_checks(report))):
                found["found"] += 1
    return valid, injected, found


def main() -> int:
    import logging

    import structlog

    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    tallies: dict[str, Tally] = {}
    for subset, title in ((True, "whose tables add up (seeds, hand_*, real_*)"),
                          (False, "with random numbers (generated fixtures: no sum holds)")):  # fmt: skip
        print(f"sample corpus (tests/samples/seeds + tests/samples) {title}, published and degraded:")
        print(HEADER)
        part = bench_corpus(subset)
        for name, tally in part.items():
            print(tally.row(name))
            tallies[f"{subset} {name}"] = tally
    valid, injected, found = bench_generated()
    print(f"generated reports ({CASES} of each kind, every text layout, random degradation):")
    print(HEADER)
    print(valid.row("valid"))
    print(injected.row("one injected error"))
    share = f"{100 * found['found'] / found['certain_row']:.1f}%" if found["certain_row"] else "-"
    print(f"injected error: row read with certainty in {found['certain_row']} of {CASES} cases; found in "
          f"{found['found']} of those ({share})")  # fmt: skip
    print(f"(certain = cell and row read with certainty; wrong = certain but not the true value; false = error "
          f"findings a degraded form has and its clean form has not; {time.perf_counter() - started:.1f} s)")
    bad = [*(n for t in tallies.values() for n in t.notes), *valid.notes, *injected.notes]
    for note in bad[:20]:
        print("  !", note)
    failed = sum(t.wrong + t.false_findings for t in (*tallies.values(), valid, injected)) > 0
    failed = failed or found["found"] != found["certain_row"]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
