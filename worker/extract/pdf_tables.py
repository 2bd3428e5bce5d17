"""Ruled tables from ruling-line edges, and a table cell's text: pdfplumber's algorithms, rewritten for speed.

This is pdfplumber 0.11's ``TableFinder`` with the ``lines`` strategy (``snap_tolerance`` 3, ``join_tolerance``
3, ``edge_min_length`` 3, ``intersection_tolerance`` 3) and ``Table.extract(x_tolerance=1.5,
y_tolerance=3)``, step for step, on plain tuples instead of dictionaries; the result is the same
(``tests/unit/extract/test_pdf_tables.py`` compares both on the sample PDFs and random inputs):

1. edges at least 1 pt long are snapped: per orientation, edges whose position (``x0`` of a vertical edge,
   ``top`` of a horizontal one) lies within 3 pt of the previous one (a chain) move to their cluster's mean;
2. collinear edges that overlap or lie within 3 pt of each other are joined; edges under 3 pt go;
3. a vertical and a horizontal edge meeting within 3 pt make an intersection ``(v.x0, h.top)``;
4. every intersection is the top-left corner of the smallest rectangle whose four corners are
   intersections connected by a common edge (a cell);
5. cells sharing a corner make a table (tables of one cell are dropped), top to bottom;
6. a table's rows are its cells grouped by ``top``, on the grid of all cells' ``x0`` (``None`` where a
   merged cell covers the grid).

pdfplumber spent more time on this (and on testing every character against every row) than pdfium takes
to read the page: ``edge_connects`` rebuilt two sets per call and every corner scanned all later points.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Edge = tuple[float, float, float, float]  # x0, top, x1, bottom
BBox = tuple[float, float, float, float]
Point = tuple[float, float]

SNAP = 3.0
JOIN = 3.0
MIN_LENGTH = 3.0
MIN_LENGTH_PREFILTER = 1.0
INTERSECTION = 3.0
CELL_X_TOLERANCE = 1.5
CELL_Y_TOLERANCE = 3.0
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


@dataclass
class Row:
    """One row of a table: a cell per grid column (``None`` where a merged cell covers it)."""

    cells: list[BBox | None]
    bbox: BBox


@dataclass
class Table:
    """A ruled table: its cells (x0, top, x1, bottom) as found, its bounding box and its rows."""

    cells: list[BBox]
    bbox: BBox
    rows: list[Row]


def _clusters(values: Iterable[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's ``make_cluster_dict``: each distinct value to its chain cluster's index."""
    out: dict[float, int] = {}
    index = -1
    last: float | None = None
    for value in sorted(set(values)):
        if last is None or value > last + tolerance:
            index += 1
        out[value] = index
        last = value
    return out


def _snap(edges: list[Edge], pos: int) -> list[Edge]:
    """Move each edge's position (index ``pos``: 0 = x0, 1 = top) to its cluster's mean (``snap_objects``)."""
    if not edges:
        return []
    cluster_of = _clusters((e[pos] for e in edges), SNAP)
    tagged = sorted(((cluster_of[e[pos]], e) for e in edges), key=lambda t: t[0])
    out: list[Edge] = []
    for _, group in itertools.groupby(tagged, key=lambda t: t[0]):
        members = [e for _, e in group]
        mean = sum(e[pos] for e in members) / len(members)
        for e in members:
            shift = mean - e[pos]
            if pos == 0:
                out.append((e[0] + shift, e[1], e[2] + shift, e[3]))
            else:
                out.append((e[0], e[1] + shift, e[2], e[3] + shift))
    return out


def _join(edges: Iterable[Edge], lo: int, hi: int) -> list[Edge]:
    """Join collinear edges (``join_edge_group``): along index ``lo``..``hi`` (x0..x1 or top..bottom)."""
    ordered = sorted(edges, key=lambda e: e[lo])
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if e[lo] <= last[hi] + JOIN:
            if e[hi] > last[hi]:
                grown = list(last)
                grown[hi] = e[hi]
                joined[-1] = (grown[0], grown[1], grown[2], grown[3])
        else:
            joined.append(e)
    return joined


