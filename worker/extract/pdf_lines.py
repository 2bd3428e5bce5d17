"""PDF page text outside tables: characters to lines, gap-separated segments, page chrome detection.

A line is a run of characters sharing a baseline band. Inside a line a gap wider than ~1.5 em starts a new
segment (a whitespace-aligned table column); the segments are joined with a tab, like a tab-separated text
row. Page headers and footers are the first/last lines in the page margins that repeat on other pages
(digits ignored), and page numbers ("— 5 —", "第 3 页 共 9 页", "3/9", "- 3 -").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SEGMENT_GAP_EM = 1.5
MARGIN_SHARE = 0.1
_PAGE_NO = re.compile(
    r"^[\s\-—–－_·•|]*(第\s*)?(\d+|[一二三四五六七八九十]+)\s*页?\s*([/／]\s*(共\s*)?\d+\s*页?|共\s*\d+\s*页)?"
    r"[\s\-—–－_·•|]*$|^page\s*\d+(\s*of\s*\d+)?$",
    re.I,
)


@dataclass
class TextLine:
    """One visual line of a page."""

    top: float
    bottom: float
    segments: list[str] = field(default_factory=list)
    x0: float = 0.0
    x1: float = 0.0
    size: float = 10.0
    extents: list[tuple[float, float]] = field(default_factory=list)  # x0, x1 of each segment

    @property
    def text(self) -> str:
        return "\t".join(self.segments)


def chars_to_lines(chars: list[dict[str, Any]]) -> list[TextLine]:
    """Group characters into lines (top to bottom) and each line into gap-separated segments."""
    visible = [c for c in chars if str(c.get("text", "")).strip()]
    visible.sort(key=lambda c: (round(float(c["top"]), 1), float(c["x0"])))
    bands: list[list[dict[str, Any]]] = []
    for ch in visible:
        size = float(ch.get("size") or (ch["bottom"] - ch["top"]) or 10)
        mid = (float(ch["top"]) + float(ch["bottom"])) / 2
        for band in reversed(bands[-3:]):
            ref = band[0]
            ref_mid = (float(ref["top"]) + float(ref["bottom"])) / 2
            if abs(mid - ref_mid) <= 0.4 * size:
                band.append(ch)
                break
        else:
            bands.append([ch])
    lines: list[TextLine] = []
    for band in bands:
        band.sort(key=lambda c: float(c["x0"]))
        sizes = sorted(float(c.get("size") or 10) for c in band)
        line = TextLine(
            top=min(float(c["top"]) for c in band),
            bottom=max(float(c["bottom"]) for c in band),
            x0=float(band[0]["x0"]),
            x1=max(float(c["x1"]) for c in band),
            size=sizes[len(sizes) // 2],
        )
        current = ""
        start = float(band[0]["x0"])
        prev: dict[str, Any] | None = None
        for ch in band:
            if prev is not None:
                size = float(ch.get("size") or 10)
                gap = float(ch["x0"]) - float(prev["x1"])
                if gap > SEGMENT_GAP_EM * size:
                    line.segments.append(current)
                    line.extents.append((start, float(prev["x1"])))
                    current = ""
                    start = float(ch["x0"])
                elif gap > 0.2 * size and (prev["text"].isascii() or ch["text"].isascii()):
                    current += " "
            current += str(ch["text"])
            prev = ch
        line.segments.append(current)
        line.extents.append((start, float(band[-1]["x1"])))
        lines.append(line)
    lines.sort(key=lambda ln: ln.top)
    return lines


def is_page_number(text: str) -> bool:
    """True for a line that is only a page number in one of the usual styles."""
    return bool(_PAGE_NO.match(text.replace("\t", " ").strip()))


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def chrome_lines(pages: list[tuple[float, list[TextLine]]]) -> set[tuple[int, int]]:
    """Find page headers/footers/page numbers.

    Args:
        pages: per page, its height and its lines (top to bottom).

    Returns:
        ``(page_index, line_index)`` pairs to drop.
    """
    candidates: list[tuple[int, int, str]] = []
    for p, (height, lines) in enumerate(pages):
        for i in (0, 1, len(lines) - 2, len(lines) - 1):
            if 0 <= i < len(lines):
                line = lines[i]
                if line.top < MARGIN_SHARE * height or line.bottom > (1 - MARGIN_SHARE) * height:
                    candidates.append((p, i, line.text))
    counts = Counter(_key(text) for _, _, text in set(candidates))
    repeat_min = max(2, (len(pages) + 1) // 2)
    drop: set[tuple[int, int]] = set()
    for p, i, text in candidates:
        if is_page_number(text) or (len(pages) >= 2 and counts[_key(text)] >= repeat_min):
            drop.add((p, i))
    return drop


_HEADING = re.compile(
    r"^\s*([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+[章节条])"
)


def continues(prev: TextLine, line: TextLine, *, left: float, right: float) -> bool:
    """True when ``line`` is the wrapped continuation of the paragraph that ``prev`` ends.

    ``prev`` must run to the right edge of the text block, ``line`` must start at the left edge (a first
    line of a paragraph is indented), neither may be a tab-separated row, and ``line`` is not a heading.
    """
    if len(prev.segments) != 1 or len(line.segments) != 1:
        return False
    if prev.x1 < right - 1.5 * prev.size or line.x0 > left + 0.8 * line.size:
        return False
    return not _HEADING.match(line.segments[0])


def text_edges(lines: list[TextLine]) -> tuple[float, float]:
    """Left and right edge of a page's body text (single-segment lines)."""
    body = [ln for ln in lines if len(ln.segments) == 1] or lines
    if not body:
        return 0.0, 0.0
    return min(ln.x0 for ln in body), max(ln.x1 for ln in body)


