"""``garbage_reason``'s regex fast path equals its per-character definition."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from worker.extract.txt import _is_cjk, garbage_reason

# control characters that are not garbage: tab, line and page breaks
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\x0b"}

SEEDS = Path(__file__).resolve().parents[3] / "tests" / "samples" / "seeds"


def reference(text: str, *, simplified: bool = True) -> str | None:
    """The definition, one character at a time (the implementation before the fast path)."""
    sample = text[:200_000]
    if not sample.strip():
        return "没有文字内容"
    if "\x00" in sample:
        return "含有 NUL 字符（二进制数据，或误判为 UTF-16/32）"
    n = len(sample)
    bad = private = cjk = rare = 0
    for ch in sample:
        cat = unicodedata.category(ch)
        if cat == "Cc" and ch not in _ALLOWED_CONTROLS:
            bad += 1
        elif ch == "\ufffd":
            bad += 1
        elif cat in ("Co", "Cs", "Cn"):
            private += 1
        elif _is_cjk(ch):
            cjk += 1
            try:
                ch.encode("gb2312")
            except UnicodeEncodeError:
                rare += 1
    if bad > max(2, n * 0.001):
        return f"含有 {bad} 个控制字符或替换字符"
    if private > max(2, n * 0.01):
        return f"含有 {private} 个未分配或私用区字符"
    if simplified and cjk >= 20 and rare / cjk > 0.25:
        return f"{cjk} 个汉字中有 {rare} 个生僻字（编码可能有误）"
    return None


_CHARS = st.one_of(
    st.characters(codec="utf-8", exclude_categories=["Cs"]),
    st.sampled_from("政府信息公开年度报告〇一二三（）【】、。，：；“”\t\r\n \x7f\x85\ufffd\ue000\ufa6e\ufada\u9fff\U0002a6e0\U00020000龘齉"),
)


@settings(max_examples=300, deadline=None)
@given(st.text(_CHARS, min_size=0, max_size=400), st.booleans())
def test_garbage_reason_fast_path_equals_definition(text: str, simplified: bool) -> None:
    assert garbage_reason(text, simplified=simplified) == reference(text, simplified=simplified)


def test_garbage_reason_on_mis_decoded_seed_equals_definition() -> None:
    seed = sorted(SEEDS.glob("*.txt"))[0].read_bytes()
    for text in (seed.decode("utf-8"), seed.decode("gb18030", errors="replace"), seed.decode("big5", errors="replace")):
        assert garbage_reason(text) == reference(text)
    assert garbage_reason(seed.decode("gb18030", errors="replace")) is not None  # UTF-8 read as GBK is refused
