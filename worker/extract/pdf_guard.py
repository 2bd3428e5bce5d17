"""A pre-scan of a PDF's raw bytes that refuses what would make the PDF library use gigabytes.

A PDF library expands whatever the file asks for: arrays and dictionaries nested 100,000 deep, a 1 MB Flate
stream that inflates to gigabytes (content streams, object streams and fonts are decoded whole; pdfium
does so too, and pdfminer, read before it, did). Before pdfium opens the file, ``check_pdf_limits``:

* measures the nesting of ``[``/``<<`` outside stream data (``MAX_NESTING``; a real PDF stays under 20);
* inflates every Flate stream that is not an image, chunk by chunk without keeping the output, and
  refuses a stream over ``MAX_STREAM_MB`` or a file whose streams add up to over ``MAX_TOTAL_STREAM_MB``
  (chained Flate filters are inflated layer after layer, so a bomb inside a bomb is measured too).

Image streams are skipped: text extraction does not decode their data. What slips through is still bounded by
the pool child's address-space ceiling (``worker.limits``), where a ``MemoryError`` quarantines the file;
pdfium aborts the process instead of failing an allocation, so ``pdf.ensure_headroom`` stops a file whose
largest stream (returned here) would not fit under the ceiling before pdfium opens it.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from worker.extract.reasons import Reason, refuse

MB = 1024 * 1024
MAX_NESTING = 200
MAX_STREAM_MB = 48
MAX_TOTAL_STREAM_MB = 256
_CHUNK = 64 * 1024

_STREAM_START = re.compile(rb"stream\r?\n")
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN_RUN = re.compile(rb"[\[{]{%d,}" % (MAX_NESTING + 1))
_PAIR = re.compile(rb"\[\]|\{\}")


def check_pdf_limits(path: Path) -> int:
    """Refuse a PDF whose objects nest too deep or whose streams inflate too far.

    Returns:
        The size of its largest stream (inflated when Flate, as stored otherwise; images left out), in bytes.

    Raises:
        ExtractionError: ``Reason.PDF_TOO_DEEP`` or ``Reason.PDF_STREAM_TOO_LARGE``.
    """
    data = path.read_bytes()
    outside: list[bytes] = []
    total = 0
    largest = 0
    pos = 0
    for match in _STREAM_START.finditer(data):
        if match.start() < pos or data[match.start() - 3 : match.start()] == b"end":
            continue
        end = data.find(b"endstream", match.end())
        end = len(data) if end < 0 else end
        header = data[max(pos, match.start() - 2048) : match.start()]
        outside.append(data[pos : match.start()])
        size = _inflated_size(header, data[match.end() : end], path=path, budget=MAX_TOTAL_STREAM_MB * MB - total)
        total += size
        own = header[header.rfind(b" obj") + 1 :] if b" obj" in header else header
        largest = max(largest, size if size or b"/Image" in own else end - match.end())
        pos = end
    outside.append(data[pos:])
    _check_nesting(b"".join(outside), path=path)
    return largest


def _check_nesting(text: bytes, *, path: Path) -> None:
    """Refuse nesting deeper than ``MAX_NESTING`` (``<<``/``>>`` count as one bracket each)."""
    brackets = text.replace(b"<<", b"{").replace(b">>", b"}").translate(None, _NOT_BRACKET)
    for _ in range(MAX_NESTING + 1):
        if _OPEN_RUN.search(brackets):
            raise refuse(Reason.PDF_TOO_DEEP, path=path, limit=MAX_NESTING)
        reduced = _PAIR.sub(b"", brackets)  # drop the innermost pairs: one level of nesting less
        if reduced == brackets:
            return
        brackets = reduced
    raise refuse(Reason.PDF_TOO_DEEP, path=path, limit=MAX_NESTING)


def _inflated_size(header: bytes, raw: bytes, *, path: Path, budget: int) -> int:
    """How many bytes the stream's leading Flate filters give (0 when it is not Flate or an image)."""
    header = header[header.rfind(b" obj") + 1 :] if b" obj" in header else header
    layers = min(3, header.count(b"/FlateDecode") + header.count(b"/Fl ") + header.count(b"/Fl]"))
    if layers == 0 or b"/Image" in header:
        return 0
    limit = min(MAX_STREAM_MB * MB, max(0, budget))
    shown = MAX_STREAM_MB if limit == MAX_STREAM_MB * MB else MAX_TOTAL_STREAM_MB
    chunks = [raw[i : i + _CHUNK] for i in range(0, len(raw), _CHUNK)]
    for _ in range(layers):
        chunks = _inflate(chunks, limit=limit, shown_mb=shown, path=path)
        if not chunks:
            return 0
    return sum(len(chunk) for chunk in chunks)


def _inflate(chunks: list[bytes], *, limit: int, shown_mb: int, path: Path) -> list[bytes]:
    """Inflate ``chunks``; refuse once the output passes ``limit``; broken data ends the output quietly."""
    inflater = zlib.decompressobj()
    out: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            pending = chunk
            while pending:
                piece = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                size += len(piece)
                if size > limit:
                    raise refuse(Reason.PDF_STREAM_TOO_LARGE, path=path, limit_mb=shown_mb)
                out.append(piece)
                if inflater.eof:
                    return out
    except zlib.error:
        return out  # the PDF library reports (or tolerates) broken streams itself
    return out
