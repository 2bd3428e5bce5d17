"""Tables 二, 三 and 四 of a stored report laid out as the official template prints them, for the report page.

The row and column labels come from ``worker.parse.labels`` and the parser's vocabulary, the values from the
stored cells; a cell named by a finding carries that finding (the page highlights it and links to it). A row
or column the template has but the report lacks is shown empty; a cell the report has beyond the template
(an extra row, a subtotal) is shown too, so no stored value is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from worker.parse.labels import DISCLOSURE_LABELS_ZH, SUBTOTAL_ROWS_ZH, col_label_zh
from worker.parse.vocab import (
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    DISCLOSURE_DEFAULT_COLUMNS,
    DISCLOSURE_ROWS,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    ROWS_2021_ONLY,
    SUBTOTAL_KEYS,
)
from worker.store.queries import CellView, ReportFinding

CellKey = tuple[str, str, str]  # table, row, col


@dataclass(frozen=True)
class GridCell:
    """One value cell: what to print, and the finding naming it (if any)."""

    key: CellKey
    text: str
    present: bool  # the report has this cell (blank or not)
    blank: bool  # present but blank or a placeholder
    finding: ReportFinding | None = None

    @property
    def anchor(self) -> str:
        """The element id of the cell (a finding's "在表中查看" links to it)."""
        return "cell-" + "-".join(self.key)

    @property
    def css(self) -> str:
        classes = ["num"]
        if not self.present:
            classes.append("absent")
        elif self.blank:
            classes.append("blank")
        if self.finding is not None:
            classes.append(f"flagged flagged-{self.finding.severity.value}")
        return " ".join(classes)


@dataclass(frozen=True)
class GridRow:
    """A row of a table: its label, depth in the template's outline, and its cells (none for a group label)."""

    label: str
    cells: list[GridCell]
    depth: int = 0
    group: bool = False  # a group label ("（三）不予公开") without numbers


@dataclass(frozen=True)
class Grid:
    """One block of a table: a heading, column labels and rows."""

    title: str
    columns: list[str]
    rows: list[GridRow] = field(default_factory=list)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class CellIndex:
    """The stored cells and located findings of one report, looked up by cell."""

    def __init__(self, cells: Iterable[CellView], findings: Iterable[ReportFinding]) -> None:
        self.cells = {(c.table, c.row, c.col): c for c in cells}
        self.marks: dict[tuple[str, str | None, str | None], ReportFinding] = {}
        for f in findings:
            loc = f.location
            if loc is None or loc.table is None or (loc.row is None and loc.col is None):
                continue
            self.marks.setdefault((loc.table, loc.row, loc.col), f)

    def finding(self, key: CellKey) -> ReportFinding | None:
        """The first finding naming this cell, its whole row, or its whole column."""
        table, row, col = key
        return self.marks.get(key) or self.marks.get((table, row, None)) or self.marks.get((table, None, col))

    def cell(self, key: CellKey) -> GridCell:
        stored = self.cells.get(key)
        if stored is None:
            return GridCell(key=key, text="", present=False, blank=False, finding=self.finding(key))
        text = stored.raw if stored.value is None else _number(stored.value)
        return GridCell(
            key=key, text=text, present=True, blank=stored.value is None, finding=self.finding(key)
        )

    def row(self, table: str, row: str, columns: Sequence[str]) -> list[GridCell]:
        return [self.cell((table, row, c)) for c in columns]

    def keys_of(self, table: str) -> list[CellKey]:
        return [k for k in self.cells if k[0] == table]


def _extra(keys: Iterable[str], known: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for key in keys:
        if key not in known and key not in seen:
            seen.append(key)
    return seen


def disclosure_grids(index: CellIndex, template: str) -> list[Grid]:
    """Table 二: one grid per 第二十条 block, in the template's columns."""
    layout = DISCLOSURE_DEFAULT_COLUMNS["2019" if template == "2019" else "2021"]
    stored_blocks = _extra((k[0].split(".", 1)[1] for k in index.cells if k[0].startswith("disclosure.")), [])
    grids = []
    for block in [*layout, *_extra(stored_blocks, list(layout))]:
        table = f"disclosure.{block}"
        keys = index.keys_of(table)
        columns = [*layout.get(block, ()), *_extra((k[2] for k in keys), layout.get(block, ()))]
        template_rows = [key for _, key, only in DISCLOSURE_ROWS.get(block, ()) if only in ("", template)]
        rows = [*template_rows, *_extra((k[1] for k in keys), template_rows)]
        grids.append(
            Grid(
                title=DISCLOSURE_LABELS_ZH.get(block, block),
                columns=["信息内容", *(col_label_zh("disclosure", c) for c in columns)],
                rows=[GridRow(label=DISCLOSURE_LABELS_ZH.get(r, r), cells=index.row(table, r, columns)) for r in rows],
            )
        )  # fmt: skip
    return grids


def application_grid(index: CellIndex, template: str) -> Grid:
    """Table 三: the 25 (2021) or 23 (2019) rows in the template's order, subtotals where the report has them."""
    columns = list(APPLICATION_COLUMNS)
    stored_rows = {k[1] for k in index.keys_of("applications")}
    rows: list[GridRow] = []
    for spec in APPLICATION_ROWS:
        if template == "2019" and spec.key in ROWS_2021_ONLY and spec.key not in stored_rows:
            continue
        depth = 2 if spec.group else (1 if spec.label.startswith("（") else 0)
        as_data = not spec.is_group or (
            spec.key == "other" and (template == "2019" or "other" in stored_rows)
        )
        if as_data:
            rows.append(
                GridRow(label=spec.label, cells=index.row("applications", spec.key, columns), depth=depth)
            )
            continue
        subtotal = SUBTOTAL_KEYS.get(spec.key)
        if subtotal and subtotal in stored_rows:
            label = SUBTOTAL_ROWS_ZH.get(subtotal, spec.label)
            rows.append(GridRow(label=label, cells=index.row("applications", subtotal, columns), depth=depth))
        else:
            rows.append(GridRow(label=spec.label, cells=[], depth=depth, group=True))
    known = {s.key for s in APPLICATION_ROWS} | set(SUBTOTAL_KEYS.values())
    for extra in sorted(stored_rows - known):
        rows.append(GridRow(label=extra, cells=index.row("applications", extra, columns)))
    return Grid(title="三、收到和处理政府信息公开申请情况", columns=[col_label_zh("applications", c) for c in columns],
                rows=rows)  # fmt: skip


REVIEW_GROUPS = (("行政复议", ("review",)), ("行政诉讼", ("litigation_direct", "litigation_after_review")))
REVIEW_SUBGROUPS = {
    "review": "",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}


def review_cells(index: CellIndex) -> list[GridCell]:
    """Table 四: the one data row of 15 cells (three groups of five)."""
    return [index.cell(("reviews", row, col)) for row in REVIEW_ROWS for col in REVIEW_COLUMNS]


def review_columns() -> list[str]:
    """The 15 column labels of 四."""
    return [col_label_zh("reviews", c) for _ in REVIEW_ROWS for c in REVIEW_COLUMNS]
