"""Finding the six top-level sections by title keywords *and* order, never by the numeral alone.

A line is a candidate for section N when it is short, and either starts with N's numeral and its text
matches N's keywords, or has no numeral and starts with N's keywords. Seed 004 reuses 一、..五、 as
sub-headings inside 一; their texts do not match the keywords of those numbers, so they are not taken.
Among the candidates, the longest run increasing in both line and section number wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from worker.parse.numerals import cn_int
from worker.parse.tokens import Heading, Prose, TableRow, Token
from worker.parse.vocab import HEADING_MAX_CHARS, SECTION_NUMERAL, SECTIONS, SectionSpec, compact

_SENTENCE_END = re.compile(r"[。;；]$")
_MAX_CANDIDATES = 300
_PAREN_NUMERAL = re.compile(r"^(?:\(([一二三四五六])\)|([1-6])[、.．](?!\d))(.+)$")  # "（三）…", "3、…"
_RUN_ON = re.compile(r"[。:;]")
_UNNUMBERED_OFFSET = 12  # an unnumbered heading names its topic near its start


@dataclass(frozen=True)
class SectionHit:
    no: int
    key: str
    title: str
    line: int
    has_numeral: bool


_KEYWORDS = {spec.no: [re.compile(p) for p in spec.keywords] for spec in SECTIONS}


def _keywords_match(spec: SectionSpec, text: str) -> bool:
    return any(p.search(text) for p in _KEYWORDS[spec.no])


def _section_numbered(numeral: str) -> SectionSpec:
    """The section of a heading numeral the patterns matched ("三" or "3")."""
    return SECTIONS[(cn_int(numeral) or 0) - 1]


@lru_cache(maxsize=4096)
def classify_heading(text: str) -> tuple[SectionSpec, bool] | None:
    """The section a heading line names, and whether it carried its numeral; None when it names none."""
    title = text.strip()
    flat = compact(title)
    if len(flat) > HEADING_MAX_CHARS and SECTION_NUMERAL.match(title):
        # "一、总体情况。2023年，…": a numbered heading run into its first sentence
        head = _RUN_ON.split(title, maxsplit=1)[0]
        if head != title and len(compact(head)) <= HEADING_MAX_CHARS:
            return classify_heading(head)
    if not flat or len(flat) > HEADING_MAX_CHARS or _SENTENCE_END.search(flat):
        return None
    m = SECTION_NUMERAL.match(title)
    if m:
        spec = _section_numbered(m.group(1))
        rest = compact(m.group(2))
        if rest and _keywords_match(spec, rest):
            return spec, True
        return None
    paren = _PAREN_NUMERAL.match(flat)
    if paren:  # "（三）收到和处理…", "3、收到和处理…": top-level only when number and keywords agree; ranks below "三、"
        spec = _section_numbered(paren.group(1) or paren.group(2))
        return (spec, False) if _keywords_match(spec, paren.group(3)) else None
    if re.match(r"^[(\d一二三四五六七八九十]", flat):
        return None  # another numbering ("（七）…", "1.…"): a sub-heading
    for spec in SECTIONS:
        for pattern in _KEYWORDS[spec.no]:
            found = pattern.search(flat)
            if found and found.start() <= _UNNUMBERED_OFFSET:
                return spec, False
    return None


def _line_text(tok: Token) -> str | None:
    if isinstance(tok, Prose | Heading):
        return tok.text
    if isinstance(tok, TableRow) and tok.kind == "cells":
        own = [c for c in tok.cells if c]
        if len(own) == 1:
            return own[0]  # a heading printed as a table's one-cell title row (docx/html)
    return None  # other table cells are never section headings


def find_sections(tokens: Sequence[Token]) -> list[SectionHit]:
    """Candidates first, then the longest chain increasing in line and number (numbered hits preferred)."""
    cands: list[SectionHit] = []
    for tok in tokens:
        text = _line_text(tok)
        if not text:
            continue
        hit = classify_heading(text)
        if hit:
            spec, numbered = hit
            title = text if len(compact(text)) <= HEADING_MAX_CHARS else _RUN_ON.split(text, maxsplit=1)[0]
            cands.append(SectionHit(spec.no, spec.key, " ".join(title.split()), tok.line, numbered))
    if not cands:
        return []
    cands = cands[:_MAX_CANDIDATES]  # the chain is O(n^2); a real report has a handful of candidates
    # Longest increasing chain; score = (count, numbered count, -first line) via O(n^2) DP.
    n = len(cands)
    best: list[tuple[int, int]] = [(1, int(c.has_numeral)) for c in cands]
    prev: list[int] = [-1] * n
    for i in range(n):
        for j in range(i):
            if cands[j].no < cands[i].no and cands[j].line < cands[i].line:
                score = (best[j][0] + 1, best[j][1] + int(cands[i].has_numeral))
                if score > best[i]:
                    best[i], prev[i] = score, j
    end = max(range(n), key=lambda i: (best[i], -i))
    chain: list[SectionHit] = []
    while end != -1:
        chain.append(cands[end])
        end = prev[end]
    return chain[::-1]
