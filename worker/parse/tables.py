"""Reading the three tables (二 ``disclosure``, 三 ``applications``, 四 ``reviews``) from their regions.

Each reader gets the tokens of its region, builds raw rows (``rows.py``), resolves labels against the
vocabulary (``vocab.py``) and fills a ``TableResult``: the cells with their locations, a ``RowInfo`` per row,
parse warnings and the template evidence of its part. 三 lives in ``applications.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from worker.parse.applications import parse_applications, resolve_application_label
from worker.parse.digits import review_groups_hold
from worker.parse.likeness import match_disclosure_by_place
from worker.parse.models import Certainty, RowInfo
from worker.parse.rows import Item, RawRow, Taken, items_of, raw_rows, take_cells
from worker.parse.table_result import CellData, TableResult, cell_data, cells_data, reconstruct, warn_extras
from worker.parse.tokens import Token
from worker.parse.vocab import (
    BLOCK_ANCHOR,
    BLOCK_KEYS,
    DISCLOSURE_COLUMNS,
    DISCLOSURE_DEFAULT_COLUMNS,
    DISCLOSURE_ROWS,
    HEADER_INFO,
    REVIEW_CELLS,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    TEMPLATE_2019_ROW_MARKERS,
    compact,
)

__all__ = [
    "CellData",
    "TableResult",
    "parse_applications",
    "parse_disclosure",
    "parse_reviews",
    "resolve_application_label",
]


# ------------------------------------------------------------------------------------------------
# 四
# ------------------------------------------------------------------------------------------------


def parse_reviews(tokens: Sequence[Token]) -> TableResult:
    """Read the 四 table: the first run of value cells after the header; 15 cells as 3 groups x 5."""
    res = TableResult()
    with_cells = [r for r in raw_rows(items_of(tokens)) if r.cells]
    rows = [r for r in with_cells if any(c.value.kind == "number" for c in r.cells)]
    if not rows:
        if not with_cells:
            return res
        rows = with_cells
    while (
        len(rows[0].cells) < 5
        and _transposed(with_cells, rows[0]) is None
        and any(len(r.cells) >= 5 for r in rows[1:])
    ):
        rows = rows[1:]  # a sentence before the table ("本年度发生行政复议 1 件"): not its cells
    raw = rows[0]
    taken = take_cells(raw, REVIEW_CELLS)
    certainty: Certainty = "exact" if raw.cells[0].grid else "separated"
    rest = rows[1:]
    column = _transposed(with_cells, raw)
    if taken.count == 1 and column is not None:
        # the table printed transposed: one row per cell ("行政复议 结果维持 1", "结果纠正 0", ...)
        taken = Taken([take_cells(r, 1).cells[0] for r in column], REVIEW_CELLS, [])
        rest = [r for r in rows if r not in column]
    elif taken.count < REVIEW_CELLS and rest and _is_groups_of_five(taken, rest):
        # the table printed as three small tables (复议 / 直接起诉 / 复议后起诉), five values each
        cells = list(taken.cells)
        while rest and len(cells) < REVIEW_CELLS:
            cells.extend(take_cells(rest[0], 5).cells)
            rest = rest[1:]
        taken = Taken(cells[:REVIEW_CELLS], len(cells), taken.extras)
        if len(taken.cells) < REVIEW_CELLS and not raw.cells[0].grid:  # a group lost a cell: not certain
            certainty = "ambiguous"
            for item in taken.cells:
                item.certainty = "ambiguous"
    else:
        taken, certainty = reconstruct(raw, taken, REVIEW_CELLS, review_groups_hold)
    for i, item in enumerate(taken.cells):
        row, col = REVIEW_ROWS[i // 5], REVIEW_COLUMNS[i % 5]
        res.grid.setdefault(row, {})[col] = cell_data(
            item, table="reviews", row=row, col=col, section="reviews"
        )
    last = compact(raw.fragments[-1].text) if raw.fragments else ""
    first = taken.cells[0] if taken.cells else raw.cells[0]
    res.rows["reviews.review"] = RowInfo(
        label=last, cell_count=taken.count, line=first.line, page=first.page, certainty=certainty
    )
    warn_extras(res, taken, "四")
    for other in rest:
        if any(not c.is_blank for c in other.cells):
            res.warn("extra_cells", "四: a second row of numbers was ignored", other.cells[0].line)
            break
    return res


def _transposed(with_cells: list[RawRow], raw: RawRow) -> list[RawRow] | None:
    """The 15 rows from ``raw`` on when the table is printed one row per cell, else None."""
    column = with_cells[with_cells.index(raw) :][:REVIEW_CELLS]
    if len(column) == REVIEW_CELLS and all(r.fragments and len(r.cells) <= 2 for r in column):
        return column
    return None


def _is_groups_of_five(first: Taken, rest: list[RawRow]) -> bool:
    """Five values, then two more rows of (about) five, each after its own header text."""
    return (
        first.count == 5 and all(r.fragments and 4 <= len(r.cells) <= 7 for r in rest[:2]) and len(rest) >= 2
    )


# ------------------------------------------------------------------------------------------------
# 二
# ------------------------------------------------------------------------------------------------


_COLUMNS = [(re.compile(p), key, template) for p, key, template in DISCLOSURE_COLUMNS]
_ROWS = {block: [(re.compile(p), key, t) for p, key, t in rows] for block, rows in DISCLOSURE_ROWS.items()}


@lru_cache(maxsize=2048)
def _match_column(text: str) -> tuple[str, str] | None:
    for pattern, key, template in _COLUMNS:
        if pattern.search(text):
            return key, template
    return None


_NOTE = re.compile(r"\([^()]*\)")


@lru_cache(maxsize=2048)
def _match_row(block: str, label: str) -> tuple[str, str] | None:
    """The row a 二 label names; notes in brackets ("规章(设区的市…应提供相关数据)") are ignored."""
    for text in dict.fromkeys((label, _NOTE.sub("", label))):
        for pattern, key, template in _ROWS.get(block, ()):
            if pattern.search(text):
                return key, template
    return None


@dataclass
class _BlockState:
    block: str | None = None
    cols: list[tuple[str, str]] = field(default_factory=list)
    in_header: bool = False
    positions: list[tuple[int, int]] = field(default_factory=list)  # (physical col, row width) per column
    anchored: bool = True  # led by 第二十条第（X）项 (else the block is told by its row labels)


def parse_disclosure(tokens: Sequence[Token]) -> TableResult:
    """Read the 二 tables: blocks led by 第二十条第（X）项, their column labels, then labelled rows."""
    res = TableResult()
    state = _BlockState(anchored=False)
    score = {"2021": 0.0, "2019": 0.0}
    pending = ""  # header fragments not matched yet (a column label split over lines)
    items = items_of(tokens)
    hint = _template_hint(items)
    for raw in raw_rows(items):
        label_frags: list[Item] = []
        for frag in raw.fragments:
            text = compact(frag.text)
            anchor = BLOCK_ANCHOR.search(text)
            if anchor:
                _empty_row(res, state, label_frags)
                label_frags = []
                state = _BlockState(BLOCK_KEYS.get(anchor.group(1)), [], True)
                pending = ""
                if state.block is None:
                    res.warn("block_unknown", f"二: unknown block {anchor.group(0)}", frag.line)
                elif state.block == "art20_9":
                    score["2019"] += 1
                continue
            if HEADER_INFO.match(text) or (state.in_header and HEADER_INFO.match(pending + text)):
                if not state.in_header:  # a header after rows without an anchor: the next block begins
                    _empty_row(res, state, label_frags)
                    state = _BlockState(None, [], True, anchored=False)
                state.in_header = True
                pending = ""
                label_frags = []
                continue
            col = None
            if state.in_header and (state.block or not state.anchored):
                col = _match_column(text) or _match_column(pending + text)
                pending = "" if col else pending + text
            if col:
                if not (state.cols and state.cols[-1][0] == col[0]):  # a merged header printed twice
                    state.cols.append(col)
                    state.positions.append((frag.col, frag.width))
                    score[col[1]] += 1
                label_frags = []
                continue
            label_frags.append(frag)
        if not raw.cells:
            _empty_row(res, state, label_frags)
            continue
        label = "".join(compact(f.text) for f in label_frags)
        if (
            not state.anchored
            and state.cols
            and (state.block is None or _match_row(state.block, label) is None)
        ):
            state.block = next((b for b in DISCLOSURE_ROWS if _match_row(b, label)), state.block)
        if state.block is None:
            continue
        match = _match_row(state.block, label)
        fuzzy = False
        if match is None and any(not c.is_blank for c in raw.cells):
            read = res.blocks.get(state.block, {})
            guess = match_disclosure_by_place(state.block, label, read, next(reversed(read), None))
            if guess is not None:  # a character wrong in its place: read, with a warning naming it as printed
                match, fuzzy = (guess, ""), True
                res.warn(
                    "label_fuzzy",
                    f"二 {state.block}: row label {label[:30]!r} read as {guess} (by place and likeness)",
                    raw.line,
                )
        if match is None:
            if any(not c.is_blank for c in raw.cells):
                res.warn(
                    "row_unrecognised",
                    f"二 {state.block}: row label not recognised: {label[:30]!r}",
                    raw.line,
                )
            continue
        key, template = match
        if template:
            score[template] += 1
        state.in_header = False
        _store_disclosure_row(res, state, key, label, raw, score if state.cols else hint, fuzzy=fuzzy)
    res.scores = score
    return res


def _template_hint(items: Sequence[Item]) -> dict[str, float]:
    """Template evidence of the whole region, for blocks printed without column labels."""
    text = "".join(compact(i.text) for i in items if not i.is_cell)
    hint = {"2021": 0.0, "2019": 0.0}
    for pattern, _key, template in DISCLOSURE_COLUMNS:
        if re.search(pattern, text):
            hint[template] += 1
    for marker in TEMPLATE_2019_ROW_MARKERS:
        if re.search(marker, text):
            hint["2019"] += 1
    return hint


def _columns(state: _BlockState, score: dict[str, float]) -> list[str]:
    if state.cols:
        return [k for k, _ in state.cols]
    guess = "2019" if score["2019"] > score["2021"] else "2021"
    defaults = DISCLOSURE_DEFAULT_COLUMNS[guess].get(state.block or "") or DISCLOSURE_DEFAULT_COLUMNS[
        "2019"
    ].get(state.block or "", ())
    return list(defaults)


def _by_header(raw: RawRow, state: _BlockState) -> Taken | None:
    """In a row as wide as its header row, each value sits under its column label: read by position."""
    last = raw.fragments[-1] if raw.fragments else None
    if last is None or not state.positions or last.width < 2 or len({w for _, w in state.positions}) != 1:
        return None
    width = state.positions[0][1]
    own = [c for c in raw.cells if c.seg == last.seg]
    if last.width != width or not own:
        return None
    by_col = {c.col: c for c in own}
    cells = [by_col.get(col) for col, _ in state.positions]
    if any(c is None for c in cells):
        return None
    chosen = [c for c in cells if c is not None]
    rest = [c for c in raw.cells if c not in chosen]
    return Taken(chosen, len(chosen) + sum(1 for c in own if c not in chosen and not c.is_blank), rest)


def _store_disclosure_row(
    res: TableResult,
    state: _BlockState,
    key: str,
    label: str,
    raw: RawRow,
    score: dict[str, float],
    *,
    fuzzy: bool = False,
) -> None:
    block = state.block or ""
    cols = _columns(state, score)
    taken, certainty = reconstruct(raw, _by_header(raw, state) or take_cells(raw, len(cols)), len(cols), None)
    table = f"disclosure.{block}"
    rows = res.blocks.setdefault(block, {})
    if key in rows:
        res.warn("duplicate_row", f"二 {block}: row {key} printed twice; the first one is kept", raw.line)
        return
    rows[key] = cells_data(taken, cols, table=table, row=key, section="disclosure")
    printed = label[-20:]
    res.rows[f"{table}.{key}"] = RowInfo(
        label=printed, cell_count=taken.count, line=raw.line, page=raw.cells[0].page, certainty=certainty,
        label_match="fuzzy" if fuzzy else "exact",
    )  # fmt: skip
    warn_extras(res, taken, f"二 {block}.{key}")


def _empty_row(res: TableResult, state: _BlockState, frags: list[Item]) -> None:
    """A row label with no cells at all before the next block: recorded with cell_count 0."""
    if not frags or state.block is None:
        return
    label = "".join(compact(f.text) for f in frags)
    match = _match_row(state.block, label)
    if match:
        res.blocks.setdefault(state.block, {}).setdefault(match[0], {})
        res.rows[f"disclosure.{state.block}.{match[0]}"] = RowInfo(
            label=label[-20:], cell_count=0, line=frags[-1].line
        )
