"""The parser's stages never crash: normalise is idempotent, the tokenizer never raises, parse never crashes
on random text or on mangled reports (it returns a Report or raises ParseError, nothing else)."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils.gen import random_report
from tests.utils.render_text import LAYOUTS, render_report
from worker.errors import ParseError
from worker.parse import parse_text
from worker.parse.normalise import normalise, normalise_line
from worker.parse.tokens import tokenize_text

REPORT_ALPHABET = st.sampled_from(
    list(
        "\t\n |-—/0123456789１２,.+()（）：、一二三四五六七八九十章规范性文件行政许可处罚强制总计结转本年新收予以公开无空"
    )
    + [
        "第二十条第（一）项",
        "一、总体情况",
        "三、收到和处理政府信息公开申请情况",
        "(七)总计",
        "\u3000",
        "\u00a0",
        "\r",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalise_keeps_the_line_count(text: str) -> None:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    assert normalise(text).count("\n") == text.count("\n")
    for line in text.split("\n"):
        assert "\n" not in normalise_line(line)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_tokenizer_never_raises(text: str) -> None:
    tokens = tokenize_text(normalise(text))
    assert len(tokens) == normalise(text).count("\n") + 1


def _parse_or_parse_error(text: str) -> None:
    try:
        report = parse_text(text)
    except ParseError as exc:
        assert str(exc)
        return
    report.canonical()


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_parse_never_crashes_on_random_text(text: str) -> None:
    _parse_or_parse_error(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(REPORT_ALPHABET, max_size=400).map("".join))
def test_parse_never_crashes_on_report_like_noise(text: str) -> None:
    _parse_or_parse_error(text)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False), layout=st.sampled_from(LAYOUTS), data=st.data())
def test_parse_never_crashes_on_mangled_reports(rnd: random.Random, layout: str, data: st.DataObject) -> None:
    lines = render_report(random_report(rnd), layout, rng=rnd).split("\n")
    ops = data.draw(st.lists(st.tuples(st.sampled_from("dsxjt"), st.integers(0, 10_000)), max_size=25))
    for op, pos in ops:
        if not lines:
            break
        i = pos % len(lines)
        if op == "d":
            del lines[i]
        elif op == "s":
            lines.insert(i, lines[(pos // 7) % len(lines)])
        elif op == "x" and lines[i]:
            lines[i] = lines[i][: pos % len(lines[i])]
        elif op == "j" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
        elif op == "t":
            lines[i] = lines[i].replace("\t", " " if pos % 2 else "|")
    _parse_or_parse_error("\n".join(lines))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10), max_size=12)), max_size=60),
    with_spans=st.booleans(),
)
def test_parse_never_crashes_on_random_extracted_rows(items: list, with_spans: bool) -> None:
    """Whatever an extractor hands over (text lines, real table rows with or without spans)."""
    from worker.extract.base import Extracted, SourceLine
    from worker.parse import parse_extracted

    lines = [
        SourceLine(text="\t".join(it), cells=it, spans=[1] * len(it) if with_spans else None)
        if isinstance(it, list)
        else SourceLine(text=it)
        for it in items
    ]
    try:
        parse_extracted(Extracted(kind="docx", lines=lines)).canonical()
    except ParseError as exc:
        assert str(exc)
