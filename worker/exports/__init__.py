"""Spreadsheet exports for offices: XLSX (frozen header, column widths) and CSV (UTF-8 with BOM for Excel).

    sheets.py   the ``Sheet`` (title, headers, rows) and its writers: ``to_csv_bytes``, ``to_xlsx_bytes``, ``write``
    tables.py   read-layer answers as sheets: reports, findings, roster, bodies
    rollup.py   the roll-up as sheets in the official table layout (二, 三, 四), members and checks

The CLI (``nianbao export ...``) and the web application call the same functions and only choose the format.
"""

from __future__ import annotations

from worker.exports.rollup import rollup_sheets
from worker.exports.sheets import ExportFormat, Sheet, to_bytes, to_csv_bytes, to_xlsx_bytes, write
from worker.exports.tables import bodies_sheet, findings_sheet, reports_sheet, roster_sheet

__all__ = [
    "ExportFormat", "Sheet", "bodies_sheet", "findings_sheet", "reports_sheet", "rollup_sheets", "roster_sheet",
    "to_bytes", "to_csv_bytes", "to_xlsx_bytes", "write",
]  # fmt: skip
