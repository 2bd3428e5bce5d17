"""What every extractor hands the parser: an ordered stream of lines, some of them real table rows."""

from __future__ import annotations

from pydantic import BaseModel, Field

from worker.extract.formats import Format


class SourceLine(BaseModel):
    """One line of the document, in reading order.

    For plain text, ``text`` is the raw line and ``cells`` is None (the tokenizer splits tabs/pipes itself).
    For formats with real tables (docx, html, pdf), a table row is one ``SourceLine`` whose ``cells`` holds
    the row's cell texts after merged cells were resolved to the grid (a merged region's continuation
    cells are ""), and ``text`` is the cells joined by a tab.
    """

    text: str
    cells: list[str] | None = None
    page: int | None = None
    table: int | None = None  # index of the table in the document
    row: int | None = None  # index of the row in its table
    # For table rows: per grid cell, how many grid columns its source cell covers (gridSpan / colspan);
    # 0 marks a horizontal continuation of a merged cell, -1 a vertical one (vMerge / rowspan).
    # None when the format carries no merge information (plain text, whitespace-aligned PDF text).
    spans: list[int] | None = None

    def own_cells(self) -> list[str] | None:
        """The row's cells without horizontal continuations (span 0): one entry per source cell.

        This is the docx-to-text shape of the seeds (a merged cell appears once, a vertically merged
        continuation as ""), convenient for anchoring on a label and taking the next N cells.
        """
        if self.cells is None or self.spans is None or len(self.spans) != len(self.cells):
            return self.cells
        return [cell for cell, span in zip(self.cells, self.spans, strict=True) if span != 0]


class Extracted(BaseModel):
    """The result of reading a file.

    Attributes:
        kind: the format the lines were read as (an .mht reads as ``Format.HTML``).
        lines: the lines and table rows in reading order.
        encoding: for text formats, the detected encoding.
        warnings: what was read but may be incomplete (shown with the report).
    """

    kind: Format
    lines: list[SourceLine] = Field(default_factory=list)
    encoding: str | None = None
    warnings: list[str] = Field(default_factory=list)
