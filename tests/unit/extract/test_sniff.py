"""Format detection by content: what a file is, whatever its name says."""

from __future__ import annotations

import base64
import gzip
import zipfile
from pathlib import Path

import pytest
from fpdf import FPDF

from worker.errors import ExtractionError, UnsupportedFormatError
from worker.extract import Format, extract_file, sniff


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "PNG 图片"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 64, "JPEG 图片"),
        (b"GIF89a" + b"\0" * 64, "GIF 图片"),
        (b"MZ\x90\x00" + b"\0" * 64, "Windows 可执行程序"),
        (b"\x7fELF\x02\x01" + b"\0" * 64, "ELF 可执行程序"),
        (b"Rar!\x1a\x07\x00" + b"\0" * 64, "RAR 压缩包"),
        (b"7z\xbc\xaf\x27\x1c" + b"\0" * 64, "7-Zip 压缩包"),
        (gzip.compress(b"hello", mtime=0), "gzip 压缩包"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\0" * 64, "WebP 图片"),
    ],
)
def test_sniff_refuses_other_formats_by_magic_bytes(tmp_path: Path, data: bytes, what: str) -> None:
    path = tmp_path / "report.docx"  # the name lies
    path.write_bytes(data)
    with pytest.raises(UnsupportedFormatError) as info:
        extract_file(path)
    assert info.value.reason == f"不支持的文件格式：{what}"
    assert info.value.code == "unsupported_format"


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_sniff_tells_zip_containers_apart(tmp_path: Path) -> None:
    xlsx = _zip(tmp_path / "a.docx", {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    plain = _zip(tmp_path / "b.docx", {"report.txt": b"hello"})
    odt = _zip(
        tmp_path / "c.zip", {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}
    )
    with pytest.raises(UnsupportedFormatError, match=r"不支持的文件格式：电子表格（\.xlsx）"):
        extract_file(xlsx)
    with pytest.raises(UnsupportedFormatError, match="ZIP 压缩包（请解压后提交年度报告文件本身）"):
        extract_file(plain)
    assert sniff(odt).format is Format.DOC


def test_sniff_reads_a_pdf_named_txt_as_pdf(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Annual report 2023")
    path = tmp_path / "report.txt"
    pdf.output(str(path))
    extracted = extract_file(path)
    assert extracted.kind == "pdf"
    assert extracted.lines[0].text == "Annual report 2023"
    assert extracted.lines[0].page == 1


def test_sniff_reads_a_docx_named_html_as_docx(samples: Path, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_bytes((samples / "report_word_textbox.docx").read_bytes())
    assert extract_file(path).kind == "docx"


def test_sniff_treats_a_doc_named_docx_as_legacy(samples: Path) -> None:
    found = sniff(samples / "legacy_really_doc.docx")
    assert found.format is Format.DOC
    assert "Word" in found.what


def test_sniff_html_and_text(tmp_path: Path) -> None:
    page = tmp_path / "a.txt"
    page.write_bytes(b"<!-- saved -->\n<!DOCTYPE html><html><body><p>x</p></body></html>")
    text = tmp_path / "b.html"
    text.write_bytes("一、总体情况\n<不是标签>\n".encode())
    utf16_page = tmp_path / "c.txt"
    utf16_page.write_bytes("<html><body><p>总体情况</p></body></html>".encode("utf-16"))
    assert sniff(page).format == "html"
    assert sniff(text).format == "txt"
    assert sniff(utf16_page).format == "html"


def test_sniff_mht_single_file_web_page(tmp_path: Path) -> None:
    body = "<html><head></head><body><p>一、总体情况</p><p>全年主动公开信息12条。</p></body></html>"
    mht = (
        (
            b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b1"\r\n\r\n--b1\r\n'
            b'Content-Type: text/html; charset="gb2312"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        )
        + base64.encodebytes(body.encode("gb2312"))
        + b"\r\n--b1--\r\n"
    )
    path = tmp_path / "report.mht"
    path.write_bytes(mht)
    extracted = extract_file(path)
    assert extracted.kind == "html"
    assert [line.text for line in extracted.lines] == ["一、总体情况", "全年主动公开信息12条。"]


def test_sniff_random_bytes_and_empty(samples: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match="不支持的文件格式：无法识别的二进制数据") as info:
        extract_file(samples / "hostile_random.docx")
    assert info.value.code == "unsupported_format"
    with pytest.raises(ExtractionError, match=r"空文件（0 字节）") as empty:
        extract_file(samples / "hostile_empty.txt")
    assert empty.value.code == "empty_file"
    with pytest.raises(ExtractionError, match="空文件"):
        sniff(Path("unused"), head=b"")
