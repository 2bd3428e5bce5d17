"""Valid reports, one injected arithmetic error, and the degraded text forms real reports reach us in.

``valid_report(rng)`` is a canonical dict (tests/utils/gen.py) whose tables add up in every direction: each 三
row total is the sum of its six applicant columns, （七）总计 the sum of the outcome rows, the balance holds
per column, and each 四 group total is the sum of its four results. A blank cell stands only for a 0.

``inject_error(model, rng)`` adds 1..5 to one cell of 三 or 四 and says which. ``degrade(text, rng, ...)``
changes the table rows of a rendered text (tests/utils/render_text.py) as web pages and PDFs do when their
separators are lost: adjacent value cells run together (``3000003``), partly spaced (``10 0 00 0 1``), and
optionally one character of a 三 row label changed. Only the tables (section 二 up to section 五) are touched.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from tests.utils.gen import APP_COLS, APP_ROWS, REVIEW_COLS, REVIEW_ROWS, random_report

KINDS = ("joined", "spaced", "typo")  # what ``degrade`` may do
OUTCOMES = {
    t: tuple(r for r in rows if r not in ("new", "carried_over", "total", "carried_forward"))
    for t, rows in APP_ROWS.items()
}
_VALUE = re.compile(r"^(?:\d[\d,]*(?:\.\d+)?(?:万元)?|[+-]\d+|[-/—无空]|)$")
_NUMBERING = re.compile(r"^(?:\d+\.|（[一二三四五六七]）|[一二三四]、)")


def _small(rng: random.Random, zero_rate: float) -> int:
    roll = rng.random()
    if roll < zero_rate:
        return 0
    if roll < 0.93:
        return rng.randint(1, 12)
    if roll < 0.99:
        return rng.randint(13, 300)
    return rng.randint(301, 2500)


def valid_report(rng: random.Random, *, template: str | None = None) -> dict[str, Any]:
    """A canonical report dict whose 三 and 四 add up in every direction (blank cells only where 0)."""
    model = random_report(rng, template=template, blank_rate=0.0)
    template = model["template"]
    zero_rate = rng.choice((0.5, 0.7, 0.9))
    blank_rate = rng.choice((0.0, 0.0, 0.1, 0.4))
    apps: dict[str, list[int]] = {}
    for row in OUTCOMES[template]:
        parts = [_small(rng, zero_rate) for _ in range(6)]
        apps[row] = [*parts, sum(parts)]
    total = [sum(apps[r][i] for r in OUTCOMES[template]) for i in range(7)]
    carried_over = [_small(rng, 0.8) for _ in range(6)]
    forward = [rng.randint(0, 5) if rng.random() < 0.3 else 0 for _ in range(6)]
    new = [total[i] + forward[i] - carried_over[i] for i in range(6)]
    forward = [forward[i] - min(new[i], 0) for i in range(6)]  # more carried over than handled: carry it on
    new = [total[i] + forward[i] - carried_over[i] for i in range(6)]
    carried_over.append(sum(carried_over))
    forward.append(sum(forward))
    new.append(sum(new))
    apps |= {"new": new, "carried_over": carried_over, "total": total, "carried_forward": forward}
    model["tables"]["applications"] = {
        row: {col: _blank(rng, apps[row][i], blank_rate) for i, col in enumerate(APP_COLS)}
        for row in APP_ROWS[template]
    }
    reviews: dict[str, dict[str, int | None]] = {}
    for row in REVIEW_ROWS:
        parts = [min(_small(rng, zero_rate), 40) if rng.random() < 0.5 else 0 for _ in range(4)]
        values = [*parts, sum(parts)]
        reviews[row] = {col: _blank(rng, v, blank_rate) for col, v in zip(REVIEW_COLS, values, strict=True)}
    model["tables"]["reviews"] = reviews
    # a county department publishes by 31 January: keep the date rules quiet
    model["meta"]["published"] = f"{model['year'] + 1}-01-{rng.randint(5, 28):02d}"
    return model


def _blank(rng: random.Random, value: int, rate: float) -> int | None:
    return None if value == 0 and rng.random() < rate else value


@dataclass(frozen=True)
class Injected:
    table: str  # "applications" | "reviews"
    row: str
    col: str
    delta: int


def inject_error(model: dict[str, Any], rng: random.Random) -> Injected:
    """Add 1..5 to one cell of 三 or 四: the tables no longer add up (every sum through that cell fails)."""
    table = rng.choice(("applications", "applications", "reviews"))
    grid = model["tables"][table]
    row = rng.choice(list(grid))
    col = rng.choice(list(grid[row]))
    if table == "reviews" and grid[row]["total"] is None:
        col = "total"  # a blank group total with parts is a warning (blank), not an arithmetic error
    if table == "applications" and grid[row]["total"] is None:
        col = "total"
    delta = rng.randint(1, 5)
    grid[row][col] = (grid[row][col] or 0) + delta
    return Injected(table, row, col, delta)


# ---------------------------------------------------------------------------------------------------------
# Degrading the rendered text
# ---------------------------------------------------------------------------------------------------------


def _is_value(text: str) -> bool:
    return bool(_VALUE.match(text.strip()))


def _joinable(text: str) -> bool:
    """Cells that lose their separators here: plain digits and empty cells (placeholders, signs, commas and
    decimals keep theirs: see docs/quality.md)."""
    return not text.strip() or text.strip().isdigit()


def _glue(rng: random.Random, left: str, right: str, spaced: float) -> str:
    """Two adjacent cells once their separator is lost: run together, or (partly spaced) one space."""
    if left and right and rng.random() < spaced:
        return f"{left} {right}"
    return left + right


def _join_cells(rng: random.Random, cells: list[str], start: int, p: float, spaced: float) -> list[str]:
    """Drop each separator between the value cells from ``start`` on with probability ``p``."""
    out = cells[:start]
    block = cells[start:]
    if not block:
        return cells
    acc = block[0]
    for cell in block[1:]:
        if rng.random() < p and _joinable(acc.replace(" ", "")) and _joinable(cell):
            acc = _glue(rng, acc, cell, spaced)
        else:
            out.append(acc)
            acc = cell
    out.append(acc)
    return out


def _value_start(cells: list[str]) -> int | None:
    """Where the trailing run of value cells of a row starts (None: no digit among them)."""
    start = len(cells)
    while start > 0 and _is_value(cells[start - 1]):
        start -= 1
    if not any(ch.isdigit() for c in cells[start:] for ch in c):
        return None
    return start


def _typo(rng: random.Random, label: str) -> str:
    """One character of a label changed (replaced or dropped), never its numbering."""
    head = _NUMBERING.match(label)
    keep = head.end() if head else 0
    if len(label) - keep < 6:
        return label
    i = rng.randrange(keep, len(label))
    if rng.random() < 0.5:
        return label[:i] + label[i + 1 :]
    return label[:i] + rng.choice("之的和与其及") + label[i + 1 :]


def _typo_line(rng: random.Random, line: str, rate: float) -> str:
    """Change one character of a 三 row label on this line (numbered labels of four characters or more)."""
    if rng.random() >= rate:
        return line
    for sep in ("\t", "|", " "):
        parts = line.split(sep)
        for i, part in enumerate(parts):
            core = part.strip()
            if re.match(r"^\d\.\S{6,}$", core) and not _is_value(core):
                parts[i] = part.replace(core, _typo(rng, core))
                return sep.join(parts)
    return line


def degrade(
    text: str,
    sections: list[dict[str, Any]],
    rng: random.Random,
    *,
    p: float = 0.5,
    spaced: float = 0.0,
    typo: float = 0.0,
) -> str:
    """The tables of ``text`` with separators lost between value cells.

    Args:
        text: a report rendered by render_text.py.
        sections: the sections it printed (``render_with_sections``): tables lie from 二 to 五.
        p: the chance that each separator between two adjacent value cells is lost.
        spaced: the chance that a lost separator leaves one space (partly spaced digits).
        typo: the chance that a numbered 三 row label on a line gets one character changed.
    """
    lines = text.split("\n")
    begin = next(s["line"] for s in sections if s["no"] == 2)
    end = next(s["line"] for s in sections if s["no"] == 5) - 1
    out = lines[:begin]
    i = begin
    while i < end:
        line = lines[i]
        if typo:
            line = _typo_line(rng, line, typo)
        one_cell = _one_cell(line)
        if one_cell is not None:
            run = [line]
            while i + 1 < end and _one_cell(lines[i + 1]) is not None:
                i += 1
                run.append(lines[i])
            out.extend(_join_lines(rng, run, p, spaced))
        else:
            out.append(_join_row(rng, line, p, spaced))
        i += 1
    out.extend(lines[end:])
    return "\n".join(out)


def _one_cell(line: str) -> str | None:
    """The value of a one-cell-per-line line ("\\t3", "3 |", "|", a bare "3"), else None."""
    if line.startswith("\t") and line.count("\t") == 1:
        core = line[1:]
    elif line.endswith(" |") and line.count("|") == 1:
        core = line[:-2]
    elif line == "|":
        core = ""
    elif line.strip() and "\t" not in line and "|" not in line and " " not in line.strip():
        core = line.strip()
        if not core or not core[0].isdigit():
            return None
    else:
        return None
    return core if _is_value(core) else None


def _wrap(template: str, value: str) -> str:
    if template.startswith("\t"):
        return "\t" + value
    if template.endswith("|"):
        return f"{value} |" if value else "|"
    return value


def _join_lines(rng: random.Random, run: list[str], p: float, spaced: float) -> list[str]:
    """One cell per line: adjacent value lines merge into one when their separator (the line break) is lost."""
    values = [_one_cell(line) or "" for line in run]
    if not any(ch.isdigit() for v in values for ch in v):
        return run
    out: list[str] = []
    acc_line, acc = run[0], values[0]
    for line, value in zip(run[1:], values[1:], strict=True):
        if rng.random() < p and _joinable(acc.replace(" ", "")) and _joinable(value):
            acc = _glue(rng, acc, value, spaced)
        else:
            out.append(_wrap(acc_line, acc))
            acc_line, acc = line, value
    out.append(_wrap(acc_line, acc))
    return out


def _join_row(rng: random.Random, line: str, p: float, spaced: float) -> str:
    if "\t" in line:
        cells = line.split("\t")
        start = _value_start(cells)
        return line if start is None else "\t".join(_join_cells(rng, cells, start, p, spaced))
    if line.startswith("|") and line.endswith("|") and "---" not in line:
        cells = [c.strip() for c in line.strip("|").split("|")]
        start = _value_start(cells)
        if start is None:
            return line
        return "| " + " | ".join(_join_cells(rng, cells, start, p, spaced)) + " |"
    words = line.split(" ")
    start = _value_start(words)
    if start is None or start == len(words):
        return line
    joined = _join_cells(rng, [w for w in words[start:]], 0, p, spaced)
    return " ".join([*words[:start], *joined])


@dataclass
class Case:
    """One generated case: the model (the truth), its degraded text, how it was made."""

    seed: int
    model: dict[str, Any]
    text: str
    layout: str
    p: float
    spaced: float
    typo: float
    injected: Injected | None


def make_case(seed: int, *, inject: bool, typo: bool = True) -> Case:
    """A valid report (with one injected error when ``inject``) rendered in a random text layout, degraded."""
    from tests.utils.render_text import LAYOUTS, render_with_sections

    rng = random.Random(seed)
    model = valid_report(rng)
    injected = inject_error(model, rng) if inject else None
    layout = rng.choice(LAYOUTS)
    text, sections = render_with_sections(model, layout, rng=rng, noise=rng.random() < 0.3)
    text = text.replace("全年未收到申请。", "依法办理。")  # the renderer's prose, not about these tables
    p = rng.choice((0.0, 0.2, 0.5, 0.8, 1.0))
    spaced = rng.choice((0.0, 0.0, 0.5))
    typo_rate = rng.choice((0.0, 0.0, 0.2)) if typo else 0.0
    text = degrade(text, sections, rng, p=p, spaced=spaced, typo=typo_rate)
    return Case(seed, model, text, layout, p, spaced, typo_rate, injected)
