"""Plain text in any encoding the offices use: UTF-8 (with or without BOM), UTF-16/32, GB18030/GBK/GB2312.

Decoding is strict and checked: a byte sequence that decodes only to mojibake (the wrong code page, random
bytes) is refused with the reason instead of being handed to the parser. Lines map 1:1 to the file's lines
(``\\r\\n``, ``\\r`` and ``\\n`` end a line; nothing else does), so ``line`` numbers point into the file.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from charset_normalizer import from_bytes

from worker.extract.base import Extracted
from worker.extract.formats import Format, Sniffed
from worker.extract.reasons import Reason, refuse
from worker.extract.sniff import wide_unicode_without_bom
from worker.settings import Settings

_BOMS: list[tuple[bytes, str]] = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]

# Encodings charset-normalizer may propose that we accept after the plausibility check.
_ACCEPTED = {"utf_8", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "utf_16", "utf_16_le", "utf_16_be",
             "utf_32", "utf_32_le", "utf_32_be"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Split on CRLF / CR / LF only (``str.splitlines`` also breaks on U+2028, FS, ... and would shift lines)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FFFF


# What the fast path of ``garbage_reason`` counts with regular expressions instead of per character:
_BAD = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")  # control characters (but tab, breaks) and U+FFFD
_MAIN_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")  # fully assigned CJK blocks
# runs of characters that are assigned and neither control, private-use nor CJK outside _MAIN_CJK
_COMMON = re.compile(r"[\t-\r\x20-\x7e\xa0-\xff\u2010-\u2027\u3000-\u303f\uff01-\uff5e\u3400-\u4dbf\u4e00-\u9fff]+")


def garbage_reason(text: str, *, simplified: bool = True) -> str | None:
    """Why ``text`` looks mis-decoded, or None when it looks like real text.

    Checks: control characters, replacement characters, private-use characters, and, when ``simplified``
    (text read with a GB code page or UTF), the share of Chinese characters outside GB2312: a file in another
    code page read as GBK decodes to mostly rare characters. Common characters are counted with regular
    expressions; only the rest is looked at one by one (``tests/unit/extract/test_txt_garbage.py`` holds
    the per-character definition this must equal).
    """
    sample = text[:200_000]
    if not sample.strip():
        return "没有文字内容"
    if "\x00" in sample:
        return "含有 NUL 字符（二进制数据，或误判为 UTF-16/32）"
    n = len(sample)
    bad = len(_BAD.findall(sample))
    private = 0
    cjk_chars = _MAIN_CJK.findall(sample)
    for ch in _COMMON.sub("", sample):
        cat = unicodedata.category(ch)
        if cat == "Cc" or ch == "\ufffd":
            continue  # counted in ``bad``
        if cat in ("Co", "Cs", "Cn"):
            private += 1
        elif _is_cjk(ch):
            cjk_chars.append(ch)
    if bad > max(2, n * 0.001):
        return f"含有 {bad} 个控制字符或替换字符"
    if private > max(2, n * 0.01):
        return f"含有 {private} 个未分配或私用区字符"
    if simplified:
        cjk_text = "".join(cjk_chars)
        cjk = len(cjk_text)
        if cjk >= 20:
            rare = cjk_text.encode("gb2312", errors="replace").count(b"?")  # one "?" per unencodable char
            if rare / cjk > 0.25:
                return f"{cjk} 个汉字中有 {rare} 个生僻字（编码可能有误）"
    return None


def decode_bytes(data: bytes, *, path: Path | None = None) -> tuple[str, str]:
    """Decode report text, refusing what only decodes to garbage.

    Args:
        data: the raw bytes.
        path: for error messages.

    Returns:
        ``(text, encoding)``, the encoding as a Python codec name.

    Raises:
        ExtractionError: nothing decodes to plausible text.
    """
    where = str(path) if path else None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise refuse(Reason.TEXT_BAD_BOM, path=where, encoding=enc, detail=exc.reason) from exc
            reason = garbage_reason(text)
            if reason:
                raise refuse(Reason.TEXT_GARBAGE, path=where, encoding=enc, detail=reason)
            return text, enc
    tried: list[str] = []
    candidates = ["utf-8", "gb18030"]
    guessed = wide_unicode_without_bom(data)
    if guessed:
        candidates.insert(0, guessed)
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            tried.append(f"{enc}：字节无效")
            continue
        reason = garbage_reason(text)
        if reason is None:
            return text, enc
        if not text.strip():
            raise refuse(Reason.TEXT_BLANK, path=where)
        if enc == "utf-8":
            # strictly valid UTF-8 is near-certain evidence: never re-read the same bytes as another code page
            raise refuse(Reason.TEXT_GARBAGE, path=where, encoding="utf-8", detail=reason)
        tried.append(f"{enc}：{reason}")
    best = from_bytes(data[:2_000_000]).best()
    if best is not None:
        enc = best.encoding
        if enc in _ACCEPTED and enc not in ("utf_8", "gb18030"):
            try:
                text = data.decode(enc)
            except (UnicodeDecodeError, LookupError):
                text = ""
            if text and garbage_reason(text, simplified=not enc.startswith("big5")) is None:
                return text, enc
        tried.append(f"检测为 {enc}：不像报告文字")
    raise refuse(Reason.TEXT_UNDECODABLE, path=where, detail="；".join(tried))


def extract_txt(path: Path, data: bytes | None = None) -> Extracted:
    """Read a text file into one ``SourceLine`` per file line.

    Raises:
        ExtractionError: undecodable or garbage text.
    """
    if data is None:
        data = path.read_bytes()
    warnings: list[str] = []
    cut = _truncated_utf8_tail(data)
    if cut:
        warnings.append(f"the file ends inside a UTF-8 character (truncated?): its last {cut} byte(s) were dropped")
        data = data[:-cut]
    text, encoding = decode_bytes(data, path=path)
    lines = [{"text": line} for line in split_lines(text)]  # validated in one call, not one model per line
    return Extracted.model_validate({"kind": Format.TXT, "lines": lines, "encoding": encoding, "warnings": warnings})


def _truncated_utf8_tail(data: bytes) -> int:
    """How many bytes of an incomplete UTF-8 sequence end ``data`` when the rest is valid UTF-8 (else 0)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return 0
    try:
        data.decode("utf-8")
        return 0
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data" or len(data) - exc.start > 3:
            return 0
        try:
            data[: exc.start].decode("utf-8")
        except UnicodeDecodeError:
            return 0
        return len(data) - exc.start


class TxtExtractor:
    """The extractor table's entry for plain text (``extract_txt``)."""

    format = Format.TXT

    def extract(self, path: Path, *, sniffed: Sniffed, settings: Settings) -> Extracted:
        """Read a text file (see ``extract_txt``)."""
        return extract_txt(path)
