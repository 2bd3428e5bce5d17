"""Format detection by content (magic bytes), never by the file name alone.

``sniff(path)`` looks at the first bytes of a file (and, for ZIP containers, at the entry names) and says
which extractor reads it. The name's suffix is only used to word a message, so that a ``.docx`` that is
really a ``.doc`` is read as a ``.doc`` and a ``.txt`` that is really a PDF is read as a PDF.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from worker.errors import ExtractionError, UnsupportedFormatError
from worker.extract.formats import Format, Sniffed

HEAD_BYTES = 8192

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# (magic, offset, description) of formats we do not read; checked in order.
_UNSUPPORTED_MAGIC: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"II*\x00", 0, "TIFF image"),
    (b"MM\x00*", 0, "TIFF image"),
    (b"\x1f\x8b", 0, "gzip archive"),
    (b"BZh", 0, "bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "RAR archive"),
    (b"\x28\xb5\x2f\xfd", 0, "zstd archive"),
    (b"ustar", 257, "tar archive"),
    (b"MZ", 0, "Windows executable"),
    (b"\x7fELF", 0, "ELF executable"),
    (b"\xca\xfe\xba\xbe", 0, "Mach-O or Java class binary"),
    (b"\xcf\xfa\xed\xfe", 0, "Mach-O executable"),
    (b"\xfe\xed\xfa\xce", 0, "Mach-O executable"),
    (b"SQLite format 3\x00", 0, "SQLite database"),
    (b"OggS", 0, "Ogg media"),
    (b"fLaC", 0, "FLAC audio"),
    (b"ID3", 0, "MP3 audio"),
    (b"%!PS", 0, "PostScript document"),
    (b"\x00\x00\x01\x00", 0, "icon image"),
    (b"AT&TFORM", 0, "DjVu document"),
    (b"wOFF", 0, "web font"),
    (b"\x00\x01\x00\x00\x00", 0, "TrueType font"),
]

_RIFF_KINDS = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}

# ZIP entries that tell what an Office Open XML / OpenDocument / other ZIP container is.
_ZIP_UNSUPPORTED = [
    ("xl/workbook.xml", "spreadsheet (.xlsx)"),
    ("ppt/presentation.xml", "presentation (.pptx)"),
    ("visio/document.xml", "Visio drawing"),
]
_ODF_TEXT = "application/vnd.oasis.opendocument.text"


def _unsupported(what: str, path: Path) -> UnsupportedFormatError:
    return UnsupportedFormatError(f"unsupported format: {what}", path=str(path))


def sniff(path: Path, head: bytes | None = None) -> Sniffed:
    """Detect the format of ``path`` from its content.

    Args:
        path: the file.
        head: its first bytes, when the caller already read them.

    Returns:
        What the file is and which extractor reads it.

    Raises:
        UnsupportedFormatError: images, archives, spreadsheets, executables, unrecognised binary data.
        ExtractionError: empty, corrupt or password-protected containers.
    """
    if head is None:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    if not head:
        raise ExtractionError("empty file (0 bytes)", path=str(path))
    if b"%PDF-" in head[:1024]:
        return Sniffed(Format.PDF, "PDF document")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _sniff_zip(path)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path)
    if head.startswith(b"{\\rtf"):
        return Sniffed(Format.DOC, "RTF document")
    if head.startswith(b"RIFF") and head[8:12] in _RIFF_KINDS:
        raise _unsupported(_RIFF_KINDS[head[8:12]], path)
    if head[4:8] == b"ftyp":
        raise _unsupported("MP4/HEIC media", path)
    if head.startswith(b"BM") and len(head) > 14 and head[6:10] == b"\x00\x00\x00\x00":
        raise _unsupported("BMP image", path)
    for magic, offset, what in _UNSUPPORTED_MAGIC:
        if head[offset : offset + len(magic)] == magic:
            raise _unsupported(what, path)
    return _sniff_textual(path, head)


def _read_head(zf: zipfile.ZipFile, name: str) -> str:
    with zf.open(name) as fh:  # at most 100 bytes: the entry itself may be a bomb
        return fh.read(100).decode("ascii", "replace")


def _sniff_zip(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = _read_head(zf, "mimetype") if "mimetype" in names else ""
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"corrupt or truncated ZIP/Office file: {exc}", path=str(path)) from exc
    except (OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise ExtractionError(f"cannot read ZIP/Office file: {exc}", path=str(path)) from exc
    if "word/document.xml" in names or any(n.startswith("word/document") for n in names):
        return Sniffed(Format.DOCX, "Word document (.docx)")
    if (
        "[Content_Types].xml" in names
        and "_rels/.rels" in names
        and any(n.startswith("word/") for n in names)
    ):
        return Sniffed(Format.DOCX, "Word document (.docx)")
    for entry, what in _ZIP_UNSUPPORTED:
        if entry in names:
            raise _unsupported(what, path)
    if mimetype.startswith(_ODF_TEXT):
        return Sniffed(Format.DOC, "OpenDocument text (.odt)")
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        raise _unsupported(f"OpenDocument file ({mimetype.strip()})", path)
    if any(n.endswith(".xml") and n.startswith("Documents/") for n in names):
        raise _unsupported("XPS/OFD document", path)
    raise _unsupported("ZIP archive (unpack it and submit the report itself)", path)


def _sniff_ole(path: Path) -> Sniffed:
    """Tell apart the OLE2 compound files: legacy Word/WPS, encrypted OOXML, spreadsheets, presentations."""
    with path.open("rb") as fh:
        data = fh.read(4 * 1024 * 1024)  # directory entries of small files sit well inside this

    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptedPackage") or has("EncryptionInfo"):
        raise ExtractionError(
            "password-protected Office document: remove the password and submit it again", path=str(path)
        )
    if has("WordDocument"):
        return Sniffed(Format.DOC, "legacy Word/WPS document (.doc/.wps)")
    if has("Workbook") or has("Book"):
        raise _unsupported("spreadsheet (.xls/.et)", path)
    if has("PowerPoint Document"):
        raise _unsupported("presentation (.ppt/.dps)", path)
    return Sniffed(Format.DOC, "legacy Office/WPS document")


_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|table|div|p)[\s>/]", re.I | re.S
)
_MHT = re.compile(rb"^(mime-version:|content-type:\s*multipart/related|from:|subject:)", re.I | re.M)


def _strip_text_bom(head: bytes) -> tuple[bytes, str | None]:
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :], enc
    return head, None


def utf16_without_bom(head: bytes) -> str | None:
    """Guess BOM-less UTF-16: the NUL-free encoding of Chinese text makes NUL counting useless, so decode
    the head both ways and keep the byte order that gives (almost) only Chinese, ASCII and punctuation."""
    sample = head[:4096]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    sample = sample[: len(sample) - len(sample) % 2]
    best, best_share = None, 0.0
    for enc in ("utf-16-le", "utf-16-be"):
        text = sample.decode(enc, "replace")
        good = sum(1 for ch in text if _plausible(ch))
        share = good / max(1, len(text))
        if share > best_share:
            best, best_share = enc, share
    return best if best_share >= 0.97 else None


def _plausible(ch: str) -> bool:
    o = ord(ch)
    if ch in "\t\r\n":
        return True
    if 0x20 <= o < 0x7F:
        return True
    return 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x2027


def _sniff_textual(path: Path, head: bytes) -> Sniffed:
    body, enc = _strip_text_bom(head)
    if enc is None:
        enc = utf16_without_bom(head)
    if enc is not None and enc != "utf-8":
        ascii_view = body.decode(enc, "ignore").encode("ascii", "ignore")
    else:
        if b"\x00" in head:
            raise _unsupported("unrecognised binary data", path)
        ascii_view = body
    if _HTML_START.match(ascii_view) or re.search(rb"<html[\s>]", ascii_view[:2048], re.I):
        return Sniffed(Format.HTML, "HTML page")
    if _MHT.match(ascii_view.lstrip()) and re.search(rb"multipart/related", ascii_view, re.I):
        return Sniffed(Format.MHT, "single-file web page (.mht)")
    if re.match(rb"^\s*<\?xml", ascii_view):
        if re.search(rb"<w:wordDocument|progid=\"Word\.Document\"", ascii_view, re.I):
            return Sniffed(Format.DOC, "Word 2003 XML document")
        if re.search(rb"<html[\s>]", ascii_view, re.I):
            return Sniffed(Format.HTML, "XHTML page")
        raise _unsupported("XML data", path)
    return Sniffed(Format.TXT, "plain text")
