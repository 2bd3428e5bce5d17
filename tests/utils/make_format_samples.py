"""Regenerate the committed files under tests/samples/formats (run by hand: ``python -m tests.utils.make_format_samples``).

The hand-made samples are small, real-looking publications of one fixed report (``SAMPLE_REPORT``) in each
format, each with a quirk real offices produce; the hostile ones are the classic attacks. The tests read the
committed files; this script only documents how they were made and rebuilds them when needed.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

from fpdf import FPDF

from tests.utils.render_formats import FONT, render_docx, render_pdf, write_html, write_text
from tests.utils.render_formats_layout import Para, layout, random_report

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "formats"


def sample_report() -> dict[str, Any]:
    """The report every hand-made sample publishes (fixed seed, so the files are reproducible)."""
    report = random_report(random.Random(20240120))
    report["organ"] = "将乐县南口镇人民政府"
    report["year"] = 2023
    return report


SAMPLE_REPORT = sample_report()

_TEXTBOX = (
    '<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
    '<mc:Choice Requires="wps"><w:drawing><wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
    'wordprocessingDrawing"><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData><wps:wsp xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    "<wps:txbx><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp>"
    "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
    '<mc:Fallback><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox><w:txbxContent><w:p><w:r>'
    "<w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
    "</mc:AlternateContent></w:r>"
)


def _rewrite_docx(src: Path, dst: Path, edit: Any) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)


def make_word_sample(tmp: Path) -> None:
    """A .docx with a text box (Choice + VML Fallback copy), hidden text, a deleted revision and a GoBack bookmark."""
    plain = tmp / "plain.docx"
    render_docx(SAMPLE_REPORT, plain)

    def edit(xml: str) -> str:
        title = "将乐县南口镇人民政府2023年政府信息公开工作年度报告"
        box = _TEXTBOX.format(text="（此件公开发布）")
        hidden = '<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏批注文字</w:t></w:r>'
        deleted = '<w:del w:id="9" w:author="x"><w:r><w:delText>已删除的旧稿</w:delText></w:r></w:del>'
        bookmark = '<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>'
        return xml.replace(f"<w:t>{title}</w:t></w:r>", f"<w:t>{title}</w:t></w:r>{box}{hidden}{deleted}{bookmark}", 1)

    _rewrite_docx(plain, SAMPLES / "report_word_textbox.docx", edit)


def make_pdf_aligned() -> None:
    """A PDF whose tables are whitespace-aligned text (no rules), as some offices print them."""
    pdf = FPDF(format="A4")
    pdf.add_font("cjk", fname=str(FONT))
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    for block in layout(SAMPLE_REPORT)[:14]:
        if isinstance(block, Para):
            pdf.multi_cell(0, 6, block.text, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "第二十条第（一）项", new_x="LMARGIN", new_y="NEXT")
    for row in (["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "5", "0", "12"],
                ["行政规范性文件", "3", "1", "20"]):
        for i, text in enumerate(row):
            pdf.set_x(15 + i * 45)
            pdf.cell(40, 6, text)
        pdf.ln(6)
    pdf.output(str(SAMPLES / "report_aligned.pdf"))


def make_hostile() -> None:
    """Truncated zip, zip bomb, billion laughs, encrypted and image-only PDFs, random bytes, empty file."""
    good = SAMPLES / "report_word_textbox.docx"
    data = good.read_bytes()
    (SAMPLES / "hostile_truncated.docx").write_bytes(data[: len(data) // 2])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (210 * 1024 * 1024))
    (SAMPLES / "hostile_zipbomb.docx").write_bytes(buf.getvalue())
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
           + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
             "<w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")
    with zipfile.ZipFile(SAMPLES / "hostile_billion_laughs.docx", "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", lol)
    pdf = FPDF()
    pdf.add_font("cjk", fname=str(FONT))
    pdf.set_font("cjk", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "2023年政府信息公开工作年度报告")
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.output(str(SAMPLES / "hostile_encrypted.pdf"))
    png = tmp_png()
    pdf = FPDF()
    pdf.add_page()
    pdf.image(png, x=10, y=10, w=180)
    pdf.output(str(SAMPLES / "hostile_scanned.pdf"))
    (SAMPLES / "hostile_random.docx").write_bytes(random.Random(7).randbytes(4096))
    (SAMPLES / "legacy_word.doc").write_bytes(ole_stub("WordDocument"))
    (SAMPLES / "legacy_really_doc.docx").write_bytes(ole_stub("WordDocument"))
    (SAMPLES / "spreadsheet.et").write_bytes(ole_stub("Workbook"))
    (SAMPLES / "hostile_empty.txt").write_bytes(b"")


def ole_stub(stream: str) -> bytes:
    """The start of an OLE2 compound file whose directory names ``stream`` (enough for content sniffing)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\xff")

    def entry(name: str) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + len(encoded).to_bytes(2, "little")).ljust(128, b"\0")

    return header + entry("Root Entry") + entry(stream) + b"\0" * 256 + random.Random(1).randbytes(1024)


def tmp_png() -> io.BytesIO:
    """A small grey PNG standing in for a scanned page (pure zlib, no imaging library needed)."""
    import struct
    import zlib

    width, height = 200, 280
    raw = b"".join(b"\x00" + bytes([200 if (x // 10 + y // 14) % 2 else 90 for x in range(width)]) for y in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return io.BytesIO(png)


def main() -> None:
    import tempfile

    SAMPLES.mkdir(parents=True, exist_ok=True)
    (SAMPLES / "report_expected.json").write_text(
        json.dumps(SAMPLE_REPORT, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    with tempfile.TemporaryDirectory() as tmp:
        make_word_sample(Path(tmp))
    write_html(SAMPLE_REPORT, SAMPLES / "report_portal_gbk.html", encoding="gbk", chrome=True)
    write_html(SAMPLE_REPORT, SAMPLES / "report_word_export.htm", encoding="utf-8")
    render_pdf(SAMPLE_REPORT, SAMPLES / "report_ruled.pdf")
    make_pdf_aligned()
    write_text(SAMPLE_REPORT, SAMPLES / "report_gb18030.txt", "gb18030")
    write_text(SAMPLE_REPORT, SAMPLES / "report_utf16.txt", "utf-16")
    write_text(SAMPLE_REPORT, SAMPLES / "report_utf8_bom.txt", "utf-8-sig")
    make_hostile()


if __name__ == "__main__":
    main()
