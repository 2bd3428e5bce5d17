"""Tokenizer: normalised lines -> typed tokens. Never raises, whatever the input.

One token per line, so a token's ``line`` is the source line:

* ``Blank``     an empty line (a soft row boundary inside tables)
* ``Heading``   a short numbered line ("一、总体情况", "（三）政府信息管理")
* ``Prose``     any other line without cell separators (inside a table region the recogniser reads it as a
                row flattened with single spaces)
* ``TableRow``  a row of cells: ``tab`` (tab-separated), ``pipe`` (``| a | b |``), ``cells`` (a real table
                row from docx/html/pdf) or ``single`` (one cell per line: ``\\tX``, ``X |``, ``| X``)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

RowKind = Literal["tab", "pipe", "cells", "single"]

_HEADING = re.compile(
    r"^(?:第?[一二三四五六七八九十]+(?:部分)?[、.]|\([一二三四五六七八九十]+\)|\d{1,2}[、.](?!\d))"
)
_HEADING_MAX = 40


@dataclass(slots=True)
class Token:
    line: int  # 1-based source line
    page: int | None = field(default=None, kw_only=True)


@dataclass(slots=True)
class Blank(Token):
    pass


@dataclass(slots=True)
class Prose(Token):
    text: str = ""

    @property
    def words(self) -> list[str]:
        return self.text.split(" ")


@dataclass(slots=True)
class Heading(Prose):
    pass


@dataclass(slots=True)
class TableRow(Token):
    cells: tuple[str, ...] = ()
    kind: RowKind = "tab"


@dataclass(slots=True)
class SourceRow:
    """What the tokenizer reads: a normalised line, and its cells when the format had a real table."""

    text: str
    cells: Sequence[str] | None = None
    page: int | None = None


def _split_pipe(text: str) -> list[str]:
    body = text.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [c.strip(" ") for c in body.split("|")]


def _is_pipe_row(text: str) -> bool:
    return text.startswith("|") or text.count("|") >= 2


def tokenize_line(number: int, row: SourceRow) -> Token:
    """Turn one normalised line into a token (never raises)."""
    try:
        return _tokenize(number, row)
    except Exception:  # noqa: BLE001 - the tokenizer must never fail; fall back to prose
        return Prose(number, text=str(getattr(row, "text", "")), page=getattr(row, "page", None))


def _tokenize(number: int, row: SourceRow) -> Token:
    page = row.page
    if row.cells is not None:
        cells = tuple(" ".join(str(c).split()) for c in row.cells)
        if not any(cells):
            return Blank(number, page=page)
        return TableRow(number, cells=cells, kind="cells", page=page)
    text = row.text
    if not text.strip():
        if text.strip(" ") == "\t":
            return TableRow(number, cells=("",), kind="single", page=page)
        if "\t" in text:
            return TableRow(number, cells=tuple("" for _ in text.split("\t")), kind="tab", page=page)
        return Blank(number, page=page)
    if "\t" in text:
        if text.startswith("\t") and text.count("\t") == 1:
            return TableRow(number, cells=(text[1:].strip(" "),), kind="single", page=page)
        return TableRow(number, cells=tuple(c.strip(" ") for c in text.split("\t")), kind="tab", page=page)
    if text.count("|") == 1 and (text.startswith("|") or text.endswith("|")):
        # one cell per line from an HTML-to-text tool: "规章 |", "0 |" or "| 0", and "|" for an empty cell
        return TableRow(number, cells=(text.strip("| "),), kind="single", page=page)
    if _is_pipe_row(text):
        return TableRow(number, cells=tuple(_split_pipe(text)), kind="pipe", page=page)
    if len(text) <= _HEADING_MAX and _HEADING.match(text):
        return Heading(number, text=text, page=page)
    return Prose(number, text=text, page=page)


def tokenize(rows: Iterable[SourceRow]) -> list[Token]:
    """Tokenize normalised lines; line numbers are 1-based positions in ``rows``."""
    return [tokenize_line(i, row) for i, row in enumerate(rows, 1)]


def tokenize_text(text: str) -> list[Token]:
    """Convenience: tokenize a (normalised) text split on newlines."""
    return tokenize(SourceRow(t) for t in text.split("\n"))
