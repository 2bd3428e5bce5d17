"""Reading one table value: integers, "1,234", "+3", decimals, trailing 元/万元, blanks and placeholders.

Blanks and placeholders (空, "/", "-", "—", "无") read as ``None``, never as 0. Input is a normalised cell
(NFKC already folded full-width digits and commas).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from worker.parse.vocab import COUNT_UNITS, MONEY_UNITS, PLACEHOLDER, compact

ValueKind = Literal["number", "blank", "placeholder", "text"]

_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_PAREN_UNIT = re.compile(r"^(.*\d)\((" + "|".join(MONEY_UNITS + COUNT_UNITS) + r")\)$")
_CHANGE_WORD = re.compile(r"^(增加|增|减少|减)(\d[\d,.]*)$")
_UNIT = re.compile(r"^(.*?\d)(" + "|".join(MONEY_UNITS + COUNT_UNITS) + r")$")


@dataclass(frozen=True)
class Value:
    kind: ValueKind
    value: int | float | None = None
    unit: str | None = None

    @property
    def is_cell(self) -> bool:
        """True when this text stands for a table value (a number, a blank or a placeholder)."""
        return self.kind != "text"


BLANK = Value("blank")


@lru_cache(maxsize=8192)
def parse_value(raw: str) -> Value:
    """Classify a cell text and read its number.

    Args:
        raw: the cell text (normalised).

    Returns:
        A ``Value``: ``number`` with an int (no decimal point printed) or a float, ``blank``, ``placeholder``
        or ``text`` (a label or anything else that is not a value).
    """
    text = compact(raw)
    if not text:
        return BLANK
    if PLACEHOLDER.match(text):
        return Value("placeholder")
    unit = None
    text = _PAREN_UNIT.sub(r"\1\2", text)  # "3(件)" -> "3件"
    if m := _CHANGE_WORD.match(text):  # 2019 本年增/减 written out: "增3", "减少2"
        text = ("-" if m.group(1).startswith("减") else "+") + m.group(2)
    m = _UNIT.match(text)
    if m:
        text, unit = m.group(1), m.group(2)
        if unit in COUNT_UNITS:
            unit = None
    n = _NUMBER.match(text)
    if not n:
        return Value("text")
    sign, digits, frac = n.groups()
    digits = digits.replace(",", "")
    if frac:
        number: int | float = float(f"{sign}{digits}{frac}")
    else:
        number = int(f"{sign}{digits}")
    return Value("number", number, unit)
