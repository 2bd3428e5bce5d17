"""Degraded rows whose separators were lost: every reading of the row, accepted only when it is the only one.

Text taken from web pages and PDFs loses the separators between cells: ``3000003`` or ``10 0 00 0 1`` for
a row of seven cells, ``label\\t10\\t00001`` in a tab row, ``| 3000003 |`` in a pipe row. A cell left empty
then vanishes too (``1``, ``""``, ``0`` joined is ``10``). The model of a row read from text (``readings``):

* the row prints visible *pieces* (the cells between the separators that are left): runs of plain digits,
  blanks or placeholders, and other values (``1,234``, ``3.5``, ``+3``, ``12万元``);
* blank pieces at either end may be merged-region fillers, not cells of the row;
* every other piece stands for one cell or more, in order: a digit run for numbers (a cut piece has 1 to
  ``MAX_CELL_DIGITS`` digits and never starts with 0 unless it is ``0``; the whole run as one cell may be
  longer) with blank cells possibly hidden between or around them; a blank piece for blank cells; another
  value for itself, blank cells possibly hidden around it.

``read_row`` decides (docs/parser.md, "When a split is accepted"): the row as printed is kept when it is
complete, well formed and satisfies the row's own constraint (in a strict table: the only reading that
does), or when it fails and no other reading fits; a row the printed reading cannot stand for is
reconstructed when exactly one reading satisfies the constraint; else it is ``ambiguous`` with its
candidates. ``narrow_by_columns`` then uses the column totals of 三 across rows (（七）总计 = the outcome rows,
the balance, a report's own subtotals) to settle or reject the candidates of 三.

Bounds, so that hostile input cannot blow up: at most ``MAX_ROW_DIGITS`` digits per row, at most
``MAX_NODES`` steps of the search of one row's readings, at most ``MAX_SEARCH_NODES`` steps across rows;
past a bound the row is ambiguous. ``splits``/``count_splits`` (splits into number cells only, counted by
dynamic programming against ``MAX_SPLITS``) remain for callers of the first version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

MAX_CELL_DIGITS = 6  # a cut cell of 二 (decisions, items); 三 cuts at most 5, 四 at most 4 (``_MAX_DIGITS``)
MAX_ROW_DIGITS = 60
MAX_SPLITS = 2000
MAX_NODES = 40000
MAX_SEARCH_NODES = 20000

Number = int | float
Split = tuple[int, ...]
Reading = tuple[Number | None, ...]  # one value per cell; None for a blank cell
Holds = Callable[[Reading], bool]
_DIGITS = re.compile(r"^\d+$")

PieceKind = Literal["run", "blank", "value"]


def is_digit_run(text: str) -> bool:
    """A cell text made of plain digits only (no sign, comma, decimal point or unit)."""
    return bool(_DIGITS.match(text))


def _valid(text: str) -> bool:
    """A number as reports print it: no leading zero (``05``, ``00``)."""
    return text == "0" or not text.startswith("0")


@dataclass(frozen=True, slots=True)
class Piece:
    """One visible cell of a text row: a digit run, a blank (or placeholder), or another value."""

    text: str
    kind: PieceKind
    value: Number | None = None


@lru_cache(maxsize=4096, typed=True)
def piece(text: str, value: Number | None, blank: bool) -> Piece:
    """The piece of a cell text and its parsed value (pieces are immutable: rows repeat the same few texts,
    so each is made once)."""
    if blank:
        return Piece(text, "blank")
    if is_digit_run(text):
        return Piece(text, "run", int(text))
    return Piece(text, "value", value)


# ---------------------------------------------------------------------------------------------------------
# Splits of one digit run (blank cells allowed in between when it stands for several cells)
# ---------------------------------------------------------------------------------------------------------


class _Budget(Exception):
    """The search passed ``MAX_NODES``."""


class _Enough(Exception):
    """The search found as many readings as the caller asked for."""


def _search(
    core: Sequence[Piece],
    n: int,
    prefix_ok: Callable[[Reading], bool] | None,
    out: set[Reading],
    budget: list[int],
    most: int,
    stop: int,
) -> None:
    """Every reading of ``core`` as exactly ``n`` cells (each piece at least one cell), cell by cell.

    ``prefix_ok`` prunes a partial reading (四 checks each group of five as soon as it is complete).
    """
    m = len(core)

    def tick() -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise _Budget

    def add(cells: Reading, extra: Reading) -> Reading | None:
        new = cells + extra
        if prefix_ok is not None:
            for j in range(len(cells) + 1, len(new) + 1):
                if not prefix_ok(new[:j]):
                    return None
        return new

    def room(i: int, cells: Reading) -> int:
        """Cells still free for piece ``i`` once every later piece has one."""
        return n - len(cells) - (m - i - 1)

    def nxt(i: int, cells: Reading) -> None:
        tick()
        if i == m:
            if len(cells) == n:
                out.add(cells)
                if len(out) >= stop:
                    raise _Enough
            return
        p = core[i]
        free = room(i, cells)
        if free < 1:
            return
        if p.kind == "blank":
            for j in range(1, free + 1):
                if (new := add(cells, (None,) * j)) is not None:
                    nxt(i + 1, new)
            return
        if p.kind == "value":
            for j in range(1, free + 1):
                for t in range(j):
                    if (new := add(cells, (None,) * t + (p.value,) + (None,) * (j - 1 - t))) is not None:
                        nxt(i + 1, new)
            return
        s = p.text
        if _valid(s) and (new := add(cells, (int(s),))) is not None:
            nxt(i + 1, new)  # the run as printed: one cell
        if len(s) > most and _valid(s):  # one long number with blank cells hidden around it
            for j in range(2, free + 1):
                for t in range(j):
                    if (new := add(cells, (None,) * t + (int(s),) + (None,) * (j - 1 - t))) is not None:
                        nxt(i + 1, new)
        if free >= 2:
            cut(i, 0, 0, cells)

    def cut(i: int, off: int, made: int, cells: Reading) -> None:
        """Piece ``i`` (a run) as two cells or more: blanks and cut numbers, from ``off`` on."""
        tick()
        s = core[i].text
        if off == len(s) and made >= 2:
            nxt(i + 1, cells)
        free = room(i, cells)
        if free < 1 or -(-(len(s) - off) // most) > free:
            return
        if (new := add(cells, (None,))) is not None and free >= 1:
            cut(i, off, made + 1, new)
        for size in range(1, min(most, len(s) - off) + 1):
            head = s[off : off + size]
            if _valid(head) and (new := add(cells, (int(head),))) is not None:
                cut(i, off + size, made + 1, new)

    nxt(0, ())


def readings(
    pieces: Sequence[Piece],
    n: int,
    holds: Holds | None = None,
    prefix_ok: Callable[[Reading], bool] | None = None,
    most: int = MAX_CELL_DIGITS,
    stop: int = 0,
) -> tuple[list[Reading], bool]:
    """Every reading of a text row's pieces as ``n`` cells that satisfies ``holds``.

    Returns:
        (the readings, sorted, without duplicates; whether the enumeration was complete). Incomplete (past
        ``MAX_ROW_DIGITS`` digits or ``MAX_NODES`` search steps) means the caller must not rely on it.
    """
    if n < 1 or sum(len(p.text) for p in pieces if p.kind == "run") > MAX_ROW_DIGITS:
        return [], False
    m = len(pieces)
    lead = next((i for i, p in enumerate(pieces) if p.kind != "blank"), m)
    trail = next((i for i, p in enumerate(reversed(pieces)) if p.kind != "blank"), m)
    if m == n and lead == trail == 0:
        return _one_cell_each(pieces, holds, prefix_ok), True
    found: set[Reading] = set()
    budget = [MAX_NODES]
    try:
        for a in range(lead + 1):
            for b in range(trail + 1):
                if a + b >= m:
                    continue
                core = pieces[a : m - b]
                if len(core) <= n:
                    _search(core, n, prefix_ok, found, budget, most, stop or MAX_NODES + 1)
    except _Budget:
        return [], False
    except _Enough:
        pass  # ``stop`` readings found (only without ``holds``: the caller asks whether there is another)
    left = [r for r in found if holds is None or holds(r)]
    return sorted(left, key=_sort_key), True


def _one_cell_each(
    pieces: Sequence[Piece], holds: Holds | None, prefix_ok: Callable[[Reading], bool] | None
) -> list[Reading]:
    """``readings`` of ``n`` pieces as ``n`` cells, no blank piece at either end: what the search would find.

    Every piece must be at least one cell, so each is exactly one: a blank its blank, a value itself, a digit
    run the run as printed (a run is cut only into two cells or more, and may not start with 0). So there
    is one reading at most (none with a leading zero), kept when every prefix passes ``prefix_ok`` and the
    whole ``holds``. With no filler at the ends it is the only part of the row searched, in ``n + 1`` steps,
    far below ``MAX_NODES``.
    """
    cells: list[Number | None] = []
    for p in pieces:
        if p.kind == "run" and not _valid(p.text):
            return []
        cells.append(None if p.kind == "blank" else int(p.text) if p.kind == "run" else p.value)
        if prefix_ok is not None and not prefix_ok(tuple(cells)):
            return []
    reading = tuple(cells)
    return [reading] if holds is None or holds(reading) else []


def _sort_key(r: Reading) -> tuple[tuple[int, float], ...]:
    return tuple((0, 0.0) if v is None else (1, float(v)) for v in r)


# ---------------------------------------------------------------------------------------------------------
# The row's own constraints
# ---------------------------------------------------------------------------------------------------------


def _n(v: Number | None) -> Number:
    return 0 if v is None else v


def row_total_holds(split: Reading) -> bool:
    """三: the last cell (总计) is the sum of the six applicant columns (a blank counts as 0)."""
    return abs(sum(_n(v) for v in split[:-1]) - _n(split[-1])) < 1e-9


def review_groups_hold(split: Reading) -> bool:
    """四: each group of five ends with the sum of its four results (a blank counts as 0)."""
    return all(
        abs(sum(_n(v) for v in split[i : i + 4]) - _n(split[i + 4])) < 1e-9 for i in range(0, len(split), 5)
    )


def _last_group_holds(prefix: Reading) -> bool:
    """四, while reading: the group of five just completed adds up (prunes the search early)."""
    if len(prefix) % 5:
        return True
    group = prefix[-5:]
    return abs(sum(_n(v) for v in group[:4]) - _n(group[4])) < 1e-9


_PREFIX: dict[Holds, Callable[[Reading], bool]] = {review_groups_hold: _last_group_holds}
# the longest cell a run is cut into, per table: 四 counts review cases (4 digits), 三 applications (5)
_MAX_DIGITS: dict[Holds, int] = {review_groups_hold: 4, row_total_holds: 5}


# ---------------------------------------------------------------------------------------------------------
# One row: keep it as printed, reconstruct it, or leave it ambiguous
# ---------------------------------------------------------------------------------------------------------

Verdict = Literal["printed", "reconstructed", "ambiguous"]


@dataclass(slots=True)
class RowReading:
    verdict: Verdict
    reading: Reading | None  # the accepted reading (printed or reconstructed); None when ambiguous
    candidates: list[Reading] = field(default_factory=list)  # readings satisfying the row's constraint
    complete: bool = True  # the candidates are all of them (not cut by a bound)


def read_row(
    pieces: Sequence[Piece],
    printed: Sequence[Piece] | None,
    n: int,
    holds: Holds | None,
    *,
    strict: bool = False,
    alternatives: Sequence[Sequence[Piece]] = (),
) -> RowReading:
    """Decide how a text row is read.

    Args:
        pieces: the row's visible cells in order, blank fillers at the ends included.
        printed: the ``n`` cells the label-anchored reading took (``rows.take_cells``), or None when it
            found fewer than ``n``: then separators (or blank cells) were lost for sure.
        n: the number of cells the template gives the row.
        holds: the row's own constraint (None: 二, no constraint).
        strict: the table shows lost separators elsewhere (``rows.lost_separators``): the printed reading
            must be the only one that satisfies ``holds``, not merely one that does.
        alternatives: other ways to see the pieces (``1 234`` as two cells rather than 1234).

    The printed reading is kept when it is well formed (no digit run with a leading zero, which no report
    prints: ``00`` is two cells) and satisfies ``holds`` (in a strict table: and no other reading does); or
    when it is well formed and no other reading satisfies ``holds`` (a real error: the arithmetic rules must
    see it). A printed reading that fails while another reading holds is ambiguous (the column totals
    across rows may settle it). A row the printed reading cannot stand for (fewer cells, or ``00``) takes
    the one reading that satisfies ``holds``; none or several leave it ambiguous.
    """
    plain = printed_reading(printed, n)
    plain_holds = plain is not None and (holds is None or holds(plain))
    if plain is not None and plain_holds and not strict and not alternatives:
        return RowReading("printed", plain)
    found: set[Reading] = set()
    complete = True
    for option in (pieces, *alternatives):
        some, done = readings(option, n, holds, _PREFIX.get(holds) if holds else None, _most(holds))
        found.update(some)
        complete = complete and done
    cands = sorted(found, key=_sort_key)
    if plain is not None and plain_holds:
        if complete and cands == [plain]:
            return RowReading("printed", plain, cands)
        return RowReading("ambiguous", None, cands, complete)
    if plain is not None and not cands and complete and (not strict or _only_reading(plain, pieces, n, holds)):
        return RowReading("printed", plain, [], True)
    if len(cands) == 1 and complete and plain is None:
        return RowReading("reconstructed", cands[0], cands)
    # several readings; or the printed one, complete but failing its constraint, against another that holds
    # (a real error, or a lost separator masked by a blank cell): only the column totals may tell
    return RowReading("ambiguous", None, cands, complete)


def printed_reading(printed: Sequence[Piece] | None, n: int) -> Reading | None:
    """The values of the row as printed when it has its ``n`` cells and is well formed (no digit run with a
    leading zero, which no report prints: ``00`` is two cells); else None."""
    if printed is None or len(printed) != n or any(p.kind == "run" and not _valid(p.text) for p in printed):
        return None
    return tuple(None if p.kind == "blank" else p.value for p in printed)


def _only_reading(plain: Reading, pieces: Sequence[Piece], n: int, holds: Holds | None) -> bool:
    """Whether the pieces can be read in no other way at all, whatever the constraint (a strict table: a
    printed row that fails its constraint is a real error only when nothing else could have been meant)."""
    every, complete = readings(pieces, n, most=_most(holds), stop=2)
    return complete and every == [plain]


def _most(holds: Holds | None) -> int:
    return _MAX_DIGITS.get(holds, MAX_CELL_DIGITS) if holds else MAX_CELL_DIGITS


# ---------------------------------------------------------------------------------------------------------
# Across rows: the column totals of 三
# ---------------------------------------------------------------------------------------------------------

# (subtotal key, sub-rows) of the outcome groups of 三, as the T3 rules sum them (worker/rules/support/tables.py)
OUTCOME_GROUPS: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    (None, ("granted",)),
    (None, ("partial",)),
    ("subtotal_withheld", ("withheld_secret", "withheld_law", "withheld_security", "withheld_third_party",
                           "withheld_internal", "withheld_process", "withheld_enforcement", "withheld_inquiry")),
    ("subtotal_unavailable", ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear")),
    ("subtotal_rejected", ("rejected_petition", "rejected_duplicate", "rejected_publication",
                           "rejected_excessive", "rejected_confirmation")),
    ("subtotal_other", ("other", "other_no_correction", "other_unpaid_fee", "other_misc")),
)  # fmt: skip

Constraint = tuple[tuple[str, ...], tuple[str, ...]]  # per column: sum of the left rows = sum of the right


def application_constraints(rows: Iterable[str]) -> list[Constraint]:
    """The column equalities of 三 among the rows present: result sum, balance, a report's own subtotals."""
    present = set(rows)
    out: list[Constraint] = []
    outcomes: list[str] = []
    for subtotal, subrows in OUTCOME_GROUPS:
        subs = tuple(r for r in subrows if r in present)
        if subtotal and subtotal in present and subs:
            out.append(((subtotal,), subs))
        outcomes.extend(subs or ((subtotal,) if subtotal and subtotal in present else ()))
    if "total" in present and outcomes:
        out.append((("total",), tuple(outcomes)))
    if {"new", "carried_over", "total", "carried_forward"} <= present:
        out.append((("new", "carried_over"), ("total", "carried_forward")))
    return out


