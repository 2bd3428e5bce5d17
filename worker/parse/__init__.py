"""The parser: extracted lines -> a ``Report``, in stages each testable alone.

    normalise (normalise.py) -> tokens (tokens.py) -> recognise (recognise.py: sections.py, tables.py,
    rows.py, meta.py, template.py) -> ``Report`` (models.py)

Label vocabularies are data in vocab.py; the Chinese wording people read (tables, rows, locations) is in
labels.py and the Chinese-numeral reader in numerals.py, both importable from any layer. Public API:

    parse_extracted(extracted, *, source=None) -> Report
    parse_text(text, *, source=None) -> Report
    read_report(path) -> Report            (extract + parse)

``ParseError`` is raised only when the text is not a report at all.
"""

from __future__ import annotations

from pathlib import Path

from worker import collector
from worker.errors import ParseError
from worker.extract.base import Extracted, SourceLine
from worker.parse.models import Report
from worker.parse.normalise import normalise_line
from worker.parse.recognise import recognise
from worker.parse.tokens import SourceRow

__all__ = ["ParseError", "Report", "parse_extracted", "parse_text", "read_report"]


def parse_extracted(extracted: Extracted, *, source: str | None = None) -> Report:
    """Parse what an extractor produced (text lines, and real table rows where the format has them)."""
    with collector.paused():
        rows = [_source_row(line) for line in extracted.lines]
        report = recognise(rows, source=source)
    report.warnings[:0] = [_extract_warning(w) for w in extracted.warnings]
    return report


def _source_row(line: SourceLine) -> SourceRow:
    """A normalised row; a real table row keeps its own cells only (merge continuations dropped).

    With merge information (``spans``: 0 horizontal, -1 vertical continuation) the row is exactly the cells
    its source table had, so the next N cells after a label are its values with no guessing.
    """
    if line.cells is None:
        return SourceRow(normalise_line(line.text), None, line.page)
    cells = line.cells
    spans = getattr(line, "spans", None)
    if spans is not None and len(spans) == len(cells):
        cells = [c for c, span in zip(cells, spans, strict=True) if span > 0]
    cells = [normalise_line(c.replace("\n", "")) for c in cells]
    return SourceRow("\t".join(cells), cells, line.page)


def _extract_warning(message: str):  # type: ignore[no-untyped-def]
    from worker.parse.models import ParseWarning

    return ParseWarning(code="extraction", message=message)


def parse_text(text: str, *, source: str | None = None) -> Report:
    """Parse a plain-text report.

    Lines are split exactly as the txt extractor splits them (CRLF / CR / LF only, never on form feeds or
    U+2028), so a line number of ``parse_text`` is the line number of ``read_report`` on the same file.
    """
    from worker.extract.txt import split_lines

    with collector.paused():
        return recognise([SourceRow(normalise_line(t)) for t in split_lines(text)], source=source)


def read_report(path: Path) -> Report:
    """Extract ``path`` (any supported format) and parse it."""
    from worker.extract import extract_file

    return parse_extracted(extract_file(Path(path)), source=str(path))
