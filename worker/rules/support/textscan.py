"""Reading prose: split a section's text into sentences and find the source line of a snippet.

Whitespace is removed inside sentences ("2024 年" -> "2024年") because extracted text breaks words with
spaces and line breaks at random; a finding still points at the first source line of the sentence.
"""

from __future__ import annotations

import re

from worker.parse.models import Report

_WS = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]+")


def squash(text: str) -> str:
    """Remove all whitespace (including U+3000 and NBSP)."""
    return _WS.sub("", text)


def sentences(text: str) -> list[str]:
    """Sentences of a text, whitespace removed, empty ones dropped."""
    return [s for s in (squash(part) for part in _SENTENCE_END.split(text)) if s]


def find_line(report: Report, snippet: str, *, start: int | None = None) -> int | None:
    """The 1-based line of ``report.lines`` (from ``start`` on) where ``snippet`` begins, if found."""
    needle = squash(snippet)[:12]
    if not needle or not report.lines:
        return start
    first = max((start or 1) - 1, 0)
    for index in range(first, len(report.lines)):
        if needle in squash(report.lines[index]):
            return index + 1
    # the snippet may start at the end of one line and go on in the next
    head = needle[:4]
    for index in range(first, len(report.lines)):
        if head and head in squash(report.lines[index]):
            return index + 1
    return start
