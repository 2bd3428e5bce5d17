"""Reading the three tables (二 ``disclosure``, 三 ``applications``, 四 ``reviews``) from their regions.

Each reader gets the tokens of its region, builds raw rows (``rows.py``), resolves labels against the
vocabulary (``vocab.py``) and fills a ``TableResult``: the cells with their locations, a ``RowInfo`` per row,
parse warnings and the template evidence of its part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from worker.parse.models import ParseWarning, RowInfo
from worker.parse.rows import Item, RawRow, Taken, ValuePositions, items_of, raw_rows, take_cells
from worker.parse.tokens import Token
from worker.parse.vocab import (
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    BLOCK_ANCHOR,
    BLOCK_KEYS,
    DISCLOSURE_COLUMNS,
    DISCLOSURE_DEFAULT_COLUMNS,
    DISCLOSURE_ROWS,
    HEADER_INFO,
    REVIEW_CELLS,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    ROW_NUMBERING,
    ROWS_2021_ONLY,
    SUBTOTAL_KEYS,
    TEMPLATE_2019_ROW_MARKERS,
    RowSpec,
    compact,
)

# A cell as plain data; recognise.py validates all of them into ``Cell`` models in one pydantic call.
CellData = dict[str, Any]


@dataclass
class TableResult:
    grid: dict[str, dict[str, CellData]] = field(default_factory=dict)  # 三/四: row -> col -> cell
    blocks: dict[str, dict[str, dict[str, CellData]]] = field(default_factory=dict)  # 二: block -> row -> col
    rows: dict[str, RowInfo] = field(default_factory=dict)
    warnings: list[ParseWarning] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # {"2021": .., "2019": ..}

    def warn(self, code: str, message: str, line: int | None) -> None:
        self.warnings.append(ParseWarning(code=code, message=message, line=line))


def _cells(taken: Taken, cols: Sequence[str], *, table: str, row: str, section: str) -> dict[str, CellData]:
    out: dict[str, CellData] = {}
    for col, item in zip(cols, taken.cells, strict=False):
        out[col] = _cell(item, table=table, row=row, col=col, section=section)
    return out


def _cell(item: Item, *, table: str, row: str, col: str, section: str) -> CellData:
    loc = {"table": table, "row": row, "col": col, "line": item.line, "page": item.page, "section": section}
    return {"value": item.value.value, "raw": item.text, "unit": item.value.unit, "location": loc}


def _warn_extras(res: TableResult, taken: Taken, where: str) -> None:
    extra = [c for c in taken.extras if not c.is_blank]
    if extra:
        res.warn("extra_cells", f"{where}: {len(extra)} value(s) after the row were ignored", extra[0].line)


# ------------------------------------------------------------------------------------------------
# 三
# ------------------------------------------------------------------------------------------------


_APP_PATTERNS = [(re.compile(p), spec) for spec in APPLICATION_ROWS for p in spec.patterns]


@lru_cache(maxsize=4096)
def resolve_application_label(label: str) -> tuple[RowSpec, int, int] | None:
    """The row a label buffer names: the vocabulary match that ends last (longest on a tie).

    Returns:
        (row spec, match start, match end), or None when no label of the vocabulary is in ``label``.
    """
    best: tuple[int, int, RowSpec] | None = None
    best_data: tuple[int, int, RowSpec] | None = None
    for pattern, spec in _APP_PATTERNS:
        for m in pattern.finditer(label):
            cand = (m.end(), -m.start(), spec)
            if best is None or cand[:2] > best[:2]:
                best = cand
            if not spec.is_group and (best_data is None or cand[:2] > best_data[:2]):
                best_data = cand
    if best is None:
        return None
    # a vertically merged group label printed after its first sub-row's label ("1.属于国家秘密（三）不予公开")
    if best[2].is_group and best_data is not None and best[2].key in (best_data[2].group, "results"):
        best = best_data
    return best[2], -best[1], best[0]


@lru_cache(maxsize=4096)
def _printed(label: str, start: int) -> str:
    """The printed label of a row: from its numbering ("1.", "（一）") just before the keyword."""
    head = label[:start]
    numbering = list(ROW_NUMBERING.finditer(head))
    if numbering and start - numbering[-1].start() <= 12:
        return label[numbering[-1].start() :]
    return label[start:]


def _is_continuation(prev: tuple[str, str] | None, tail: str) -> bool:
    if prev is None or not tail:
        return False
    key, printed = prev
    full = compact(next(r.label for r in APPLICATION_ROWS if r.key == key)).replace('"', "")
    tail = tail.replace('"', "")
    return full.endswith(tail) and not printed.replace('"', "").endswith(tail)


def parse_applications(tokens: Sequence[Token]) -> TableResult:
    """Read the 三 table: rows by label keywords, 7 cells each anchored on the label."""
    res = TableResult()
    prev: tuple[str, str] | None = None  # (row key, printed label) of the last data row
    carry: _Carry | None = None  # an unrecognised row: its label may end on the next row
    raws = raw_rows(items_of(tokens))
    _reattach_wrapped_labels(raws)
    positions = ValuePositions(len(APPLICATION_COLUMNS))
    first = {id(raw): take_cells(raw, len(APPLICATION_COLUMNS)) for raw in raws if raw.cells}
    for raw in raws:
        if raw.cells:
            positions.learn(raw, first[id(raw)])
    for raw in raws:
        if not raw.cells:
            continue
        label = compact(raw.label)
        hit = resolve_application_label(label) if label else None
        spec = hit[0] if hit else None
        if spec is None or spec.is_group:
            tail = label[hit[2] :] if hit else label
            if prev is not None and _is_continuation(prev, tail):
                _merge_continuation(res, raw, prev[0], tail)
                prev = None
                continue
        if spec is None and carry is not None and (joined := _join_split_keyword(res, carry, raw, label)):
            raw, label, hit = joined
            spec = hit[0]
        carry = None
        if spec is None:
            carry = _Carry(label, raw, len(res.warnings))
            if any(not c.is_blank for c in raw.cells):
                res.warn("row_unrecognised", f"三: row label not recognised: {label[:40]!r}", raw.line)
            continue
        key = spec.key
        if spec.is_group:
            if key == "results" and any(not c.is_blank for c in raw.cells):
                res.warn(
                    "row_ignored", "三: numbers on the 三、本年度办理结果 group label were ignored", raw.line
                )
            if key == "results" or (key != "other" and all(c.is_blank for c in raw.cells)):
                if hit and label[hit[2] :]:  # "（四）无法提供 1.本机关不" + next row "掌握相关政府信息"
                    carry = _Carry(label[hit[2] :], raw, len(res.warnings))
                continue
            key = "other" if key == "other" else SUBTOTAL_KEYS[key]
        if not res.grid and all(c.is_blank for c in raw.cells) and key in ("total", "other_misc"):
            continue  # blank cells of the header ("…其他", "总计" column labels)
        taken = positions.refit(raw, first[id(raw)])
        if key in res.grid and any(c["value"] is not None for c in res.grid[key].values()):
            res.warn("duplicate_row", f"三: row {key} printed twice; the first one is kept", raw.line)
            continue
        printed = _printed(label, hit[1]) if hit else label
        res.grid[key] = _cells(
            taken, APPLICATION_COLUMNS, table="applications", row=key, section="applications"
        )
        res.rows[f"applications.{key}"] = RowInfo(
            label=printed, cell_count=taken.count, line=raw.line, page=raw.cells[0].page
        )
        _warn_extras(res, taken, f"三 {key}")
        prev = (key, printed) if not spec.is_group else prev
    _finish_applications(res)
    return res


def _reattach_wrapped_labels(raws: list[RawRow]) -> None:
    """A label wrapped below its values goes back to its row.

    In PDF text a long label cell wraps, and its values print beside the first line: the lines below (up to
    the next row's numbering) read as the start of the next row's label. They are moved back when they
    complete this row's label: "三、本年度办理结果（一" + values / "）予以公开"; "（三）不予公开 1.属于" +
    values / "国家秘密".
    """
    for raw, nxt in zip(raws, raws[1:], strict=False):
        if not raw.cells or not raw.fragments or not nxt.fragments:
            continue
        cur, following = compact(raw.label), compact(nxt.label)
        numbering = ROW_NUMBERING.search(following)
        head = following[: numbering.start()] if numbering else ""
        if not head or not cur:
            continue
        joined = resolve_application_label(cur + head)
        if joined is None or joined[0].is_group or joined[2] <= len(cur):
            continue
        own = resolve_application_label(cur)
        if own is not None and (own[0].key != joined[0].key if not own[0].is_group else own[2] == len(cur)):
            continue  # this row has its own label: the text below is the next row's
        if joined[1] >= len(cur) and not ROW_NUMBERING.search(cur):
            continue  # the label starts in the next row's text: it is that row's
        moved, size = 0, 0
        while moved < len(nxt.fragments) and size < len(head):
            size += len(compact(nxt.fragments[moved].text))
            moved += 1
        if size == len(head):
            raw.wrapped.extend(nxt.fragments[:moved])
            del nxt.fragments[:moved]


@dataclass
class _Carry:
    label: str  # compacted label text not resolved yet
    raw: RawRow
    warnings: int  # len(res.warnings) before its row_unrecognised warning


def _join_split_keyword(
    res: TableResult, carry: _Carry, raw: RawRow, label: str
) -> tuple[RawRow, str, tuple[RowSpec, int, int]] | None:
    """A label split inside its keyword over two rows ("一、本年新" / "收政府信息公开申请数量").

    Neither half is a label; joined they are one. The numbers are those of the half that has any (the
    second when both or neither have).
    """
    joined = carry.label + label
    hit = resolve_application_label(joined)
    if hit is None or hit[0].is_group:
        return None
    del res.warnings[carry.warnings :]  # the first half was not an unknown row after all
    if all(c.is_blank for c in raw.cells) and any(not c.is_blank for c in carry.raw.cells):
        raw = carry.raw
    res.warn("label_joined", f"三: label of {hit[0].key} split over two rows; joined as one row", raw.line)
    return raw, joined, hit


def _merge_continuation(res: TableResult, raw: RawRow, key: str, tail: str) -> None:
    """A label split across two rows ("1.本机关不掌握相关" / "政府信息"): one row, first numbers kept."""
    taken = take_cells(raw, len(APPLICATION_COLUMNS))
    res.warn("label_joined", f"三: label of {key} continues on line {raw.line}; joined as one row", raw.line)
    old = res.grid.get(key, {})
    new = _cells(taken, APPLICATION_COLUMNS, table="applications", row=key, section="applications")
    info = res.rows[f"applications.{key}"]
    info.label += tail
    if all(c["value"] is None for c in old.values()) and any(c["value"] is not None for c in new.values()):
        res.grid[key] = new
        info.cell_count = taken.count
    elif any(c["value"] is not None and k in old and old[k]["value"] != c["value"] for k, c in new.items()):
        res.warn(
            "label_joined_conflict", f"三: the continuation of {key} has other numbers; ignored", raw.line
        )


def _finish_applications(res: TableResult) -> None:
    has_2021 = [k for k in ROWS_2021_ONLY if k in res.grid]
    if has_2021 and "other" in res.grid and all(c["value"] is None for c in res.grid["other"].values()):
        del res.grid["other"]  # the （六） group label printed with empty cells: a label, not a subtotal
        res.rows.pop("applications.other", None)
    if has_2021 and "other" in res.grid:
        res.grid["subtotal_other"] = res.grid.pop("other")
        for cell in res.grid["subtotal_other"].values():
            cell["location"]["row"] = "subtotal_other"
        res.rows["applications.subtotal_other"] = res.rows.pop("applications.other")
    res.scores = {"2021": len(has_2021) / len(ROWS_2021_ONLY), "2019": 1.0 if ("other" in res.grid) else 0.0}


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
    raw = rows[0]
    taken = take_cells(raw, REVIEW_CELLS)
    rest = rows[1:]
    column = with_cells[with_cells.index(raw) :][:REVIEW_CELLS]
    if (
        taken.count == 1
        and len(column) == REVIEW_CELLS
        and all(r.fragments and len(r.cells) <= 2 for r in column)
    ):
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
    for i, item in enumerate(taken.cells):
        row, col = REVIEW_ROWS[i // 5], REVIEW_COLUMNS[i % 5]
        res.grid.setdefault(row, {})[col] = _cell(item, table="reviews", row=row, col=col, section="reviews")
    last = compact(raw.fragments[-1].text) if raw.fragments else ""
    first = taken.cells[0] if taken.cells else raw.cells[0]
    res.rows["reviews.review"] = RowInfo(label=last, cell_count=taken.count, line=first.line, page=first.page)
    _warn_extras(res, taken, "四")
    for other in rest:
        if any(not c.is_blank for c in other.cells):
            res.warn("extra_cells", "四: a second row of numbers was ignored", other.cells[0].line)
            break
    return res


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
        if not state.anchored and (state.block is None or _match_row(state.block, label) is None):
            state.block = next((b for b in DISCLOSURE_ROWS if _match_row(b, label)), state.block)
        if state.block is None:
            continue
        match = _match_row(state.block, label)
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
        _store_disclosure_row(res, state, key, label, raw, score if state.cols else hint)
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
    res: TableResult, state: _BlockState, key: str, label: str, raw: RawRow, score: dict[str, float]
) -> None:
    block = state.block or ""
    cols = _columns(state, score)
    taken = _by_header(raw, state) or take_cells(raw, len(cols))
    table = f"disclosure.{block}"
    rows = res.blocks.setdefault(block, {})
    if key in rows:
        res.warn("duplicate_row", f"二 {block}: row {key} printed twice; the first one is kept", raw.line)
        return
    rows[key] = _cells(taken, cols, table=table, row=key, section="disclosure")
    printed = label[-20:]
    res.rows[f"{table}.{key}"] = RowInfo(
        label=printed, cell_count=taken.count, line=raw.line, page=raw.cells[0].page
    )
    _warn_extras(res, taken, f"二 {block}.{key}")


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
