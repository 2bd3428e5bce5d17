"""Generators of hostile files that are small on disk and huge once read (issue 10, item 15)."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

MB = 1024 * 1024
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_PARA = b"<w:p><w:r><w:t>\xe5\xb9\xb4\xe6\x8a\xa5</w:t></w:r></w:p>"


def docx_with_huge_xml(path: Path, *, xml_mb: int) -> Path:
    """A .docx whose document.xml inflates to ``xml_mb`` MB of paragraphs (about 1/300 of that on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(f"<w:document {_W}><w:body>".encode())
            block = _PARA * (MB // len(_PARA))
            for _ in range(xml_mb):
                fh.write(block)
            fh.write(b"</w:body></w:document>")
    return path


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF with ``objects`` numbered from 1 and a correct xref table (catalog is object 1)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _page_objects(content: bytes) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        content,
    ]


def pdf_nested_arrays(path: Path, *, depth: int) -> Path:
    """A PDF whose page content is one array nested ``depth`` deep."""
    body = b"[" * depth + b"]" * depth
    objects = _page_objects(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
    objects.append(b"<< /Nested " + body + b" >>")
    path.write_bytes(raw_pdf(objects))
    return path


def _deflated_spaces(megabytes: int) -> bytes:
    """zlib data (level 9) inflating to ``megabytes`` MB of spaces, built without compressing them all.

    After a full flush the compressor forgets what it has seen, so every further megabyte of spaces compresses
    to the same bytes: compress two, repeat the second, and end with the Adler-32 of the whole (seconds of CPU
    saved for a gigabyte).
    """
    chunk = b" " * MB
    packer = zlib.compressobj(9)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    if megabytes == 1:
        return first + packer.flush()
    again = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush()  # the last (empty) block and the Adler-32 of two megabytes
    adler = 1
    for _ in range(megabytes):
        adler = zlib.adler32(chunk, adler)
    return first + again * (megabytes - 1) + end[:-4] + adler.to_bytes(4, "big")


def pdf_flate_bomb(path: Path, *, inflated_mb: int, layers: int = 1) -> Path:
    """A PDF whose content stream inflates to ``inflated_mb`` MB of spaces (``layers`` Flate filters)."""
    data = _deflated_spaces(inflated_mb)
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    filters = b"[" + b" /FlateDecode" * layers + b" ]"
    stream = b"<< /Length %d /Filter %s >>\nstream\n" % (len(data), filters) + data + b"\nendstream"
    path.write_bytes(raw_pdf(_page_objects(stream)))
    return path
