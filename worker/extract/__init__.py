"""Turn a file into ``Extracted`` lines: the dispatcher over the format extractors.

``extract_file(path)`` checks the size limit, detects the format by content (``sniff``), and hands the file
to the extractor for what it really is: txt, docx, html/mht, pdf, or a legacy format converted with
LibreOffice. Every failure is an ``ExtractionError`` (``UnsupportedFormatError`` for formats we do not
read) whose ``reason`` is user-facing and written next to the quarantined file.
"""

from __future__ import annotations

from pathlib import Path

from worker.errors import ExtractionError
from worker.extract.base import Extracted, SourceLine
from worker.extract.safety import check_size
from worker.extract.sniff import HEAD_BYTES, Sniffed, sniff
from worker.settings import Settings, get_settings

__all__ = ["Extracted", "SourceLine", "Sniffed", "extract_file", "sniff"]


def extract_file(path: Path, *, settings: Settings | None = None) -> Extracted:
    """Read ``path`` and return its lines and table rows in reading order.

    Args:
        path: the file; its name is not trusted, its content decides the format.
        settings: limits (defaults to ``get_settings()``).

    Returns:
        The extracted lines.

    Raises:
        ExtractionError: with a user-facing ``reason`` (``UnsupportedFormatError`` for other formats).
    """
    path = Path(path)
    settings = settings or get_settings()
    check_size(path, settings)
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from exc
    found = sniff(path, head)
    if found.format == "pdf":
        from worker.extract.pdf import extract_pdf

        return extract_pdf(path)
    if found.format == "docx":
        from worker.extract.docx import extract_docx

        return extract_docx(path, settings=settings)
    if found.format in ("html", "mht"):
        from worker.extract.html import extract_html

        return extract_html(path, mht=found.format == "mht")
    if found.format == "legacy":
        from worker.extract.legacy import extract_legacy

        return extract_legacy(path, what=found.what, settings=settings)
    from worker.extract.txt import extract_txt

    return extract_txt(path)
