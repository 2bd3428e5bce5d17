"""Floating labels of 三 and 二: a conversion (PDF to Markdown) that separated the labels from the numbers.

Two shapes are seen: the row labels listed first, one per line, then the rows of numbers; or a Markdown
table whose label cells are empty, the labels printed in a paragraph before it. Read as they are, every
number row would go to the last label before it (or to none).

The table's region is looked at only when it holds a run of at least two **number rows without a label**
(a tab, pipe or text row whose cells are all values, at least three; an empty first cell of a pipe or tab
row is the label column). The text lines before that run (after the last row with its own label, header
lines with column labels left out) are cut into labels where a row numbering begins ("一、", "(一)", "1.").
The labels are **re-attached**, the i-th data label to the i-th number row, only when

* every piece is a label of the template (``resolve_application_label``) and they come in the template's
  order (group labels such as "(三)不予公开" included, and joined to the row after them);
* the number of data labels (group labels left out; "(六)其他处理" is a data row where no 2021-only row is
  listed: the 2019 template) equals the number of number rows; and
* each number row has the table's seven cells, or eight with an empty label cell first.

Then the rows are read as if printed with their labels, and marked ``reconstructed``. Otherwise the table is
left as it is and marked not certain (``ambiguous``, reason ``REASON_FLOATING_ZH``): its rules are skipped and
it gets one TABLE_UNREADABLE finding, never an arithmetic error from a guess.

二 is handled block by block (``reattach_disclosure``): a number row there may hold a single value, the labels
are cut at spaces and line ends, and each must name a row of the block in template order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from worker.parse.applications import resolve_application_label
from worker.parse.models import RowInfo
from worker.parse.tokens import Blank, Prose, TableRow, Token
from worker.parse.values import parse_value
from worker.parse.vocab import (
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    BLOCK_ANCHOR,
    BLOCK_KEYS,
    DISCLOSURE_COLUMNS,
    DISCLOSURE_ROW_LABELS,
    DISCLOSURE_ROWS,
    HEADER_INFO,
    ROW_NUMBERING,
    ROWS_2021_ONLY,
    RowSpec,
    compact,
)

REASON_FLOATING_ZH = "表格的行名与数字行分离（如 PDF 转换的 Markdown），无法确定每行数字所属的行"

_HEADER = re.compile(r"自然人|商业企业|科研机构|申请人情况|勾稽关系|法律服务机构|社会公益组织")
_MIN_RUN = 2
_MIN_VALUES = 3
_ORDER = {spec.key: i for i, spec in enumerate(APPLICATION_ROWS)}

Status = Literal["none", "reattached", "uncertain"]


@dataclass
class Floating:
    tokens: list[Token]
    status: Status = "none"
    lines: set[int] = field(default_factory=set)  # lines of the number rows that got their labels back
    uncertain: set[str] = field(default_factory=set)  # tables (``table_reads`` keys) left not certain


def _values(tok: Token) -> list[str] | None:
    """The cells of a row of values only (an empty first cell kept), else None."""
    if isinstance(tok, TableRow) and tok.kind in ("tab", "pipe"):
        cells = list(tok.cells)
    elif isinstance(tok, Prose):
        cells = [w for w in tok.words if w]
    else:
        return None
    own = [c for c in cells if c]
    if len(own) < _MIN_VALUES or not parse_value(own[0]).is_cell:  # most rows start with a label: cheap
        return None
    if not all(parse_value(c).is_cell for c in own):
        return None
    return cells


def _text(tok: Token) -> str:
    if isinstance(tok, TableRow):
        return " ".join(c for c in tok.cells if c)
    if isinstance(tok, Prose):
        return tok.text
    return ""


def _has_values(tok: Token) -> bool:
    if isinstance(tok, TableRow):
        return any(c and parse_value(c).is_cell for c in tok.cells)
    if isinstance(tok, Prose):
        return any(parse_value(w).is_cell for w in tok.words if w)
    return False


def _run(tokens: Sequence[Token]) -> tuple[int, list[int]] | None:
    """(index where the label text starts, indices of the number rows) of the first floating run."""
    i = 0
    while i < len(tokens):
        if _values(tokens[i]) is None:
            i += 1
            continue
        run: list[int] = []
        j = i
        while j < len(tokens) and (isinstance(tokens[j], Blank) or _values(tokens[j]) is not None):
            if not isinstance(tokens[j], Blank):
                run.append(j)
            j += 1
        if len(run) >= _MIN_RUN:
            # the labels of a run begin after the last row before it with values (a row with its own label)
            start = next((k + 1 for k in range(i - 1, -1, -1) if _has_values(tokens[k])), 0)
            return start, run
        i = j
    return None


def _pieces(text: str) -> list[str]:
    """The labels of a text: cut where a row numbering begins; text before the first numbering dropped."""
    starts = [m.start() for m in ROW_NUMBERING.finditer(text)]
    if not starts:  # no numbering at all: no labels
        return []
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def _cells(values: list[str]) -> list[str] | None:
    n = len(APPLICATION_COLUMNS)
    if len(values) == n:
        return values
    if len(values) == n + 1 and not values[0]:
        return values[1:]
    return None


def reattach_applications(tokens: Sequence[Token]) -> Floating:
    """The tokens of the 三 region with floating labels re-attached, and what was done (module docstring)."""
    found = _run(tokens)
    if found is None:
        return Floating(list(tokens))
    start, run = found
    text = "".join(
        compact(_text(t))
        for t in tokens[start : run[0]]
        if not isinstance(t, Blank) and not _HEADER.search(_text(t))
    )
    labels: list[tuple[str, str]] = []  # (printed label with the group labels before it, row key)
    groups = ""
    last = -1
    is_2021 = any(spec.key in ROWS_2021_ONLY for p in _pieces(text) if (spec := _spec(p)) is not None)
    for piece in _pieces(text):
        spec = _spec(piece)
        if spec is None or _ORDER[spec.key] <= last:
            return Floating(list(tokens), "uncertain", uncertain={"applications"})
        last = _ORDER[spec.key]
        if spec.is_group and not (spec.key == "other" and not is_2021):
            groups += piece
            continue
        labels.append((groups + piece, spec.key))
        groups = ""
    rows = [_cells(_values(tokens[i]) or []) for i in run]
    if len(labels) != len(run) or len(labels) < _MIN_RUN or any(r is None for r in rows):
        return Floating(list(tokens), "uncertain", uncertain={"applications"})
    out: list[Token] = list(tokens[:start])
    out.extend(t for t in tokens[start : run[0]] if _HEADER.search(_text(t)))  # the header stays
    lines: set[int] = set()
    for (label, _key), i, cells in zip(labels, run, rows, strict=True):
        tok = tokens[i]
        out.append(TableRow(tok.line, cells=(label, *(cells or [])), kind="tab", page=tok.page))
        lines.add(tok.line)
    out.extend(tokens[run[-1] + 1 :])
    return Floating(out, "reattached", lines)


def _spec(piece: str) -> RowSpec | None:
    hit = resolve_application_label(piece)
    return hit[0] if hit is not None else None


def mark_rows(
    rows: Mapping[str, RowInfo],
    cells: Iterable[tuple[str, Mapping[str, dict[str, object]]]],
    floating: Floating,
    table: str,
) -> list[str]:
    """Rows re-attached become ``reconstructed``; every row of an uncertain table ``ambiguous``.

    Args:
        rows: the row infos (changed in place).
        cells: (row key, its cells as plain data), so that their certainty follows.
        floating: what ``reattach_applications`` / ``reattach_disclosure`` did.
        table: "applications", or "disclosure" for the blocks of 二 (row keys "disclosure.<block>.<row>").

    Returns:
        The tables (``Report.table_reads`` keys) left uncertain.
    """
    if floating.status == "none":
        return []
    by_key = dict(cells)
    uncertain = {t for t in floating.uncertain if t == table or t.startswith(f"{table}.")}
    for key, info in rows.items():
        owner = key.rpartition(".")[0]
        if owner != table and not owner.startswith(f"{table}."):
            continue
        if owner in uncertain:
            new = "ambiguous"
        elif info.line in floating.lines and info.certainty in ("exact", "separated"):
            new = "reconstructed"
        else:
            continue
        info.certainty = new  # type: ignore[assignment]
        for cell in by_key.get(key, {}).values():
            cell["certainty"] = new
    return sorted(uncertain)


# ------------------------------------------------------------------------------------------------
# 二: per block (第二十条第(X)项), the row labels listed before label-less rows of numbers
# ------------------------------------------------------------------------------------------------

_BLOCK_ROWS = {
    block: [(key, re.compile(p)) for p, key, _t in patterns] for block, patterns in DISCLOSURE_ROWS.items()
}
_BLOCK_ORDER = {block: [key for key, _ in rows] for block, rows in DISCLOSURE_ROW_LABELS.items()}
_COLUMN_WORDS = [re.compile(p) for p, _key, _t in DISCLOSURE_COLUMNS]
_NOTE = re.compile(r"\([^()]*\)")


def _disclosure_values(tok: Token) -> list[str] | None:
    """A row of 二 with values only, label cell empty or absent: a tab or pipe row (one value is enough: 二
    rows have one to three), or a line of text with two values or more (one number alone on a line is the
    one-cell-per-line layout, never a row)."""
    if isinstance(tok, TableRow) and tok.kind in ("tab", "pipe"):
        cells = list(tok.cells)
    elif isinstance(tok, Prose):
        cells = [w for w in tok.words if w]
        if len(cells) < 2:
            return None
    else:
        return None
    own = [c for c in cells if c]
    if not own or not all(parse_value(c).is_cell for c in own):
        return None
    return cells[1:] if len(cells) > 1 and not cells[0] else cells


def _row_key(block: str, word: str) -> str | None:
    text = _NOTE.sub("", word) or word
    return next((key for key, pattern in _BLOCK_ROWS.get(block, ()) if pattern.search(text)), None)


def reattach_disclosure(tokens: Sequence[Token]) -> Floating:
    """The tokens of the 二 region with floating row labels re-attached block by block.

    In a block, a run of at least two label-less rows of values after text lines: the text after the header
    (``信息内容`` and the column labels) is cut at spaces and line ends into labels; each must name a row of
    the block (``vocab.DISCLOSURE_ROWS``), in template order, and there must be as many as there are rows
    of values. Then the i-th label goes to the i-th row (``reconstructed``); else the block is uncertain.
    """
    out = Floating(list(tokens))
    starts = [i for i, t in enumerate(tokens) if BLOCK_ANCHOR.search(compact(_text(t)))]
    if not starts:
        return out
    new: list[Token] = list(tokens[: starts[0]])
    for a, b in zip(starts, [*starts[1:], len(tokens)], strict=True):
        new.extend(_reattach_block(tokens, a, b, out))
    out.tokens = new
    if out.lines and out.status == "none":
        out.status = "reattached"
    return out


def _reattach_block(tokens: Sequence[Token], a: int, b: int, out: Floating) -> list[Token]:
    anchor = BLOCK_ANCHOR.search(compact(_text(tokens[a])))
    block = BLOCK_KEYS.get(anchor.group(1), "") if anchor else ""
    part = list(tokens[a:b])
    run = []
    for i, tok in enumerate(part):
        if isinstance(tok, Blank):
            continue
        if _disclosure_values(tok) is not None:
            run.append(i)
        elif run:
            break
    if len(run) < _MIN_RUN or block not in _BLOCK_ORDER or any(
        not isinstance(t, Blank) and _disclosure_values(t) is None for t in part[run[0] : run[-1] + 1]
    ):
        return part
    if any(_row_key(block, compact(_text(t))) for t in part[run[-1] + 1 :]):
        return part  # a row label after the numbers: labels and rows alternate, nothing floats
    words: list[tuple[int, str]] = []
    for i, tok in enumerate(part[1 : run[0]], 1):
        for word in _text(tok).split():
            flat = compact(word)
            if HEADER_INFO.match(flat) or any(p.search(flat) for p in _COLUMN_WORDS):
                continue
            words.append((i, flat))
    keys = [_row_key(block, w) for _, w in words]
    order = _BLOCK_ORDER[block]
    positions = [order.index(k) if k in order else -1 for k in keys]
    if (
        len(words) != len(run)
        or -1 in positions
        or positions != sorted(set(positions))
    ):
        if words:  # labels and label-less values that do not pair: a guess either way
            out.uncertain.add(f"disclosure.{block}")
            out.status = "uncertain"
        return part
    label_tokens = {i for i, _ in words}
    kept = [t for i, t in enumerate(part[: run[0]]) if i not in label_tokens or i == 0]
    for (_, word), i in zip(words, run, strict=True):
        tok = part[i]
        values = _disclosure_values(tok) or []
        kept.append(TableRow(tok.line, cells=(word, *values), kind="tab", page=tok.page))
        out.lines.add(tok.line)
    kept.extend(part[run[-1] + 1 :])
    return kept
