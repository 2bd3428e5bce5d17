"""The parser: extracted lines -> a ``Report``, in stages each testable alone.

    normalise (normalise.py) -> tokens (tokens.py) -> recognise (recognise.py: sections.py, tables.py,
    rows.py, meta.py, template.py) -> ``Report`` (models.py)

Label vocabularies are data in vocab.py. Public API:

    parse_extracted(extracted, *, source=None) -> Report
    parse_text(text, *, source=None) -> Report
    read_report(path) -> Report            (extract + parse)

``ParseError`` is raised only when the text is not a report at all.
"""

from __future__ import annotations

from pathlib import Path

from worker.errors import ParseError
from worker.extract.base import Extracted
from worker.parse.models import Report
from worker.parse.normalise import normalise_line
from worker.parse.recognise import recognise
from worker.parse.tokens import SourceRow

__all__ = ["ParseError", "Report", "parse_extracted", "parse_text", "read_report"]


def parse_extracted(extracted: Extracted, *, source: str | None = None) -> Report:
    """Parse what an extractor produced (text lines, and real table rows where the format has them)."""
    rows = [
        SourceRow(
            normalise_line(line.text)
            if line.cells is None
            else "\t".join(normalise_line(c) for c in line.cells),
            None if line.cells is None else [normalise_line(c.replace("\n", "")) for c in line.cells],
            line.page,
        )
        for line in extracted.lines
    ]
    report = recognise(rows, source=source)
    report.warnings[:0] = [_extract_warning(w) for w in extracted.warnings]
    return report


def _extract_warning(message: str):  # type: ignore[no-untyped-def]
    from worker.parse.models import ParseWarning

    return ParseWarning(code="extraction", message=message)


def parse_text(text: str, *, source: str | None = None) -> Report:
    """Parse a plain-text report (lines split like ``str.splitlines``, as the text extractor does)."""
    return recognise([SourceRow(normalise_line(t)) for t in text.splitlines()], source=source)


def read_report(path: Path) -> Report:
    """Extract ``path`` (any supported format) and parse it."""
    from worker.extract import extract_file

    return parse_extracted(extract_file(Path(path)), source=str(path))
