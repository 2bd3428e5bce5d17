"""Word automatic numbering: the "一、", "（一）", "1." that Word draws but does not store in the text.

Chinese reports often number their headings and list items with Word's numbering (``w:numPr`` on the
paragraph or on its style). The visible label comes from ``word/numbering.xml``: the level's ``lvlText``
(e.g. ``%1、``, ``（%1）``) with each ``%n`` replaced by the counter of level n in that level's ``numFmt``
(``chineseCounting`` 一二三, ``decimal``, ``decimalEnclosedCircle`` ①, ...). Counters run per abstract list
in document order; using a level resets the deeper ones. Bullets produce nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (enough for list counters)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + _DIGITS[rest] if rest < 10 else chinese_number(rest))
        if 10 <= rest < 20:
            tail = "一" + tail
        return _DIGITS[n // 100] + "百" + tail
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += sym
            n -= value
    return out


def _letter(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
    "decimalFullWidth2": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
    "decimalHalfWidth": str,
    "decimalEnclosedCircle": lambda n: _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n),
    "decimalEnclosedCircleChinese": lambda n: _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n),
    "decimalEnclosedParen": lambda n: f"({n})",
    "chineseCounting": chinese_number,
    "chineseCountingThousand": chinese_number,
    "chineseLegalSimplified": chinese_number,
    "ideographDigital": lambda n: "".join(_DIGITS[int(c)] for c in str(n)),
    "japaneseCounting": chinese_number,
    "taiwaneseCounting": chinese_number,
    "taiwaneseCountingThousand": chinese_number,
    "ideographTraditional": lambda n: _TIANGAN[(n - 1) % 10],
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
    "upperLetter": _letter,
    "lowerLetter": lambda n: _letter(n).lower(),
    "none": lambda n: "",
}


class Numbering:
    """Numbering definitions of one document plus the running counters."""

    def __init__(
        self,
        numbering: Element | None,
        styles: Element | None,
        w: Callable[[Element, str], bool],
        attr: Callable[[Element, str], str | None],
    ) -> None:
        self._w, self._attr = w, attr
        self.levels: dict[
            str, dict[int, tuple[int, str, str]]
        ] = {}  # abstract id -> ilvl -> (start, fmt, text)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstract id, start overrides)
        self.style_num: dict[str, tuple[str, int | None]] = {}  # styleId -> (numId, ilvl)
        self.style_parent: dict[str, str] = {}
        self.counters: dict[str, list[int]] = {}
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)

    def _kids(self, el: Element, name: str) -> list[Element]:
        return [c for c in el if self._w(c, name)]

    def _val(self, el: Element, name: str) -> str | None:
        kids = self._kids(el, name)
        return self._attr(kids[0], "val") if kids else None

    def _read_numbering(self, root: Element) -> None:
        for abstract in self._kids(root, "abstractNum"):
            aid = self._attr(abstract, "abstractNumId") or ""
            levels: dict[int, tuple[int, str, str]] = {}
            for lvl in self._kids(abstract, "lvl"):
                try:
                    ilvl, start = int(self._attr(lvl, "ilvl") or 0), int(self._val(lvl, "start") or 1)
                except ValueError:
                    continue
                levels[ilvl] = (start, self._val(lvl, "numFmt") or "decimal", self._val(lvl, "lvlText") or "")
            self.levels[aid] = levels
        for num in self._kids(root, "num"):
            overrides: dict[int, int] = {}
            for override in self._kids(num, "lvlOverride"):
                raw_start = self._val(override, "startOverride")
                if raw_start is not None and raw_start.isdigit():
                    overrides[int(self._attr(override, "ilvl") or 0)] = int(raw_start)
            self.nums[self._attr(num, "numId") or ""] = (self._val(num, "abstractNumId") or "", overrides)

    def _read_styles(self, root: Element) -> None:
        for style in self._kids(root, "style"):
            sid = self._attr(style, "styleId") or ""
            parent = self._val(style, "basedOn")
            if parent:
                self.style_parent[sid] = parent
            for ppr in self._kids(style, "pPr"):
                for numpr in self._kids(ppr, "numPr"):
                    ilvl = self._val(numpr, "ilvl")
                    self.style_num[sid] = (
                        self._val(numpr, "numId") or "",
                        int(ilvl) if ilvl and ilvl.isdigit() else None,
                    )

    def label(self, ppr: Element | None) -> str:
        """The number text of a paragraph (advancing the counters), or "" when it is not numbered."""
        if ppr is None:
            return ""
        num_id: str | None = None
        ilvl: int | None = None
        for numpr in self._kids(ppr, "numPr"):
            num_id = self._val(numpr, "numId")
            raw = self._val(numpr, "ilvl")
            ilvl = int(raw) if raw and raw.isdigit() else None
        if num_id is None:
            style = self._val(ppr, "pStyle")
            for _ in range(10):  # follow basedOn a few steps
                if style is None:
                    break
                if style in self.style_num:
                    num_id, style_lvl = self.style_num[style]
                    ilvl = style_lvl if ilvl is None else ilvl
                    break
                style = self.style_parent.get(style)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        aid, overrides = self.nums[num_id]
        levels = self.levels.get(aid, {})
        ilvl = ilvl or 0
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(aid, [0] * 9)
        if counts[ilvl] == 0:
            counts[ilvl] = overrides.get(ilvl, levels[ilvl][0]) - 1
        counts[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counts[deeper] = 0
        _, fmt, text = levels[ilvl]
        if fmt == "bullet":
            return ""
        for level in range(ilvl, -1, -1):
            if f"%{level + 1}" in text:
                lfmt = levels.get(level, (1, "decimal", ""))[1]
                value = counts[level] or levels.get(level, (1, "decimal", ""))[0]
                text = text.replace(f"%{level + 1}", FORMATS.get(lfmt, str)(value))
        return text
