"""Unit tests of the tokenizer and of value reading."""

from __future__ import annotations

import pytest

from worker.parse.tokens import Blank, Heading, Prose, SourceRow, TableRow, tokenize, tokenize_text
from worker.parse.values import parse_value


def test_tokenizer_types_each_layout() -> None:
    text = "\n".join(
        [
            "",
            "一、总体情况",
            "\t0",
            "\t",
            "规章\t0\t0\t",
            "| 行政许可 | 3 |",
            "2023年，本镇主动公开信息 93 条。",
        ]
    )
    tokens = tokenize_text(text)
    assert [type(t) for t in tokens] == [Blank, Heading, TableRow, TableRow, TableRow, TableRow, Prose]
    assert tokens[2] == TableRow(3, cells=("0",), kind="single")
    assert tokens[3] == TableRow(4, cells=("",), kind="single")
    assert tokens[4] == TableRow(5, cells=("规章", "0", "0", ""), kind="tab")
    assert tokens[5] == TableRow(6, cells=("行政许可", "3"), kind="pipe")


def test_tokenizer_takes_real_table_cells_as_given() -> None:
    [tok] = tokenize([SourceRow("x", cells=["", "1.本机关不掌握相关 政府信息", "0"], page=2)])
    assert tok == TableRow(1, cells=("", "1.本机关不掌握相关 政府信息", "0"), kind="cells", page=2)


@pytest.mark.parametrize(
    ("raw", "kind", "value", "unit"),
    [
        ("0", "number", 0, None),
        ("1,234", "number", 1234, None),
        ("+3", "number", 3, None),
        ("-2", "number", -2, None),
        ("12.50", "number", 12.5, None),
        ("3.5万元", "number", 3.5, "万元"),
        ("1,234元", "number", 1234, "元"),
        ("7件", "number", 7, None),
        ("7(件)", "number", 7, None),
        ("2.5(万元)", "number", 2.5, "万元"),
        ("增3", "number", 3, None),
        ("减少2", "number", -2, None),
        ("1 234", "number", 1234, None),
        ("", "blank", None, None),
        ("空", "placeholder", None, None),
        ("/", "placeholder", None, None),
        ("-", "placeholder", None, None),
        ("—", "placeholder", None, None),
        ("无", "placeholder", None, None),
        ("1.属于国家秘密", "text", None, None),
        ("12345网上便民平台", "text", None, None),
        ("1.", "text", None, None),
    ],
)
def test_parse_value(raw: str, kind: str, value: object, unit: str | None) -> None:
    parsed = parse_value(raw)
    assert (parsed.kind, parsed.value, parsed.unit) == (kind, value, unit)
    assert type(parsed.value) is type(value)