def _effective(r: Reading) -> tuple[Number, ...]:
    """Values for column sums: blank is 0, a blank row total is the sum of its row (as the T3 rules do)."""
    parts = [_n(v) for v in r[:-1]]
    return (*parts, sum(parts) if r[-1] is None else r[-1])


def narrow_by_columns(
    fixed: Mapping[str, Reading], suspects: Mapping[str, list[Reading]], constraints: Sequence[Constraint]
) -> dict[str, Reading | None]:
    """Settle the suspect rows with the column constraints.

    Args:
        fixed: rows read with certainty as printed (row key -> reading).
        suspects: rows reconstructed or ambiguous -> their candidates (empty: unknown, the row constrains
            nothing).
        constraints: column equalities over row keys (``application_constraints``).

    Returns:
        For every suspect row with candidates: its reading when every assignment consistent with the
        constraints gives it the same one *and* one equality it takes part in has a value for each of its
        rows (the reading is cross-checked, not only bounded), else None. When no assignment is consistent
        (a real error somewhere, or a misread), or the search passes its bound, all are None. A row with no
        candidates never gets a value: the equalities it takes part in only bound the others (values >= 0).
    """
    names = [k for k, c in suspects.items() if c]
    if not names:
        return {}
    usable = list(constraints)  # an unknown row never gets a value: its side stays open (bounds only)
    single = {r for left, right in usable for side in (left, right) if len(side) == 1 for r in side}
    names.sort(key=lambda k: (k not in single, len(suspects[k])))  # totals first: they bound their parts
    vectors = {k: [_effective(r) for r in suspects[k]] for k in names}
    width = len(vectors[names[0]][0])
    nothing: dict[str, Reading | None] = {k: None for k in names}
    # per constraint: running sums of both sides and how many rows of each side are not assigned yet
    sums: list[list[list[float]]] = []
    open_: list[list[int]] = []
    touches: dict[str, list[tuple[int, int]]] = {k: [] for k in names}
    for ci, (left, right) in enumerate(usable):
        sides = [[0.0] * width, [0.0] * width]
        count = [0, 0]
        for side, rows in enumerate((left, right)):
            for r in rows:
                if r in fixed:
                    vec = _effective(fixed[r])
                    sides[side] = [a + b for a, b in zip(sides[side], vec, strict=True)]
                else:
                    count[side] += 1
                    if r in touches:
                        touches[r].append((ci, side))
        sums.append(sides)
        open_.append(count)
        if count == [0, 0] and not _equal(sides[0], sides[1]):
            return nothing  # rows read as printed already break it: a real error; settle nothing
    seen: dict[str, set[int]] = {k: set() for k in names}
    choice: dict[str, int] = {}
    nodes = 0

    def ok(ci: int) -> bool:
        (lsum, rsum), (lopen, ropen) = sums[ci], open_[ci]
        if not lopen and not ropen:
            return _equal(lsum, rsum)
        if not lopen:  # values are >= 0: the parts so far may not pass the total
            return all(b <= a + 1e-9 for a, b in zip(lsum, rsum, strict=True))
        if not ropen:
            return all(a <= b + 1e-9 for a, b in zip(lsum, rsum, strict=True))
        return True

    def apply(row: str, vec: tuple[Number, ...], sign: int) -> None:
        for ci, side in touches[row]:
            target = sums[ci][side]
            for c in range(width):
                target[c] += sign * vec[c]
            open_[ci][side] -= sign

    def walk(i: int) -> bool:
        """False once nothing can change the verdict (every row already has two readings) or past the bound."""
        nonlocal nodes
        nodes += 1
        if nodes > MAX_SEARCH_NODES:
            return False
        if i == len(names):
            for k in names:
                seen[k].add(choice[k])
            return any(len(s) < 2 for s in seen.values())
        row = names[i]
        for j, vec in enumerate(vectors[row]):
            choice[row] = j
            apply(row, vec, 1)
            go_on = True
            if all(ok(ci) for ci, _ in touches[row]):
                go_on = walk(i + 1)
            apply(row, vec, -1)
            del choice[row]
            if not go_on:
                return False
        return True

    walk(0)
    if nodes > MAX_SEARCH_NODES or not any(seen.values()):
        return nothing
    # a reading is confirmed only by an equality it takes part in whose every row has a value
    confirmed = {
        k for k in names
        if any(all(r in fixed or suspects.get(r) for r in (*usable[ci][0], *usable[ci][1])) for ci, _ in touches[k])
    }  # fmt: skip
    return {k: (suspects[k][next(iter(s))] if len(s) == 1 and k in confirmed else None) for k, s in seen.items()}