def merge_edges(vertical: list[Edge], horizontal: list[Edge]) -> tuple[list[Edge], list[Edge]]:
    """Snapped, joined and length-filtered vertical and horizontal edges (``TableFinder.get_edges``)."""
    v = _snap([e for e in vertical if e[3] - e[1] >= MIN_LENGTH_PREFILTER], 0)
    h = _snap([e for e in horizontal if e[2] - e[0] >= MIN_LENGTH_PREFILTER], 1)
    v_out: list[Edge] = []
    for _, group in itertools.groupby(sorted(v, key=lambda e: e[0]), key=lambda e: e[0]):
        v_out += [e for e in _join(group, 1, 3) if e[3] - e[1] >= MIN_LENGTH]
    h_out: list[Edge] = []
    for _, group in itertools.groupby(sorted(h, key=lambda e: e[1]), key=lambda e: e[1]):
        h_out += [e for e in _join(group, 0, 2) if e[2] - e[0] >= MIN_LENGTH]
    return v_out, h_out


def _intersections(v_edges: list[Edge], h_edges: list[Edge]) -> dict[Point, tuple[set[Edge], set[Edge]]]:
    """Points where a vertical and a horizontal edge meet, with the edges through each (as bboxes).

    A vertical edge is only tested against the horizontal edges whose ``top`` lies within its span
    (bisection, a little wider than the test that follows), not against all of them.
    """
    points: dict[Point, tuple[set[Edge], set[Edge]]] = {}
    hs = sorted(h_edges, key=lambda e: (e[1], e[0]))
    tops = [e[1] for e in hs]
    for v in sorted(v_edges, key=lambda e: (e[0], e[1])):
        x, v_top, v_bottom = v[0], v[1], v[3]
        for h in hs[bisect_left(tops, v_top - INTERSECTION - 1e-6) : bisect_right(tops, v_bottom + INTERSECTION + 1e-6)]:
            y = h[1]
            if v_top <= y + INTERSECTION and v_bottom >= y - INTERSECTION and h[0] - INTERSECTION <= x <= h[2] + INTERSECTION:
                entry = points.setdefault((x, y), (set(), set()))
                entry[0].add(v)
                entry[1].add(h)
    return points


def _cells(points: dict[Point, tuple[set[Edge], set[Edge]]]) -> list[BBox]:
    """``intersections_to_cells``: for each corner (sorted), the first cell found below/right of it."""
    ordered = sorted(points)
    below_of: dict[float, list[Point]] = {}
    right_of: dict[float, list[Point]] = {}
    for p in ordered:  # sorted by x then y: a column's points by y, a row's points by x
        below_of.setdefault(p[0], []).append(p)
        right_of.setdefault(p[1], []).append(p)
    right_of = {y: sorted(ps) for y, ps in right_of.items()}

    def connects(p1: Point, p2: Point) -> bool:
        if p1[0] == p2[0] and not points[p1][0].isdisjoint(points[p2][0]):
            return True
        return p1[1] == p2[1] and not points[p1][1].isdisjoint(points[p2][1])

    cells: list[BBox] = []
    for pt in ordered:
        below = [p for p in below_of[pt[0]] if p[1] > pt[1]]
        right = [p for p in right_of[pt[1]] if p[0] > pt[0]]
        right = [p for p in right if connects(pt, p)]
        found: BBox | None = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                corner = (right_pt[0], below_pt[1])
                if corner in points and connects(corner, right_pt) and connects(corner, below_pt):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found is not None:
                break
        if found is not None:
            cells.append(found)
    return cells


def _cells_to_tables(cells: list[BBox]) -> list[list[BBox]]:
    """``cells_to_tables``: cells sharing a corner with the growing group join it, in pdfplumber's order."""
    remaining = list(cells)
    corners: set[Point] = set()
    current: list[BBox] = []
    tables: list[list[BBox]] = []
    while remaining:
        before = len(current)
        still: list[BBox] = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            cell_corners = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or any(c in corners for c in cell_corners):
                corners.update(cell_corners)
                current.append(cell)
            else:
                still.append(cell)
        remaining = still
        if len(current) == before:
            tables.append(current)
            corners = set()
            current = []
    if current:
        tables.append(current)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def _bbox(boxes: Sequence[BBox | None]) -> BBox:
    real = [b for b in boxes if b is not None]
    return min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real)


