"""Row labels of 三 and 二 matched by place and likeness when their spelling matches no keyword.

A published label with a character wrong or missing ("2.其他法律行政止公开" for "2.其他法律行政法规禁止公开")
still stands where the template puts it. A label that no keyword names is compared with the template
labels of the next rows after the last row recognised (``LIKENESS_WINDOW`` of them, not yet read): it is
that row when exactly one of them is alike (``difflib`` ratio of the labels without numbering, spaces and
width differences, at least ``LABEL_LIKENESS_MIN``) and its numbering, when printed, is the row's. Group
labels are never candidates, so no row is invented from a (sub-)heading.

二 (``match_disclosure_by_place``): the same within a block, its rows in template order
(``vocab.DISCLOSURE_ROW_LABELS``), a bracketed note left out of the printed label; both templates' wordings
are compared and the best counts. A label of one or two characters is never matched by likeness (one
character wrong in "规章" is half of it). Table 四 is read by position, never by its labels, so a character
wrong there loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Container
from difflib import SequenceMatcher

from worker.parse.vocab import (
    APPLICATION_ROWS,
    DISCLOSURE_ROW_LABELS,
    LABEL_LIKENESS_MIN,
    LIKENESS_WINDOW,
    ROW_NUMBERING,
    RowSpec,
    compact,
)

_DATA_ROWS = [r for r in APPLICATION_ROWS if not r.is_group]


def _bare(label: str) -> tuple[str, str]:
    """(numbering, text) of a compacted label: ("2.", "其他法律行政止公开")."""
    text = compact(label).replace('"', "")
    m = ROW_NUMBERING.match(text)
    return (m.group(0), text[m.end() :]) if m else ("", text)


def likeness(printed: str, expected: str) -> float:
    """How alike two labels are, numbering left out (1.0 identical)."""
    return SequenceMatcher(None, _bare(printed)[1], _bare(expected)[1], autojunk=False).ratio()


def match_by_place(label: str, prev_key: str | None, seen: Container[str]) -> RowSpec | None:
    """The data row of 三 that ``label`` stands for by place and likeness, or None.

    Args:
        label: the compacted label as printed.
        prev_key: the last row recognised before it (None: the table's first row).
        seen: row keys already read (never matched twice).
    """
    numbering, text = _bare(label)
    if len(text) < 2:
        return None
    start = next((i + 1 for i, r in enumerate(_DATA_ROWS) if r.key == prev_key), 0)
    candidates = [r for r in _DATA_ROWS[start:] if r.key not in seen][:LIKENESS_WINDOW]
    alike = []
    for spec in candidates:
        want_numbering, _ = _bare(spec.label)
        if numbering and want_numbering and numbering.rstrip(".、．") != want_numbering.rstrip(".、．"):
            continue
        if likeness(label, spec.label) >= LABEL_LIKENESS_MIN:
            alike.append(spec)
    return alike[0] if len(alike) == 1 else None


_NOTE = re.compile(r"\([^()]*\)")
_MIN_LIKENESS_CHARS = 3


def match_disclosure_by_place(block: str, label: str, seen: Container[str], last: str | None) -> str | None:
    """The row key of 二 block ``block`` that ``label`` stands for by place and likeness, or None.

    Args:
        block: the block key ("art20_1").
        label: the compacted label as printed.
        seen: row keys of the block already read (never matched twice).
        last: the last row of the block read before it (None: the block's first row).
    """
    text = _NOTE.sub("", compact(label)) or compact(label)
    if len(text) < _MIN_LIKENESS_CHARS:
        return None
    rows = DISCLOSURE_ROW_LABELS.get(block, ())
    start = next((i + 1 for i, (key, _) in enumerate(rows) if key == last), 0)
    candidates = [(key, labels) for key, labels in rows[start:] if key not in seen][:LIKENESS_WINDOW]
    alike = [
        key
        for key, labels in candidates
        if max(SequenceMatcher(None, text, want, autojunk=False).ratio() for want in labels) >= LABEL_LIKENESS_MIN
    ]
    return alike[0] if len(alike) == 1 else None
