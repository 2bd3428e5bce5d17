"""The one Chinese-numeral reader: counts in prose (former ``cn_int`` of the rules) and dates (former
``_cn_number`` of the parser's metadata)."""

from __future__ import annotations

import datetime as dt

import pytest

from worker.parse.meta import parse_date_line
from worker.parse.numerals import cn_digits, cn_int


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("三", 3),
        ("两", 2),
        ("〇", 0),
        ("零", 0),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("两百", 200),
        ("一百零五", 105),
        ("一百一十", 110),
        ("三千零二十", 3020),
    ],
)
def test_counts_and_day_numbers_are_read(text: str, value: int) -> None:
    assert cn_int(text) == value


@pytest.mark.parametrize("text", ["", "三五", "十十", "二十十", "百十千", "零十", "二〇二四", "约", "3件"])
def test_what_is_not_one_number_is_none(text: str) -> None:
    assert cn_int(text) is None


def test_years_are_read_digit_by_digit() -> None:
    assert cn_digits("二〇二四") == 2024
    assert cn_digits("二○二三") == 2023
    assert cn_digits("二O二二") == 2022
    assert cn_digits("2024") == 2024
    assert cn_digits("二〇二四年") is None
    assert cn_digits("") is None


def test_chinese_dates_use_the_reader() -> None:
    assert parse_date_line("二〇二四年一月二十三日") == dt.date(2024, 1, 23)
    assert parse_date_line("二〇二四年十二月十日") == dt.date(2024, 12, 10)
    assert parse_date_line("二〇二四年十月三十一日") == dt.date(2024, 10, 31)
    assert parse_date_line("二〇二四年十十十月一日") is None  # not a number: no date (was a KeyError)