def _rows(cells: list[BBox]) -> list[Row]:
    xs = sorted({c[0] for c in cells})
    rows: list[Row] = []
    for _, group in itertools.groupby(sorted(cells, key=lambda c: (c[1], c[0])), key=lambda c: c[1]):
        by_x = {c[0]: c for c in group}
        row_cells = [by_x.get(x) for x in xs]
        rows.append(Row(row_cells, _bbox(row_cells)))
    return rows


def find_tables(vertical: list[Edge], horizontal: list[Edge]) -> list[Table]:
    """Ruled tables from a page's vertical and horizontal edges ``(x0, top, x1, bottom)``."""
    v, h = merge_edges(vertical, horizontal)
    if not v or not h:
        return []
    return [Table(cells, _bbox(cells), _rows(cells)) for cells in _cells_to_tables(_cells(_intersections(v, h)))]


def _chain_groups(items: list[dict[str, Any]], key: str, tolerance: float) -> list[list[dict[str, Any]]]:
    """pdfplumber's ``cluster_objects``: groups by chained closeness of ``key``, in cluster order, stable."""
    if not items:
        return []
    first = items[0][key]
    if all(it[key] == first for it in items):
        return [list(items)]  # one line (most cells): one group, in the given order
    cluster_of = _clusters((it[key] for it in items), tolerance)
    tagged = sorted(((cluster_of[it[key]], n) for n, it in enumerate(items)))
    return [[items[n] for _, n in group] for _, group in itertools.groupby(tagged, key=lambda t: t[0])]


def cell_text(chars: list[dict[str, Any]]) -> str:
    """A cell's text as ``pdfplumber.utils.extract_text(chars, x_tolerance=1.5, y_tolerance=3)`` gives it.

    Characters are grouped into lines by ``top`` (3 pt chains), each line ordered by ``x0`` and cut into
    words at blanks, at a step back, at a gap over 1.5 pt or at a jump of ``top`` over 3 pt; the words are
    grouped into lines again and joined with spaces, the lines with newlines. Rotated characters are
    handed to pdfplumber itself.
    """
    if not chars:
        return ""
    if not all(c["upright"] for c in chars):
        from pdfplumber.utils.text import extract_text

        return str(extract_text(chars, x_tolerance=CELL_X_TOLERANCE, y_tolerance=CELL_Y_TOLERANCE))
    words: list[dict[str, Any]] = []
    for line in _chain_groups(chars, "top", CELL_Y_TOLERANCE):
        line.sort(key=lambda c: c["x0"])
        current: list[dict[str, Any]] = []
        for ch in line:
            if ch["text"].isspace():
                if current:
                    words.append(_word(current))
                current = []
            elif ch["text"] == "":  # pdfplumber's punctuation test ("" in "") makes it a word of its own
                if current:
                    words.append(_word(current))
                words.append(_word([ch]))
                current = []
            elif current and _begins_word(current[-1], ch):
                words.append(_word(current))
                current = [ch]
            else:
                current.append(ch)
        if current:
            words.append(_word(current))
    return "\n".join(" ".join(w["text"] for w in line) for line in _chain_groups(words, "top", CELL_Y_TOLERANCE))


def _begins_word(prev: dict[str, Any], ch: dict[str, Any]) -> bool:
    return bool(ch["x0"] < prev["x0"] or ch["x0"] > prev["x1"] + CELL_X_TOLERANCE
                or abs(ch["top"] - prev["top"]) > CELL_Y_TOLERANCE)


def _word(chars: list[dict[str, Any]]) -> dict[str, Any]:
    return {"text": "".join(_LIGATURES.get(c["text"], c["text"]) for c in chars), "top": min(c["top"] for c in chars)}
