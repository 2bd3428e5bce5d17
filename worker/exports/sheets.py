"""A sheet of rows under headers, written as XLSX (frozen header, fitted column widths) or CSV (UTF-8 + BOM)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

Value = str | int | float | dt.date | dt.datetime | None
MAX_WIDTH = 60


class ExportFormat(StrEnum):
    """File format of an export."""

    XLSX = "xlsx"
    CSV = "csv"

    @classmethod
    def of(cls, path: Path) -> ExportFormat:
        """The format a file name asks for (by suffix).

        Raises:
            ValueError: neither .xlsx nor .csv.
        """
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in {f.value for f in cls}:
            raise ValueError(f"不支持的导出格式 {path.suffix or '（无后缀）'}：请用 .xlsx 或 .csv")
        return cls(suffix)

    @property
    def media_type(self) -> str:
        if self is ExportFormat.CSV:
            return "text/csv; charset=utf-8"
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    """One table of an export. ``header_rows`` leading rows are frozen (a layout may have two header rows)."""

    title: str
    headers: list[str]
    rows: list[list[Value]]
    header_rows: int = 1
    extra_header: list[list[str]] = field(default_factory=list)  # rows above ``headers`` (official layouts)
    merges: list[str] = field(default_factory=list)  # "A1:A2"-style ranges to merge (XLSX only)


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def to_csv_bytes(sheet: Sheet) -> bytes:
    """The sheet as CSV, UTF-8 with a BOM (so Excel opens Chinese text correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [*sheet.extra_header, sheet.headers]:
        writer.writerow(row)
    for data in sheet.rows:
        writer.writerow([_text(v) for v in data])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Value) -> Value:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; stored times are UTC
    return value


def to_xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one XLSX workbook: bold frozen header rows, columns as wide as their text (capped)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type,unused-ignore]
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        head: list[list[Value]] = [list(r) for r in [*sheet.extra_header, sheet.headers]]
        table: list[list[Value]] = [*head, *sheet.rows]
        for row in table:
            ws.append([_xlsx_value(v) for v in row])
        for r in range(1, len(head) + 1):
            for cell in ws[r]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for rng in sheet.merges:
            ws.merge_cells(rng)
        ws.freeze_panes = ws.cell(row=len(head) + 1, column=1)
        columns = max([len(r) for r in table] or [0])
        for c in range(columns):
            texts = [_text(r[c]) for r in table if c < len(r)]
            ws.column_dimensions[get_column_letter(c + 1)].width = min(MAX_WIDTH, max(map(_display_width, texts)) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def in_zone(sheets: Sequence[Sheet], zone: dt.tzinfo) -> list[Sheet]:
    """The sheets with every time shown in ``zone`` (stored times are UTC; naive ones are read as UTC)."""

    def local(value: Value) -> Value:
        if not isinstance(value, dt.datetime):
            return value
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(zone).replace(tzinfo=None)

    return [replace(sheet, rows=[[local(v) for v in row] for row in sheet.rows]) for sheet in sheets]


def to_bytes(sheets: Sequence[Sheet], fmt: ExportFormat, *, zone: dt.tzinfo | None = None) -> bytes:
    """The export in ``fmt`` (CSV holds the first sheet only), times in ``zone`` when given (else UTC)."""
    sheets = in_zone(sheets, zone) if zone is not None else sheets
    return to_csv_bytes(sheets[0]) if fmt is ExportFormat.CSV else to_xlsx_bytes(sheets)


def write(
    path: Path, sheets: Sequence[Sheet], fmt: ExportFormat | None = None, *, zone: dt.tzinfo | None = None
) -> ExportFormat:
    """Write the export to ``path`` in ``fmt`` (default: by the file's suffix); returns the format used."""
    fmt = fmt or ExportFormat.of(path)
    path.write_bytes(to_bytes(sheets, fmt, zone=zone))
    return fmt
