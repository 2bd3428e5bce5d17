"""Hostile files: each is refused with a clear reason, in bounded time and memory, and the next file still reads."""

from __future__ import annotations

import random
import signal
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from billiard.exceptions import SoftTimeLimitExceeded

from tests.utils.make_format_samples import ole_stub
from tests.utils.render_formats import render_pdf
from tests.utils.render_formats_layout import random_report
from worker.errors import ExtractionError
from worker.extract import extract_file
from worker.settings import Settings

# name -> (reason code, the zh-CN reason or its start)
HOSTILE_REASONS = {
    "hostile_truncated.docx": ("corrupt_zip", "ZIP/Office 文件损坏或不完整"),
    "hostile_zipbomb.docx": (
        "zip_too_large", "拒绝处理疑似压缩炸弹：解压后 210 MB，上限为 200 MB（zip_max_uncompressed_mb）"
    ),
    "hostile_billion_laughs.docx": ("unsafe_xml", "拒绝处理不安全的 XML（word/document.xml）：DTDForbidden"),
    "hostile_encrypted.pdf": ("pdf_encrypted", "PDF 已加密：需要密码才能打开"),
    "hostile_scanned.pdf": ("pdf_scanned", "扫描版 PDF：没有文字层，不支持文字识别（OCR）"),
    "hostile_empty.txt": ("empty_file", "空文件（0 字节）"),
    "hostile_random.docx": ("unsupported_format", "不支持的文件格式：无法识别的二进制数据"),
    "legacy_word.doc": ("legacy_no_converter", "旧版 Word/WPS 格式：请转换为 .docx 后重新提交"),
    "spreadsheet.et": ("unsupported_format", "不支持的文件格式：电子表格（.xls/.et）"),
}
HOSTILE = {name: text for name, (_, text) in HOSTILE_REASONS.items()}


def expected_reason(name: str) -> str:
    """The reason for a hostile sample; with LibreOffice installed the stub .doc fails its conversion."""
    from worker.extract.legacy import find_soffice

    if name == "legacy_word.doc" and find_soffice():
        return "LibreOffice 无法将其转换为 .docx"  # a stub OLE file is not a real .doc
    return HOSTILE[name]


def expected_code(name: str) -> str:
    """The reason code for a hostile sample (see ``expected_reason``)."""
    from worker.extract.legacy import find_soffice

    if name == "legacy_word.doc" and find_soffice():
        return "legacy_failed"
    return HOSTILE_REASONS[name][0]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_refused_with_reason_in_bounded_memory(samples: Path, name: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ExtractionError) as info:
            extract_file(samples / name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert expected_reason(name) in info.value.reason
    assert info.value.code == expected_code(name)
    assert info.value.path == str(samples / name)
    assert peak < 40 * 1024 * 1024, f"{name}: peak {peak / 1e6:.0f} MB"


def test_extraction_carries_on_after_hostile_files(samples: Path) -> None:
    for name in HOSTILE:
        with pytest.raises(ExtractionError):
            extract_file(samples / name)
    assert extract_file(samples / "report_word_textbox.docx").lines[0].text.endswith("年度报告")


def test_size_limit_refuses_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as fh:  # sparse: 51 MB on paper, nothing on disk
        fh.truncate(51 * 1024 * 1024)
    with pytest.raises(ExtractionError, match=r"文件过大：51.0 MB，上限为 50 MB（max_file_mb）"):
        extract_file(huge, settings=Settings())
    small = tmp_path / "r.txt"
    small.write_bytes("一、总体情况\n".encode() * 10_000)
    with pytest.raises(ExtractionError, match="上限为 0.05 MB"):
        extract_file(small, settings=Settings(max_file_mb=0.05))


def test_zip_entry_count_and_size_limits_come_from_settings(tmp_path: Path, small_limits: Settings) -> None:
    many = tmp_path / "many.docx"
    with zipfile.ZipFile(many, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(25):
            zf.writestr(f"word/media/{i}.bin", b"x")
    with pytest.raises(
        ExtractionError, match=r"拒绝处理疑似压缩炸弹：26 个条目，上限为 20（zip_max_entries）"
    ):
        extract_file(many, settings=small_limits)
    big = tmp_path / "big.docx"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b" " * (2 * 1024 * 1024))
    with pytest.raises(ExtractionError, match="拒绝处理疑似压缩炸弹：解压后 2 MB，上限为 1 MB"):
        extract_file(big, settings=small_limits)


def test_password_protected_office_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    path.write_bytes(ole_stub("EncryptedPackage"))
    with pytest.raises(ExtractionError, match="Office 文档设有密码：请去除密码后重新提交") as info:
        extract_file(path)
    assert info.value.code == "encrypted_office"


def test_soft_time_limit_is_not_swallowed(tmp_path: Path) -> None:
    """Celery's soft time limit arrives as a signal raising SoftTimeLimitExceeded; it must reach the task."""
    path = render_pdf(random_report(random.Random(5)), tmp_path / "slow.pdf")

    def fire(signum: int, frame: object) -> None:
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, fire)
    # re-armed every 20 ms: a single shot can land in a pdfminer `except Exception: pass` (a library
    # internal we cannot change; the hard time limit is the backstop there), which made this test flaky
    signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
    try:
        with pytest.raises(SoftTimeLimitExceeded):
            for _ in range(50):  # the limit fires inside pdfplumber/pdfminer on one of these reads
                extract_file(path)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
