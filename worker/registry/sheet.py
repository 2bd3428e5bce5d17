"""Reading a registry file (CSV or XLSX) into rows of cleaned text, with the header found and mapped.

Tolerates what offices' spreadsheets contain: a title row above the header, header cells merged over two
rows or several columns, trailing spaces, full-width characters, a UTF-8 BOM or GBK encoding.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from worker.errors import NianbaoError

HEADER_SCAN_ROWS = 10


class RegistryFileError(NianbaoError):
    """A registry file that cannot be read at all (format, encoding, no header)."""


class Column(StrEnum):
    """The columns of a registry file (the value is the Chinese header written on export)."""

    NAME = "名称"
    SHORT_NAMES = "简称"
    FORMER_NAMES = "曾用名"
    PATH = "行政区划路径"
    LEVEL = "层级"
    CONTACT_NAME = "联系人"
    CONTACT_EMAILS = "联系邮箱"
    YEAR_FROM = "起始年份"
    YEAR_TO = "终止年份"


_ALIASES: dict[str, Column] = {
    **{c.value: c for c in Column},
    "name": Column.NAME, "主体名称": Column.NAME, "机关名称": Column.NAME, "单位名称": Column.NAME,
    "short_name": Column.SHORT_NAMES, "short_names": Column.SHORT_NAMES,
    "former_name": Column.FORMER_NAMES, "former_names": Column.FORMER_NAMES,
    "path": Column.PATH, "行政区划": Column.PATH,
    "level": Column.LEVEL, "contact": Column.CONTACT_NAME, "contact_name": Column.CONTACT_NAME,
    "email": Column.CONTACT_EMAILS, "emails": Column.CONTACT_EMAILS, "contact_email": Column.CONTACT_EMAILS,
    "contact_emails": Column.CONTACT_EMAILS, "邮箱": Column.CONTACT_EMAILS, "电子邮箱": Column.CONTACT_EMAILS,
    "year_from": Column.YEAR_FROM, "from": Column.YEAR_FROM, "year_to": Column.YEAR_TO, "to": Column.YEAR_TO,
}  # fmt: skip


def clean(text: object) -> str:
    """A cell as text: full-width letters, digits and spaces made half-width (NFKC), spaces collapsed."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


def header_column(text: str) -> Column | None:
    """The column a header cell names (Chinese or English, any case and spacing), or None."""
    key = clean(text).replace(" ", "").lower()
    return _ALIASES.get(key) or _ALIASES.get(key.replace("_", ""))


@dataclass(frozen=True)
class SheetRow:
    """One data row: its 1-based line in the file and its values by column."""

    line: int
    values: dict[Column, str]


def _rows_of_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises a zoo of types for a broken file
        raise RegistryFileError(f"无法读取 XLSX 文件：{exc}") from exc
    sheet = book.worksheets[0]
    grid = [[clean(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:  # a merged cell's value belongs to every cell it covers
        top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else ""
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = top
    return grid


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")  # a superset of GBK, what Excel writes on a Chinese Windows
        except UnicodeDecodeError as exc:
            raise RegistryFileError("CSV 文件编码无法识别（请保存为 UTF-8 或 GBK）") from exc


def _rows_of_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[clean(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]


def _header(grid: Sequence[Sequence[str]]) -> tuple[int, dict[int, Column]]:
    """(index of the last header row, column index -> Column); header rows may be stacked (merged cells)."""
    start = next(
        (i for i, row in enumerate(grid[:HEADER_SCAN_ROWS]) if sum(1 for v in row if header_column(v)) >= 2), None
    )
    if start is None:
        raise RegistryFileError("找不到表头：前 10 行中没有“名称”“行政区划路径”等列名")
    end = start
    while end + 1 < len(grid):
        nxt = grid[end + 1]
        filled = [v for v in nxt if v]
        if not filled or not all(header_column(v) or v in grid[end] for v in filled):
            break
        end += 1
    columns: dict[int, Column] = {}
    for i in range(start, end + 1):  # a lower header row names its own cells more precisely
        for j, v in enumerate(grid[i]):
            col = header_column(v)
            if col is not None:
                columns[j] = col
    seen: dict[Column, int] = {}
    for j, col in sorted(columns.items()):
        if col in seen and grid[end][j] == grid[end][seen[col]]:
            continue  # one header merged over several columns
        if col in seen:
            raise RegistryFileError(f"表头中“{col.value}”列出现了两次")
        seen[col] = j
    if Column.NAME not in seen or Column.PATH not in seen:
        raise RegistryFileError("表头缺少必填列“名称”或“行政区划路径”")
    return end, {j: col for col, j in seen.items()}


def read_sheet(path: Path) -> list[SheetRow]:
    """The data rows of a CSV or XLSX registry file (empty rows skipped), by column.

    Raises:
        RegistryFileError: unreadable file, unknown suffix or no header.
    """
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid = _rows_of_xlsx(data)
    elif suffix in (".csv", ".txt"):
        grid = _rows_of_csv(data)
    else:
        raise RegistryFileError(f"不支持的文件类型 {path.suffix}：请使用 .csv 或 .xlsx")
    end, columns = _header(grid)
    rows: list[SheetRow] = []
    for i in range(end + 1, len(grid)):
        values = {col: grid[i][j] if j < len(grid[i]) else "" for j, col in columns.items()}
        if any(values.values()):
            rows.append(SheetRow(line=i + 1, values=values))
    return rows
