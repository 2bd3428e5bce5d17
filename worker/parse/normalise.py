"""Normalisation: an ordered list of idempotent ``str -> str`` steps applied to each line.

Every step keeps the line count (a line in is a line out), so a location found later points at the line of
the source. Tabs are kept: they separate table cells. Pipe tables are split by the tokenizer; only their
separator rows (``|---|---|``) are blanked here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from worker.parse.vocab import PLACEHOLDER

Step = Callable[[str], str]

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u0000-\u0008\u000e-\u001f\u007f]")
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u000b\u000c\u0085\u2028\u2029\r\n]")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]", re.IGNORECASE)
_AROUND_TABS = re.compile(r" *\t *")
_MULTI_SPACE = re.compile(r" {2,}")
_PAGE_MARK = re.compile(
    r"^[-—–―~]+ ?\d{1,4} ?[-—–―~]+$|^第 ?\d{1,4} ?页(?: ?[,/]? ?共 ?\d{1,4} ?页)?$|^\d{1,4} ?/ ?\d{1,4}$"
)
_LIST_DASH = re.compile(r"^(?:(?:[-•●▪■◆*·]|—) +)+(?=\S)")
_PIPE_SEPARATOR = re.compile(r"^\|?(?: ?:?-{3,}:? ?\|)+(?: ?:?-{3,}:? ?)?\|?$|^(?:-{3,}\t*)+$")
_SPACE_ENTITIES = re.compile(r"&(?:nbsp|ensp|emsp|thinsp|#160|#xa0|#12288|#x3000);", re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6} +(?=\S)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMERIC = re.compile(r"^[+-]?\d[\d,.]*(?:万元|元)?$")
_BOX_BARS = str.maketrans({"│": "|", "┃": "|", "║": "|", "¦": "|"})
_BOX_RULE = re.compile(r"^[\u2500-\u257f\-+= |]+$")
_BOX_CHAR = re.compile("[\u2500-\u257f]")
_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "‘": "'", "’": "'", "‚": "'", "′": "'"}
)
_TYPOGRAPHIC_QUOTE = re.compile("[" + "".join(chr(c) for c in _QUOTES) + "]")


def nfkc(line: str) -> str:
    """Unicode NFKC: folds （）：，, full-width digits and letters, U+3000."""
    return unicodedata.normalize("NFKC", line)


def invisible(line: str) -> str:
    """Drop zero-width characters, soft hyphens, BOMs and control characters (tabs stay)."""
    return _INVISIBLE.sub("", line)


def space_entities(line: str) -> str:
    """HTML space entities left by a careless HTML-to-text tool ("0&nbsp;") become spaces (``&amp;`` stays)."""
    if "&" not in line:
        return line
    return _SPACE_ENTITIES.sub(" ", line)


def spaces(line: str) -> str:
    """NBSP, U+3000 and other odd spaces become one ASCII space; spaces around tabs and at the ends go."""
    line = _ODD_SPACES.sub(" ", line)
    if "\t" in line:
        line = _AROUND_TABS.sub("\t", line)
    if "  " in line:
        line = _MULTI_SPACE.sub(" ", line)
    return line.strip(" ")


def quotes(line: str) -> str:
    """Unify typographic quotes to ASCII ones."""
    if not _TYPOGRAPHIC_QUOTE.search(line):
        return line  # most lines: ``translate`` with a mapping is slow on long Chinese lines
    return line.translate(_QUOTES)


def artefacts(line: str) -> str:
    """Drop word-processor artefacts such as ``[bookmark: _GoBack]``."""
    if "[" not in line:
        return line
    return spaces(_BOOKMARK.sub("", line))


def page_marks(line: str) -> str:
    """A page mark line ("— 5 —", "第 3 页 共 9 页", "3/9") becomes empty."""
    if "\t" not in line and _PAGE_MARK.match(line):
        return ""
    return line


def list_dashes(line: str) -> str:
    """Drop a list dash or bullet in front of prose ("- 一是…"), never in front of a number."""
    if "\t" in line:
        return line
    m = _LIST_DASH.match(line)
    if m and _CJK.search(line, m.end()):
        first = line[m.end() :].split(" ", 1)[0]
        if PLACEHOLDER.match(first) or _NUMERIC.match(first):
            return line  # "- 无 0 17 …": a placeholder cell of a flattened row, not a list dash
        return _LIST_DASH.sub("", line, count=1)
    return line


def markdown(line: str) -> str:
    """Markdown marks from converted reports: "## 一、总体情况" and "**一、总体情况**" lose the marks."""
    if "#" in line:
        line = _MD_HEADING.sub("", line)
    if "**" in line or "__" in line:
        line = _MD_EMPHASIS.sub(r"\2", line)
    return line


def pipe_separators(line: str) -> str:
    """A table separator row becomes empty, box-drawing bars become pipes.

    Separators: ``|---|:---:|``, ``----\\t---`` and box rules ``├──┼──┤``; bars: ``│规章│0│`` -> ``|规章|0|``.
    """
    if "-" in line and _PIPE_SEPARATOR.match(line):
        return ""
    if _BOX_CHAR.search(line):
        if _BOX_RULE.match(line):
            return ""
        line = line.translate(_BOX_BARS)
    return line


STEPS: list[Step] = [
    invisible,
    nfkc,
    invisible,
    space_entities,
    spaces,
    quotes,
    artefacts,
    markdown,
    page_marks,
    list_dashes,
    pipe_separators,
]


@lru_cache(maxsize=4096)
def normalise_line(line: str) -> str:
    """Apply every step, in order, to one line (cached: the template's lines repeat in every report).

    4096 lines hold every template line with room to spare; the lines only one report has (its body, its
    prose) pass through. A larger cache filled with those: 65536 lines cost a worker ~15 MB more after a few
    thousand reports, for the same speed."""
    for step in STEPS:
        line = step(line)
    return line


def normalise(text: str) -> str:
    """Normalise a whole text line by line (lines split on ``\\n``; the count is kept)."""
    return "\n".join(
        normalise_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )
