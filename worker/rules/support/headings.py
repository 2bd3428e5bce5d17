"""Section headings the parser left out of ``Report.sections`` because they are out of order.

The parser keeps the longest run of headings increasing in line and number (so that sub-headings reusing
一、..五、 inside 一 are never taken for sections). A real heading printed out of order is then dropped. Seen
from the rules, that section would look *missing* although it is only *misplaced*. Both structure rules
read these stray headings, so that the finding is STRUCT_SECTION_ORDER and not STRUCT_SECTION_MISSING.
"""

from __future__ import annotations

from dataclasses import dataclass

from worker.parse.models import Report
from worker.parse.sections import classify_heading
from worker.parse.vocab import SECTION_NUMERALS, SECTION_TITLES, SECTIONS, compact


@dataclass(frozen=True)
class Heading:
    no: int
    key: str
    line: int


def stray_headings(report: Report) -> list[Heading]:
    """Numbered section headings (e.g. "四、政府信息公开行政复议、行政诉讼情况") whose section the parser did not
    keep; the first one per section, in line order."""
    found = {s.key for s in report.sections}
    strays: dict[str, Heading] = {}
    for index, text in enumerate(report.lines):
        if len(text) > 40 or not text.strip():
            continue
        hit = classify_heading(text)
        if hit is None:
            continue
        spec, numbered = hit
        if numbered and spec.key not in found and spec.key not in strays:
            strays[spec.key] = Heading(spec.no, spec.key, index + 1)
    return sorted(strays.values(), key=lambda h: h.line)


def inline_headings(report: Report) -> set[str]:
    """Sections whose heading is printed inside a line of text, numeral and wording exactly a template's
    (``vocab.SECTION_TITLES``: "…开展工作二、主动公开政府信息情况第二十条…", text saved from a web page on one
    line with no separators): present, not missing, though the parser did not cut them out (``relines.py``
    cuts a heading only where a space, a sentence end or a digit is on its left)."""
    found = {s.key for s in report.sections}
    wanted = {
        spec.key: [SECTION_NUMERALS[spec.no - 1] + "、" + title for title in SECTION_TITLES[spec.no]]
        for spec in SECTIONS
        if spec.key not in found
    }
    if not wanted:
        return set()
    text = compact("".join(report.lines))
    return {key for key, titles in wanted.items() if any(title in text for title in titles)}
