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

__all__ = ["MAX_LINE_CHARS", "Extracted", "Format", "SourceLine", "Sniffed", "cap_lines", "extract_file", "sniff"]

MAX_LINE_CHARS = 20_000  # longest line (or table cell) kept; a report line is a few hundred characters


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
        return cap_lines(extractor.extract(path, sniffed=found, settings=settings))
    except MemoryError:
        pass  # leave the handler first: the traceback (and the extractor's frames and data) is released
    raise refuse(Reason.OUT_OF_MEMORY, path=path, limit_mb=settings.max_task_memory_mb)


def cap_lines(extracted: Extracted) -> Extracted:
    """Cut every line and cell to ``MAX_LINE_CHARS``, with a warning naming the lines that were cut.

    A report line is a few hundred characters; a 48 MB line is not report text, and the report keeps its
    lines (``Report.lines``), so one such line would make a stored report of tens of MB.
    """
    cut: list[int] = []
    for number, line in enumerate(extracted.lines, start=1):
        if len(line.text) > MAX_LINE_CHARS:
            line.text = line.text[:MAX_LINE_CHARS]
            cut.append(number)
        if line.cells is not None and any(len(cell) > MAX_LINE_CHARS for cell in line.cells):
            line.cells = [cell[:MAX_LINE_CHARS] for cell in line.cells]
            line.text = "\t".join(line.cells)[:MAX_LINE_CHARS]
            cut.append(number)
    if cut:
        listed = "、".join(str(n) for n in sorted(set(cut))[:20]) + ("……" if len(set(cut)) > 20 else "")
        extracted.warnings.append(f"第 {listed} 行过长，只保留了前 {MAX_LINE_CHARS} 个字符（其余内容已截断）")
    return extracted
