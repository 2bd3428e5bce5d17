"""The extractor table is the one seam for a new format: register, read through ``extract_file``, remove.

The test-only format "nblines" is a made-up text format: a magic first line, then the report's lines. It is
added through the public API only (``register_format`` with its detector), read end to end through
``extract_file`` and the parser, and removed again; no production module knows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from worker.errors import UnsupportedFormatError
from worker.extract import Extracted, Format, Sniffed, SourceLine, extract_file
from worker.extract.registry import (
    EXTRACTORS,
    FormatRegistryError,
    register_format,
    unregister_format,
)
from worker.extract.txt import split_lines
from worker.parse import parse_extracted, parse_text
from worker.settings import Settings

SEEDS = Path(__file__).resolve().parents[2] / "samples" / "seeds"
NBLINES = Format("nblines")
MAGIC = b"%NIANBAO-LINES 1\n"


def detect_nblines(path: Path, head: bytes) -> Sniffed | None:
    """Recognises the magic first line."""
    return Sniffed(NBLINES, "nianbao lines (test format)") if head.startswith(MAGIC) else None


class NblinesExtractor:
    """Reads the lines after the magic one."""

    format = NBLINES

    def extract(self, path: Path, *, sniffed: Sniffed, settings: Settings) -> Extracted:
        text = path.read_bytes()[len(MAGIC) :].decode("utf-8")
        return Extracted(kind=NBLINES, lines=[SourceLine(text=line) for line in split_lines(text)])


@pytest.fixture
def nblines() -> Iterator[None]:
    register_format(NblinesExtractor(), detect=detect_nblines)
    try:
        yield
    finally:
        unregister_format(NBLINES)


def test_registry_holds_every_builtin_format() -> None:
    builtin = {Format.TXT, Format.DOCX, Format.HTML, Format.MHT, Format.PDF, Format.DOC}
    assert set(EXTRACTORS) == builtin
    assert all(extractor.format == fmt for fmt, extractor in EXTRACTORS.items())


def test_registry_reads_a_registered_format_end_to_end(nblines: None, tmp_path: Path) -> None:
    seed = sorted(SEEDS.glob("*.txt"))[0]
    text = seed.read_text("utf-8")
    path = tmp_path / "report.txt"  # the name says text: the content decides
    path.write_bytes(MAGIC + text.encode("utf-8"))

    extracted = extract_file(path)

    assert extracted.kind == NBLINES
    assert [line.text for line in extracted.lines] == split_lines(text)
    got = parse_extracted(extracted, source=seed.name).canonical()
    assert got == parse_text(text, source=seed.name).canonical()
    assert got["tables"]["applications"]


def test_registry_forgets_an_unregistered_format(nblines: None, tmp_path: Path) -> None:
    path = tmp_path / "report.nbl"
    path.write_bytes(MAGIC + "一、总体情况\n".encode())
    assert extract_file(path).kind == NBLINES

    unregister_format(NBLINES)
    try:
        assert extract_file(path).kind == Format.TXT  # back to the built-in detection
    finally:
        register_format(NblinesExtractor(), detect=detect_nblines)  # for the fixture's teardown


def test_registry_refuses_a_detected_format_without_extractor(samples: Path) -> None:
    pdf = unregister_format(Format.PDF)
    try:
        with pytest.raises(UnsupportedFormatError) as info:
            extract_file(samples / "report_ruled.pdf")
    finally:
        register_format(pdf)
    assert info.value.reason == "不支持的文件格式：PDF 文档"
    assert info.value.code == "unsupported_format"
    assert extract_file(samples / "report_ruled.pdf").kind == Format.PDF


def test_registry_refuses_a_second_extractor_for_a_format(nblines: None) -> None:
    with pytest.raises(FormatRegistryError, match="already read by NblinesExtractor"):
        register_format(NblinesExtractor())
    with pytest.raises(FormatRegistryError, match="not registered"):
        unregister_format(Format("never-registered"))