def _equal(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(abs(x - y) < 1e-9 for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------------------------------------------------
# Kept for callers of the first version: splits of digit runs without blanks
# ---------------------------------------------------------------------------------------------------------


def splits(chunks: Sequence[str], n: int) -> list[Split] | None:
    """Every split of the digit runs ``chunks`` into exactly ``n`` number cells (no blank); None past bounds."""
    if not chunks or not all(is_digit_run(c) for c in chunks) or sum(map(len, chunks)) > MAX_ROW_DIGITS:
        return None
    if count_splits(chunks, n) > MAX_SPLITS:
        return None
    out: list[Split] = [()]
    for chunk in chunks:
        out = [done + part for done in out for k in range(1, n - len(done) + 1)
               for part in _number_cuts(chunk, k)]  # fmt: skip
    return sorted(s for s in out if len(s) == n)


@lru_cache(maxsize=4096)
def _count_numbers(chunk: str, cells: int) -> int:
    if not chunk:
        return 1 if cells == 0 else 0
    if cells <= 0 or len(chunk) > cells * MAX_CELL_DIGITS or len(chunk) < cells:
        return 0
    return sum(
        _count_numbers(chunk[size:], cells - 1)
        for size in range(1, min(MAX_CELL_DIGITS, len(chunk)) + 1)
        if _valid(chunk[:size])
    )


def _number_cuts(chunk: str, cells: int) -> list[Split]:
    if not chunk:
        return [()] if cells == 0 else []
    return [
        (int(chunk[:size]), *rest)
        for size in range(1, min(MAX_CELL_DIGITS, len(chunk)) + 1)
        if _valid(chunk[:size]) and _count_numbers(chunk[size:], cells - 1)
        for rest in _number_cuts(chunk[size:], cells - 1)
    ]


def count_splits(chunks: Sequence[str], n: int) -> int:
    """How many ways the runs ``chunks`` (in order, each at least one cell) split into ``n`` number cells."""
    ways = {0: 1}
    for chunk in chunks:
        nxt: dict[int, int] = {}
        for used, w in ways.items():
            for cells in range(1, min(len(chunk), n - used) + 1):
                c = _count_numbers(chunk, cells)
                if c:
                    nxt[used + cells] = nxt.get(used + cells, 0) + w * c
        ways = nxt
    return ways.get(n, 0)


def unique_split(
    chunks: Sequence[str], n: int, holds: Holds | None = None
) -> tuple[Reading | None, list[Reading]]:
    """The one reading of the digit runs ``chunks`` as ``n`` cells that satisfies ``holds`` (blank cells may
    hide where separators were lost), and all those that do; (None, candidates) when not exactly one."""
    runs = [Piece(c, "run", int(c)) for c in chunks if is_digit_run(c)]
    found, complete = readings(runs, n, holds, _PREFIX.get(holds) if holds else None, _most(holds))
    if not complete or len(chunks) != sum(1 for c in chunks if is_digit_run(c)):
        return None, []
    return (found[0] if len(found) == 1 else None), found