_VALUE = re.compile(r"^[+\-−]?[\d,，.]+(万元|元)?$|^[/／—–\-－无空]$")


def fill_blank_columns(lines: list[TextLine]) -> None:
    """Put back the blank cells of whitespace-aligned tables, in place.

    In a run of consecutive multi-segment lines, the centres of the value segments (numbers, placeholders)
    that line up across at least two lines are the value columns; a line whose values miss some of these
    columns gets "" there, so that a blank total is not read as the next row's number. Lines whose values
    do not fit the columns one to one are left as they are.
    """
    run: list[TextLine] = []
    for line in [*lines, None]:
        if line is not None and len(line.segments) >= 2:
            run.append(line)
            continue
        if len(run) >= 2:
            _fill_run(run)
        run = []


def _nearest(columns: list[float], x: float) -> int:
    return min(range(len(columns)), key=lambda k: abs(columns[k] - x))


def _fill_run(run: list[TextLine]) -> None:
    centres: list[tuple[float, int]] = []
    value_starts: list[float] = []
    for index, line in enumerate(run):
        is_header = not any(_VALUE.match(t.strip()) for t in line.segments)
        for text, (x0, x1) in zip(line.segments, line.extents, strict=True):
            if is_header or _VALUE.match(text.strip()):
                centres.append(((x0 + x1) / 2, index))  # column headers are centred over their values
            if _VALUE.match(text.strip()):
                value_starts.append(x0)
    if not value_starts:
        return
    tolerance = 1.2 * max(ln.size for ln in run)
    clusters: list[list[tuple[float, int]]] = []
    for centre in sorted(centres):
        if clusters and centre[0] - clusters[-1][-1][0] <= tolerance:
            clusters[-1].append(centre)
        else:
            clusters.append([centre])
    leftmost = min(value_starts) - tolerance  # clusters left of every value are label columns
    columns = [
        sum(c for c, _ in cl) / len(cl)
        for cl in clusters
        if len({i for _, i in cl}) >= 2 and sum(c for c, _ in cl) / len(cl) >= leftmost
    ]
    if len(columns) < 2:
        return
    for line in run:
        values = [
            (t, (x0 + x1) / 2)
            for t, (x0, x1) in zip(line.segments, line.extents, strict=True)
            if _VALUE.match(t.strip())
        ]
        if not values or len(values) == len(columns):
            continue
        first_value = next(i for i, t in enumerate(line.segments) if _VALUE.match(t.strip()))
        if any(not _VALUE.match(t.strip()) for t in line.segments[first_value:]):
            continue  # labels after the values: not a plain value row
        slots = [_nearest(columns, c) for _, c in values]
        if len(set(slots)) != len(slots) or any(
            abs(columns[k] - c) > tolerance for k, (_, c) in zip(slots, values, strict=True)
        ):
            continue
        filled = [""] * len(columns)
        for k, (text, _) in zip(slots, values, strict=True):
            filled[k] = text
        line.segments = line.segments[:first_value] + filled
