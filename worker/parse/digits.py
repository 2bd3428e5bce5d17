"""Degraded rows whose digits ran together: enumerate the splits, accept one only when it is the only one.

Text taken from web pages and PDFs loses the separators between cells: ``3000003`` or ``10 0 00 0 1`` for
a row of seven cells. A visible space still separates cells; inside a run of digits any boundary may have
been lost. ``splits`` enumerates the ways to cut the runs into exactly ``n`` cells; ``unique_split`` keeps
those the row's own constraint allows (the 总计 of 三 is the sum of the six applicant columns, each group
total of 四 the sum of its four results) and returns the split only when exactly one is left.

Bounds, so that hostile input cannot blow up: a cell has at most ``MAX_CELL_DIGITS`` digits, a row at most
``MAX_ROW_DIGITS``, and the number of splits is counted (dynamic programming) before any is built: more
than ``MAX_SPLITS`` means "ambiguous" without enumerating. A multi-digit cell never starts with 0 (reports
do not print ``05``), and every cell has at least one digit (a blank cell cannot be told from a lost one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

MAX_CELL_DIGITS = 4
MAX_ROW_DIGITS = 60
MAX_SPLITS = 2000

Split = tuple[int, ...]
_DIGITS = re.compile(r"^\d+$")


def is_digit_run(text: str) -> bool:
    """A cell text made of plain digits only (no sign, comma, decimal point or unit)."""
    return bool(_DIGITS.match(text))


def _pieces(chunk: str) -> list[tuple[int, int]]:
    """(length, value) of every first piece a chunk may start with."""
    out: list[tuple[int, int]] = []
    for size in range(1, min(MAX_CELL_DIGITS, len(chunk)) + 1):
        head = chunk[:size]
        if size > 1 and head[0] == "0":
            break
        out.append((size, int(head)))
    return out


@lru_cache(maxsize=4096)
def _count(chunk: str, cells: int) -> int:
    """How many ways ``chunk`` splits into exactly ``cells`` cells."""
    if not chunk:
        return 1 if cells == 0 else 0
    if cells <= 0 or len(chunk) > cells * MAX_CELL_DIGITS or len(chunk) < cells:
        return 0
    return sum(_count(chunk[size:], cells - 1) for size, _ in _pieces(chunk))


def _chunk_splits(chunk: str, cells: int) -> list[Split]:
    if not chunk:
        return [()] if cells == 0 else []
    out: list[Split] = []
    for size, value in _pieces(chunk):
        if _count(chunk[size:], cells - 1):
            out.extend((value, *rest) for rest in _chunk_splits(chunk[size:], cells - 1))
    return out


def count_splits(chunks: Sequence[str], n: int) -> int:
    """How many ways the runs ``chunks`` (in order, each at least one cell) split into ``n`` cells."""
    ways = {0: 1}  # cells used so far -> number of ways
    for chunk in chunks:
        nxt: dict[int, int] = {}
        for used, w in ways.items():
            for cells in range(1, min(len(chunk), n - used) + 1):
                c = _count(chunk, cells)
                if c:
                    nxt[used + cells] = nxt.get(used + cells, 0) + w * c
        ways = nxt
    return ways.get(n, 0)


def splits(chunks: Sequence[str], n: int) -> list[Split] | None:
    """Every split of the digit runs ``chunks`` into exactly ``n`` cells; None when past the bounds."""
    if not chunks or not all(is_digit_run(c) for c in chunks) or sum(map(len, chunks)) > MAX_ROW_DIGITS:
        return None
    if count_splits(chunks, n) > MAX_SPLITS:
        return None
    out: list[Split] = [()]
    for i, chunk in enumerate(chunks):
        rest = chunks[i + 1 :]
        nxt: list[Split] = []
        for done in out:
            left = n - len(done)
            for cells in range(1, min(len(chunk), left) + 1):
                if count_splits(rest, left - cells) if rest else cells == left:
                    nxt.extend(done + part for part in _chunk_splits(chunk, cells))
        out = nxt
    return [s for s in out if len(s) == n]


def unique_split(
    chunks: Sequence[str], n: int, holds: Callable[[Split], bool] | None = None
) -> tuple[Split | None, list[Split]]:
    """The one split of ``chunks`` into ``n`` cells that satisfies ``holds``, and all those that do.

    Returns:
        (the split, [it]) when exactly one split is left; (None, candidates) otherwise: none, several (the
        caller may narrow them with constraints across rows), or too many to enumerate (empty list).
    """
    found = splits(chunks, n)
    if found is None:
        return None, []
    left = [s for s in found if holds is None or holds(s)]
    return (left[0] if len(left) == 1 else None), left


def row_total_holds(split: Split) -> bool:
    """三: the last cell (总计) is the sum of the six applicant columns."""
    return sum(split[:-1]) == split[-1]


def review_groups_hold(split: Split) -> bool:
    """四: each group of five ends with the sum of its four results."""
    return all(sum(split[i : i + 4]) == split[i + 4] for i in range(0, len(split), 5))
