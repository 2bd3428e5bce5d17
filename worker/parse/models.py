"""The parsed report: pydantic models shared by the parser, the rules, the store and the alerts.

The canonical JSON (report-format.md section 5) is ``Report.canonical()``; the full model keeps where every
value came from (``Location``) so that a finding can point at it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, Field

from worker.parse.labels import describe_location_zh

Template = Literal["2021", "2019", "mixed", "unknown"]
Number = int | float

# How a cell, row or table was read (docs/parser.md "Certainty"): "exact" real grid cells (docx/html/pdf),
# "separated" text with separators, "reconstructed" degraded text whose one right split was proven unique,
# "ambiguous" several readings (or none) fit, "unreadable" nothing usable. The first three are certain.
Certainty = Literal["exact", "separated", "reconstructed", "ambiguous", "unreadable"]
CERTAIN: frozenset[str] = frozenset({"exact", "separated", "reconstructed"})
_RANK = {"exact": 0, "separated": 1, "reconstructed": 2, "ambiguous": 3, "unreadable": 4}


def weakest(certainties: Iterable[Certainty], default: Certainty = "separated") -> Certainty:
    """The least certain of several readings (``default`` when there are none)."""
    return max(certainties, key=_RANK.__getitem__, default=default)


class Location(BaseModel):
    """Where a value or finding sits: table/row/column keys and the source line (1-based) or page."""

    table: str | None = None  # "disclosure.art20_1" | "applications" | "reviews" | None for prose
    row: str | None = None  # canonical row key, e.g. "granted"
    col: str | None = None  # canonical column key, e.g. "total"
    line: int | None = None  # 1-based line in the extracted text (txt) or paragraph/row index
    page: int | None = None  # PDF page (1-based) when known
    section: str | None = None  # section key, e.g. "problems"

    def describe_zh(self) -> str:
        """A short Chinese description, e.g. "三、收到和处理政府信息公开申请情况表 （七）总计·自然人（第 362 行）"."""
        return describe_location_zh(self)


class Cell(BaseModel):
    """One table value. ``value`` is None for a blank cell or a placeholder (空, /, -, —, 无)."""

    value: Number | None = None
    raw: str = ""
    unit: str | None = None  # "万元" / "元" when printed with the number
    location: Location = Location()
    certainty: Certainty = "separated"

    @property
    def is_certain(self) -> bool:
        """Read from a real grid, from separated text, or from a split proven unique."""
        return self.certainty in CERTAIN

    @property
    def is_blank(self) -> bool:
        return self.value is None


class RowInfo(BaseModel):
    """What the parser saw for one table row (for STRUCT_CELL_COUNT, FMT_LABEL_MIXED, ...)."""

    label: str  # the label as printed (normalised), e.g. "规范性文件"
    cell_count: int  # number of value cells found for this row (blanks included)
    line: int | None = None
    page: int | None = None
    certainty: Certainty = "separated"
    label_match: Literal["exact", "fuzzy"] = "exact"  # fuzzy: matched by place and likeness (label_fuzzy)


class TableRead(BaseModel):
    """How one table was read as a whole: the weakest reading of its rows, and why when not certain."""

    table: str  # "applications" | "reviews" | "disclosure.art20_1" ...
    certainty: Certainty
    reason_zh: str | None = None  # why it is not certain (Chinese), for TABLE_UNREADABLE

    @property
    def is_certain(self) -> bool:
        return self.certainty in CERTAIN


class Section(BaseModel):
    """One of the six top-level sections."""

    no: int  # 1..6
    key: str  # overview | disclosure | applications | reviews | problems | other
    title: str  # the heading as printed (normalised)
    line: int  # 1-based line of the heading
    end_line: int | None = None  # last line belonging to the section
    text: str = ""  # the prose of the section (table cells excluded), for TXT_* / SEC* rules
    found: Literal["line", "inline"] = "line"  # inline: run inline with the text, cut out by relines.py


class ParseWarning(BaseModel):
    """Something the parser skipped or guessed; shown with the report, never fatal."""

    code: str  # e.g. "row_unrecognised", "extra_cells", "label_joined"
    message: str
    line: int | None = None


class Tables(BaseModel):
    """The three tables, keyed exactly as report-format.md sections 2-4.

    disclosure: block -> row -> col -> Cell   (e.g. ["art20_1"]["rules"]["issued"])
    applications: row -> col -> Cell          (e.g. ["new"]["natural_person"])
    reviews: row -> col -> Cell               (e.g. ["review"]["upheld"])

    Report-specific subtotal rows of 三 (（三）..（六） with their own numbers) use the keys
    ``subtotal_withheld``, ``subtotal_unavailable``, ``subtotal_rejected``, ``subtotal_other``.
    A cell the report does not have is absent; a blank cell is present with ``value=None``.
    """

    disclosure: dict[str, dict[str, dict[str, Cell]]] = Field(default_factory=dict)
    applications: dict[str, dict[str, Cell]] = Field(default_factory=dict)
    reviews: dict[str, dict[str, Cell]] = Field(default_factory=dict)


class Report(BaseModel):
    """A parsed annual report."""

    source: str | None = None  # file name (or path) it came from
    organ: str | None = None  # issuing body as printed in full, e.g. "将乐县南口镇人民政府"
    organ_path: list[str] = Field(
        default_factory=list
    )  # ["福建省", "三明市", "将乐县", "南口镇"] as far as known
    organ_level: Literal["township", "county_department", "county_government", "unknown"] = "unknown"
    year: int | None = None  # report year: title year, else statistics-period year
    title: str | None = None
    title_line: int | None = None
    title_year: int | None = None
    period_year: int | None = None  # from "统计期限为2023年1月1日起至2023年12月31日止"
    published: dt.date | None = None  # signing / publication date when printed
    published_line: int | None = None
    template: Template = "unknown"
    template_scores: dict[str, float] = Field(default_factory=dict)  # {"2021": .., "2019": ..} per part
    template_parts: dict[str, Template] = Field(
        default_factory=dict
    )  # {"disclosure": "2021", "applications": "2021"}
    sections: list[Section] = Field(default_factory=list)
    tables: Tables = Field(default_factory=Tables)
    rows: dict[str, RowInfo] = Field(default_factory=dict)  # "applications.granted" -> RowInfo
    lines: list[str] = Field(default_factory=list)  # normalised text lines (1-based via index+1)
    warnings: list[ParseWarning] = Field(default_factory=list)
    table_reads: dict[str, TableRead] = Field(default_factory=dict)  # table key -> how it was read

    def is_certain(self, table: str, row: str | None = None) -> bool:
        """Whether ``table`` (or one ``row`` of it) was read with certainty (exact, separated, reconstructed).

        A table without a ``TableRead`` (a report built by hand) counts as certain; a row is certain when its
        ``RowInfo`` and every cell of it are.
        """
        if row is None:
            read = self.table_reads.get(table)
            return read is None or read.certainty in CERTAIN
        return f"{table}.{row}" not in self.uncertain_rows

    @cached_property
    def uncertain_rows(self) -> frozenset[str]:
        """The rows not read with certainty ("applications.granted", "disclosure.art20_1.rules"): their
        ``RowInfo`` or one of their cells is not certain.

        Built once, on first use (the rules ask ``is_certain`` for every cell); a report is not changed after
        it is parsed (or built by hand), so the set stays right.
        """
        grids: list[tuple[str, dict[str, dict[str, Cell]]]] = [
            (f"disclosure.{block}", rows) for block, rows in self.tables.disclosure.items()
        ]
        grids += [("applications", self.tables.applications), ("reviews", self.tables.reviews)]
        by_cells = {
            f"{table}.{row}"
            for table, rows in grids
            for row, cells in rows.items()
            if any(cell.certainty not in CERTAIN for cell in cells.values())
        }
        by_info = {key for key, info in self.rows.items() if info.certainty not in CERTAIN}
        return frozenset(by_cells | by_info)

    @property
    def identity_key(self) -> str | None:
        """The body's identity for cross-year checks: the full administrative path, never the short name.

        "福建省/三明市/将乐县/南口镇人民政府"-style; None when the parser could not tell who issued it.
        """
        if self.organ_path:
            return "/".join(self.organ_path)
        return self.organ

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def cell(self, table: str, row: str, col: str) -> Cell | None:
        """Look up a cell: ``cell("applications", "new", "total")`` or ``cell("disclosure.art20_1", "rules", "issued")``."""
        if table.startswith("disclosure."):
            return self.tables.disclosure.get(table.split(".", 1)[1], {}).get(row, {}).get(col)
        grid: dict[str, dict[str, Cell]] = getattr(self.tables, table)
        return grid.get(row, {}).get(col)

    def canonical(self) -> dict[str, Any]:
        """The report-format.md section 5 JSON (plus ``meta`` with the extra metadata)."""

        def plain(grid: dict[str, dict[str, Cell]]) -> dict[str, dict[str, Number | None]]:
            return {r: {c: cell.value for c, cell in cols.items()} for r, cols in grid.items()}

        return {
            "organ": self.organ,
            "year": self.year,
            "template": self.template,
            "sections": [{"no": s.no, "key": s.key, "title": s.title, "line": s.line} for s in self.sections],
            "tables": {
                "disclosure": {b: plain(rows) for b, rows in self.tables.disclosure.items()},
                "applications": plain(self.tables.applications),
                "reviews": plain(self.tables.reviews),
            },
            "meta": {
                "organ_path": self.organ_path,
                "organ_level": self.organ_level,
                "title": self.title,
                "title_year": self.title_year,
                "period_year": self.period_year,
                "published": self.published.isoformat() if self.published else None,
                "template_parts": self.template_parts,
            },
        }
