"""Turn a file into ``Extracted`` lines: size check, format detection, then the format's extractor.

``extract_file(path)`` checks the size limit, detects the format by content (``sniff``, and the detectors
of formats registered later), and hands the file to the extractor the table ``EXTRACTORS`` holds for that
format (``worker.extract.registry``): txt, docx, html/mht, pdf, or a legacy format converted with
LibreOffice. Every failure is an ``ExtractionError`` (``UnsupportedFormatError`` for formats we do not
read) whose ``reason`` is user-facing and written next to the quarantined file.
"""

from __future__ import annotations

from pathlib import Path

from worker.extract.base import Extracted, SourceLine
from worker.extract.formats import Format, Sniffed
from worker.extract.reasons import Reason, refuse
from worker.extract.safety import check_size
from worker.extract.sniff import HEAD_BYTES, sniff
from worker.settings import Settings, get_settings

__all__ = ["Extracted", "Format", "SourceLine", "Sniffed", "extract_file", "sniff"]


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
    # The table imports every extractor (pdfplumber, lxml): loaded when a file is read, not when the
    # parser imports ``Extracted``.
    from worker.extract.registry import detect_format, extractor_for

    path = Path(path)
    settings = settings or get_settings()
    check_size(path, settings)
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise refuse(Reason.CANNOT_READ, path=path, detail=exc.strerror or exc) from exc
    found = detect_format(path, head)
    extractor = extractor_for(found, path=path)
    try:
        return extractor.extract(path, sniffed=found, settings=settings)
    except MemoryError:
        pass  # leave the handler first: the traceback (and the extractor's frames and data) is released
    raise refuse(Reason.OUT_OF_MEMORY, path=path, limit_mb=settings.max_task_memory_mb)
