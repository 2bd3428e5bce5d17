"""Reading the 三 table (``applications``): rows by label keywords, 7 cells each anchored on the label.

Labels split over lines or rows are joined (``_is_continuation``, ``_join_split_keyword``), a label wrapped
below its values goes back to its row (``_reattach_wrapped_labels``), group labels with numbers become
``subtotal_*`` rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from worker.parse.digits import Reading, row_total_holds
from worker.parse.likeness import match_by_place
from worker.parse.models import RowInfo
from worker.parse.rows import RawRow, Taken, ValuePositions, items_of, lost_separators, raw_rows, take_cells
from worker.parse.table_result import Suspect, TableResult, cells_data, narrow_rows, reconstruct, warn_extras
from worker.parse.tokens import Token
from worker.parse.vocab import (
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    ROW_NUMBERING,
    ROWS_2021_ONLY,
    SUBTOTAL_KEYS,
    RowSpec,
    compact,
)

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
    suspects: dict[str, Suspect] = {}  # rows not read as printed: settled across rows at the end
    raws = raw_rows(items_of(tokens))
    _reattach_wrapped_labels(raws)
    positions = ValuePositions(len(APPLICATION_COLUMNS))
    first = {id(raw): take_cells(raw, len(APPLICATION_COLUMNS)) for raw in raws if raw.cells}
    for raw in raws:
        if raw.cells:
            positions.learn(raw, first[id(raw)])
    strict = lost_separators([(raw, first[id(raw)]) for raw in raws if raw.cells], len(APPLICATION_COLUMNS))
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
        fuzzy = False
        own = label
        if spec is not None and spec.is_group and hit and any(not c.is_blank for c in raw.cells):
            tail = label[hit[2] :]
            numbered = ROW_NUMBERING.match(tail)
            if numbered and len(tail) - numbered.end() >= 2:
                # "（三）不予公开 1.属于国家秘蜜 0 …": the numbers are the sub-row's, never a subtotal of the group
                spec, own = None, tail
        if spec is None and any(not c.is_blank for c in raw.cells):
            spec = match_by_place(own, prev[0] if prev else _last_key(res), res.grid)
            if spec is not None:
                fuzzy = True
                hit = (spec, 0, len(label))
                res.warn(
                    "label_fuzzy",
                    f"三: row label {own[:40]!r} read as {spec.label!r} (by place and likeness)",
                    raw.line,
                )
        if spec is None:
            carry = _Carry(label, raw, len(res.warnings))
            if any(not c.is_blank for c in raw.cells):
                res.warn("row_unrecognised", f"三: row label not recognised: {label[:40]!r}", raw.line)
                res.unrecognised += 1
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
        as_printed = positions.refit(raw, first[id(raw)])
        printed = _values(as_printed)
        taken, certainty = reconstruct(raw, as_printed, len(APPLICATION_COLUMNS), row_total_holds, strict=strict)
        if key in res.grid and any(c["value"] is not None for c in res.grid[key].values()):
            first_count = res.rows[f"applications.{key}"].cell_count
            if not (first_count < len(APPLICATION_COLUMNS) <= taken.count):
                res.warn("duplicate_row", f"三: row {key} printed twice; the first one is kept", raw.line)
                continue
            # a sentence before the table ("本年新收申请 16 件") named the row first: the table row wins
            res.warn("duplicate_row", f"三: row {key} printed twice; the full table row is kept", raw.line)
        printed_label = _printed(label, hit[1]) if hit else label
        res.grid[key] = cells_data(
            taken, APPLICATION_COLUMNS, table="applications", row=key, section="applications"
        )
        res.rows[f"applications.{key}"] = RowInfo(
            label=printed_label,
            cell_count=taken.count,
            line=raw.line,
            page=raw.cells[0].page,
            certainty=certainty,
            label_match="fuzzy" if fuzzy else "exact",
        )
        warn_extras(res, taken, f"三 {key}")
        suspects.pop(key, None)
        if taken.candidates is not None:
            suspects[key] = Suspect(taken.candidates, taken.cells[0] if taken.cells else raw.cells[0], printed)
        prev = (key, printed_label) if not spec.is_group else prev
    _finish_applications(res)
    if "other" in suspects and "subtotal_other" in res.grid:
        suspects["subtotal_other"] = suspects.pop("other")
    narrow_rows(res, suspects, APPLICATION_COLUMNS, "applications")
    return res


def _values(taken: Taken) -> Reading | None:
    """The values of a row as printed, when it has all its cells."""
    if taken.count < len(APPLICATION_COLUMNS) or len(taken.cells) != len(APPLICATION_COLUMNS):
        return None
    return tuple(c.value.value for c in taken.cells)


def _last_key(res: TableResult) -> str | None:
    """The last data row read so far (the place a label without keywords is compared from)."""
    return next(reversed(res.grid), None) if res.grid else None


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
    new = cells_data(taken, APPLICATION_COLUMNS, table="applications", row=key, section="applications")
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
