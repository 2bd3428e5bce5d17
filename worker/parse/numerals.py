"""Reading numbers written in Chinese numerals: "二十三", "一百零五", "两", "〇", and years "二〇二四".

The one reader of the project: the parser reads dates with it ("二〇二四年一月二十三日"), the rules read the
counts stated in prose ("共收到申请十二件"). Arabic digits are read too, so a caller need not tell them apart.
"""

from __future__ import annotations

# "O" (a Latin letter) and "○" stand in for "〇" in typed years; "两" is 2 before a unit or on its own.
DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}  # fmt: skip
UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_int(text: str) -> int | None:
    """The value of a count: "12" -> 12, "三" -> 3, "十二" -> 12, "二十" -> 20, "一百零五" -> 105.

    Units (十, 百, 千) must fall from left to right, each digit stands before a unit or last, and 零 only
    fills a gap ("一百零五"). Anything else ("三五", "十十", "二〇二四"; see ``cn_digits`` for years) is None.
    """
    if not text:
        return None
    if text.isdecimal():
        return int(text)
    total = 0
    pending: int | None = None  # a digit waiting for its unit
    last_unit = 10_000
    for char in text:
        if char in DIGITS:
            if pending:  # two digits in a row; only a 零 may precede another digit
                return None
            pending = DIGITS[char]
        elif char in UNITS:
            unit = UNITS[char]
            if unit >= last_unit or pending == 0:
                return None
            total += (1 if pending is None else pending) * unit  # a leading 十 is 一十
            last_unit, pending = unit, None
        else:
            return None
    return total + (pending or 0)


def cn_digits(text: str) -> int | None:
    """A number written digit by digit, as years are: "二〇二四" -> 2024, "2024" -> 2024; else None."""
    if text.isdecimal():
        return int(text)
    if not text or any(char not in DIGITS for char in text):
        return None
    return int("".join(str(DIGITS[char]) for char in text))
