"""Text decoding: every encoding offices use, never a silent mis-decode, lines 1:1 with the file."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.errors import ExtractionError
from worker.extract import extract_file
from worker.extract.txt import decode_bytes, split_lines

REPORT = "南口镇人民政府2023年政府信息公开工作年度报告\n一、总体情况\n\t本年新收政府信息公开申请数量\t3\t0\n“三安全一稳定”（七）总计\n"


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-be", "utf-16-be"),
        ("utf-16-le", "utf-16-le"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
        ("gb2312", "gb18030"),
    ],
)
def test_txt_decodes_each_encoding(tmp_path: Path, encoding: str, detected: str) -> None:
    path = tmp_path / "r.txt"
    text = REPORT * 3  # BOM-less UTF-16 is recognised from its NUL pattern, which needs a few lines
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # with BOM
    path.write_bytes(data)
    extracted = extract_file(path)
    assert extracted.encoding == (detected if encoding != "utf-16-be" else "utf-16")
    assert [line.text for line in extracted.lines] == split_lines(text)


def test_txt_committed_samples_decode_to_the_same_lines(samples: Path) -> None:
    texts = {
        name: [ln.text for ln in extract_file(samples / name).lines]
        for name in ("report_gb18030.txt", "report_utf16.txt", "report_utf8_bom.txt")
    }
    assert texts["report_gb18030.txt"] == texts["report_utf16.txt"] == texts["report_utf8_bom.txt"]
    assert texts["report_gb18030.txt"][0] == "将乐县南口镇人民政府2023年政府信息公开工作年度报告"


def test_txt_line_numbers_match_the_file(tmp_path: Path) -> None:
    # CRLF, CR and LF end lines; U+2028, form feed and vertical tab inside a line do not split it
    data = "第一行\r\n第二行\u2028仍是第二行\r第三行\x0c\n\n第五行".encode()
    path = tmp_path / "r.txt"
    path.write_bytes(data)
    assert [ln.text for ln in extract_file(path).lines] == [
        "第一行",
        "第二行\u2028仍是第二行",
        "第三行\x0c",
        "",
        "第五行",
    ]


def test_txt_big5_is_not_silently_read_as_gbk() -> None:
    traditional = "臺灣省政府資訊公開年度報告，總體情況與申請處理數據彙總說明。" * 3
    text, encoding = decode_bytes(traditional.encode("big5"))
    assert encoding.replace("_", "").startswith("big5")
    assert text == traditional


def test_txt_garbage_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    rng = random.Random(3)
    path.write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(3000)))
    with pytest.raises(ExtractionError, match="无法解码文本|乱码") as info:
        extract_file(path)
    assert info.value.code in ("text_undecodable", "text_garbage")


def test_txt_invalid_bytes_after_bom_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "一、总体情况".encode() + b"\xff\xfe\xfd")
    with pytest.raises(ExtractionError, match="字节顺序标记（BOM）后的 utf-8-sig 文本无效") as info:
        extract_file(path)
    assert info.value.code == "text_bad_bom"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(codec="gb18030", exclude_categories=("Cc", "Cs", "Co", "Cn")), max_size=30
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
)
def test_txt_roundtrip_property(lines: list[str], encoding: str) -> None:
    """Whatever decodes is decoded right: a successful decode gives back exactly the encoded text."""
    text = "\n".join(lines) + "\n"
    try:
        decoded, _ = decode_bytes(text.encode(encoding))
    except ExtractionError:
        return  # refusing (e.g. too many rare characters to be sure) is allowed; mis-decoding is not
    assert decoded == text


def test_txt_seeds_keep_one_line_per_file_line(seeds_dir: Path) -> None:
    for seed in sorted(seeds_dir.glob("*.txt")):
        extracted = extract_file(seed)
        raw = seed.read_bytes().decode("utf-8")
        assert extracted.encoding == "utf-8"
        assert len(extracted.lines) == len(split_lines(raw)), seed.name
        assert all(line.cells is None for line in extracted.lines)


def test_txt_cut_inside_the_last_utf8_character_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_bytes(("一、总体情况\n本机关全年主动公开政府信息" * 3).encode()[:-2])
    extracted = extract_file(path)
    assert extracted.encoding == "utf-8"
    assert extracted.lines[-1].text.endswith("本机关全年主动公开政府信")
    assert extracted.warnings == ["the file ends inside a UTF-8 character (truncated?): its last 1 byte(s) were dropped"]
