"""Table arithmetic helpers shared by the T3_*, T4_*, BLANK_CELL and TXT_* rules.

Blank cells (``value is None``) count as 0 here; whether a blank deserves a finding is BLANK_CELL's business.
A report's own subtotal rows (``subtotal_*``) are never part of a sum of outcome rows: each outcome group
contributes either its sub-rows or, when the report printed no sub-rows at all, its subtotal.
"""

from __future__ import annotations

from collections.abc import Iterator

from worker.parse.models import Cell, Location, Number, Report
from worker.parse.vocab import APPLICATION_COLUMNS, REVIEW_COLUMNS

APPLICATION_COLS = APPLICATION_COLUMNS
APPLICANT_COLS = tuple(c for c in APPLICATION_COLS if c != "total")

# outcome groups of 三: (group, subtotal key or None, sub-rows). （六） is one row in 2019, three in 2021.
OUTCOME_GROUPS: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("granted", None, ("granted",)),
    ("partial", None, ("partial",)),
    (
        "withheld",
        "subtotal_withheld",
        (
            "withheld_secret",
            "withheld_law",
            "withheld_security",
            "withheld_third_party",
            "withheld_internal",
            "withheld_process",
            "withheld_enforcement",
            "withheld_inquiry",
        ),
    ),
    (
        "unavailable",
        "subtotal_unavailable",
        ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear"),
    ),
    (
        "rejected",
        "subtotal_rejected",
        (
            "rejected_petition",
            "rejected_duplicate",
            "rejected_publication",
            "rejected_excessive",
            "rejected_confirmation",
        ),
    ),
    ("other", "subtotal_other", ("other", "other_no_correction", "other_unpaid_fee", "other_misc")),
)
SUBTOTAL_ROWS = tuple(sub for _, sub, _ in OUTCOME_GROUPS if sub)

REVIEW_PARTS = tuple(c for c in REVIEW_COLUMNS if c != "total")

PLACEHOLDERS = frozenset({"", "空", "/", "／", "-", "－", "—", "——", "–", "无", "\\", "×", "x", "X"})


def num(cell: Cell | None) -> Number:
    """The value of a cell for arithmetic: blank or absent counts as 0."""
    if cell is None or cell.value is None:
        return 0
    return cell.value


def fmt(value: Number | None) -> str:
    """A number as a clerk writes it: 26, 1.5 (never 26.0)."""
    if value is None:
        return "空"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{round(value, 4):g}"
    return str(value)


def loc(report: Report, table: str, row: str, col: str | None) -> Location:
    """A location for a cell: the cell's own line/page when the parser recorded one, else the row's line."""
    line: int | None = None
    page: int | None = None
    cell = report.cell(table, row, col) if col else None
    if cell is not None:
        line, page = cell.location.line, cell.location.page
    if line is None and page is None:
        info = report.rows.get(f"{table}.{row}")
        if info is not None:
            line, page = info.line, info.page
        elif col is None and table in ("applications", "reviews"):
            # a whole row: take the first cell that knows its line
            grid = getattr(report.tables, table).get(row, {})
            first = next((c.location for c in grid.values() if c.location.line or c.location.page), None)
            if first is not None:
                line, page = first.line, first.page
    return Location(table=table, row=row, col=col, line=line, page=page)


def group_rows(report: Report, subtotal: str | None, subrows: tuple[str, ...]) -> tuple[str, ...]:
    """The rows that stand for an outcome group in sums: its sub-rows, or its subtotal when none printed."""
    grid = report.tables.applications
    present = tuple(r for r in subrows if r in grid)
    if present:
        return present
    if subtotal and subtotal in grid:
        return (subtotal,)
    return ()


def outcome_rows(report: Report) -> tuple[str, ...]:
    """All rows summed into （七）总计, each counted once."""
    rows: list[str] = []
    for _, subtotal, subrows in OUTCOME_GROUPS:
        rows.extend(group_rows(report, subtotal, subrows))
    return tuple(rows)


def outcome_sum(report: Report, col: str, rows: tuple[str, ...] | None = None) -> Number:
    """Sum of the outcome rows (``rows``, default ``outcome_rows(report)``) of one column of 三; a blank 总计
    of a row counts as the sum of its row."""
    grid = report.tables.applications
    total: Number = 0
    for r in outcome_rows(report) if rows is None else rows:
        cell = grid[r].get(col)
        if cell is not None and cell.value is not None:
            total += cell.value
        elif col == "total":
            total += applicant_sum(report, r)
    return total


def applicant_sum(report: Report, row: str) -> Number:
    """Sum of the six applicant columns of one row of 三."""
    cells = report.tables.applications.get(row, {})
    return sum(num(cells.get(c)) for c in APPLICANT_COLS)


def effective_total(report: Report, row: str, col: str) -> Number:
    """A cell's value for sums; a blank total cell (总计 column, or the （七）总计 row) counts as the sum of
    its parts, since a blank total is T3_TOTAL_BLANK and must not also make every other sum fail."""
    cell = report.tables.applications.get(row, {}).get(col)
    if cell is not None and cell.value is not None:
        return cell.value
    if row != "total" and col != "total":
        return 0
    if row == "total":
        by_rows = outcome_sum(report, col)
        if by_rows or col != "total":
            return by_rows
    if col == "total":
        return applicant_sum(report, row)
    return 0


def iter_cells(report: Report) -> Iterator[tuple[str, str, str, Cell]]:
    """Every cell of the three tables as (table, row, col, cell); table is "disclosure.<block>" for 二."""
    for block, rows in report.tables.disclosure.items():
        for row, cols in rows.items():
            for col, cell in cols.items():
                yield f"disclosure.{block}", row, col, cell
    for table in ("applications", "reviews"):
        for row, cols in getattr(report.tables, table).items():
            for col, cell in cols.items():
                yield table, row, col, cell


def is_non_numeric(cell: Cell) -> bool:
    """A blank value whose printed text is neither empty nor a placeholder: the parser could not read a number."""
    return cell.value is None and cell.raw.strip() not in PLACEHOLDERS


def same(a: Number, b: Number) -> bool:
    """Equality for counts and amounts (amounts are decimals: compare to 4 places)."""
    return abs(a - b) < 1e-6
