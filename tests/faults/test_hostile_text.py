"""Issue 10, item 24: hostile shapes of otherwise valid reports (deep nesting, UTF-32, a huge line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.extract import MAX_LINE_CHARS, extract_file
from worker.parse import read_report

pytestmark = pytest.mark.faults

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "formats"


def _texts(path: Path) -> list[str]:
    return [line.text for line in extract_file(path).lines]


@pytest.mark.timeout(30)
def test_a_report_inside_50000_nested_divs_is_read(tmp_path: Path) -> None:
    page = (SAMPLES / "report_word_export.htm").read_bytes()
    start = page.index(b">", page.lower().index(b"<body")) + 1
    end = page.lower().rindex(b"</body>")
    deep = tmp_path / "deep.htm"
    deep.write_bytes(page[:start] + b"<div>" * 50_000 + page[start:end] + b"</div>" * 50_000 + page[end:])
    mixed = tmp_path / "mixed.htm"
    mixed.write_bytes(page[:start] + b"<div><span>" * 25_000 + page[start:end] + b"</span></div>" * 25_000 + page[end:])
    expected = _texts(SAMPLES / "report_word_export.htm")
    assert _texts(deep) == expected
    assert _texts(mixed) == expected


@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be"])
def test_utf32_without_bom_is_read(tmp_path: Path, encoding: str) -> None:
    source = SAMPLES / "report_gb18030.txt"
    path = tmp_path / "r.txt"
    path.write_bytes(source.read_bytes().decode("gb18030").encode(encoding))  # Python writes no BOM here
    extracted = extract_file(path)
    assert extracted.encoding == encoding
    assert [line.text for line in extracted.lines] == _texts(source)


@pytest.mark.timeout(60)
def test_a_48_mb_trailing_line_is_cut_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    text = (SAMPLES / "report_gb18030.txt").read_bytes().decode("gb18030")
    path.write_bytes(text.encode("utf-8") + b"x" * (48 * 1024 * 1024))
    extracted = extract_file(path)
    assert len(extracted.lines[-1].text) == MAX_LINE_CHARS
    last = len(extracted.lines)
    assert f"第 {last} 行过长，只保留了前 {MAX_LINE_CHARS} 个字符（其余内容已截断）" in extracted.warnings
    report = read_report(path)
    assert len(report.model_dump_json()) < 2 * 1024 * 1024
