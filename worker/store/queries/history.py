"""Versions and years of one body: what changed between two versions, and the body's reports across years.

``compare_versions`` tells a clerk whether the corrected version they sent fixed what was found: the cells
whose value changed and the findings that are new, fixed or unchanged. A finding is "the same" in two
versions when its rule and place (table, row, column, section) agree; line numbers are ignored, since a
corrected file shifts them. ``body_history`` gives the latest version of each year of one body with its main
figures and its cross-year (``XY_*``) findings, for the chart and the carry-over view.
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from worker.store.models import CellValue, StoredFinding, StoredReport
from worker.store.queries.reports import finding_view
from worker.store.queries.views import ReportFinding, ReportVersion

FindingPlace = tuple[str, str | None, str | None, str | None, str | None]  # rule, table, row, col, section

# The figures of the chart: name -> (table, row, col) cells added up (Chinese names are the web's).
MAIN_FIGURES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "received": (("applications", "new", "total"),),
    "answered": (("applications", "total", "total"),),
    "granted": (("applications", "granted", "total"),),
    "reviews": (("reviews", "review", "total"),),
    "litigation": (
        ("reviews", "litigation_direct", "total"),
        ("reviews", "litigation_after_review", "total"),
    ),
}
CROSS_YEAR_PREFIX = "XY_"


class CellChange(BaseModel):
    """A cell whose value differs between two versions (``None``: blank, or absent in that version)."""

    table: str
    row: str
    col: str
    before: float | None
    after: float | None
    before_raw: str | None  # None: the cell is absent in the older version
    after_raw: str | None


class VersionComparison(BaseModel):
    """What changed from version ``a`` to version ``b`` of the same body and year."""

    a: ReportVersion
    b: ReportVersion
    cells: list[CellChange] = Field(default_factory=list)
    new: list[ReportFinding] = Field(default_factory=list)  # in b, not in a
    fixed: list[ReportFinding] = Field(default_factory=list)  # in a, not in b (a's rows)
    unchanged: list[ReportFinding] = Field(default_factory=list)  # in both (b's rows)


class YearFigures(BaseModel):
    """One year of a body: its latest stored version, how many versions, main figures, cross-year findings."""

    year: int
    report: ReportVersion
    versions: int
    figures: dict[str, float | None]  # MAIN_FIGURES name -> value (None: no such cell or blank)
    cross_year: list[ReportFinding] = Field(default_factory=list)  # XY_* findings of that version


class BodyHistory(BaseModel):
    """The same body (identity key) across years, oldest year first."""

    identity_key: str
    organ: str | None
    years: list[YearFigures]


def _place(f: ReportFinding) -> FindingPlace:
    loc = f.location
    if loc is None:
        return (f.rule, None, None, None, None)
    return (f.rule, loc.table, loc.row, loc.col, loc.section)


def _findings(session: Session, report_id: int) -> list[ReportFinding]:
    rows = session.exec(
        select(StoredFinding).where(StoredFinding.report_id == report_id).order_by(col(StoredFinding.id))
    )
    return [finding_view(r) for r in rows]


def _cells(session: Session, report_id: int) -> dict[tuple[str, str, str], CellValue]:
    rows = session.exec(select(CellValue).where(CellValue.report_id == report_id).order_by(col(CellValue.id)))
    return {(c.table_key, c.row_key, c.col_key): c for c in rows}


def _split(
    older: list[ReportFinding], newer: list[ReportFinding]
) -> tuple[list[ReportFinding], list[ReportFinding], list[ReportFinding]]:
    """(new, fixed, unchanged): findings matched by place, as many times as they occur on each side."""
    remaining = Counter(_place(f) for f in older)
    new, unchanged = [], []
    for f in newer:
        if remaining[_place(f)] > 0:
            remaining[_place(f)] -= 1
            unchanged.append(f)
        else:
            new.append(f)
    still = Counter(_place(f) for f in newer)
    fixed = []
    for f in older:
        if still[_place(f)] > 0:
            still[_place(f)] -= 1
        else:
            fixed.append(f)
    return new, fixed, unchanged


def compare_versions(session: Session, a_id: int, b_id: int) -> VersionComparison | None:
    """What changed from report ``a_id`` to report ``b_id`` (None when either is gone).

    Any two stored reports can be compared; the web offers versions of one body and year.
    """
    a, b = session.get(StoredReport, a_id), session.get(StoredReport, b_id)
    if a is None or b is None:
        return None
    before, after = _cells(session, a_id), _cells(session, b_id)
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        old_value = old.value if old else None
        new_value = new.value if new else None
        if old is not None and new is not None and old_value == new_value:
            continue
        changes.append(
            CellChange(table=key[0], row=key[1], col=key[2], before=old_value, after=new_value,
                       before_raw=old.raw if old else None, after_raw=new.raw if new else None)
        )  # fmt: skip
    new_f, fixed, unchanged = _split(_findings(session, a_id), _findings(session, b_id))
    return VersionComparison(
        a=ReportVersion.model_validate(a, from_attributes=True),
        b=ReportVersion.model_validate(b, from_attributes=True),
        cells=changes,
        new=new_f,
        fixed=fixed,
        unchanged=unchanged,
    )


def _figures(session: Session, report_id: int) -> dict[str, float | None]:
    wanted = {cell for cells in MAIN_FIGURES.values() for cell in cells}
    rows = session.exec(
        select(CellValue).where(
            CellValue.report_id == report_id, col(CellValue.table_key).in_({t for t, _, _ in wanted})
        )
    )
    values = {(c.table_key, c.row_key, c.col_key): c.value for c in rows}
    figures: dict[str, float | None] = {}
    for name, cells in MAIN_FIGURES.items():
        present = [values[c] for c in cells if values.get(c) is not None]
        figures[name] = sum(v for v in present if v is not None) if present else None
    return figures


def body_history(session: Session, identity_key: str) -> BodyHistory | None:
    """Every year of the body ``identity_key`` (its latest version per year), oldest first; None if unknown."""
    rows = session.exec(
        select(StoredReport)
        .where(StoredReport.identity_key == identity_key, col(StoredReport.year).is_not(None))
        .order_by(col(StoredReport.year), col(StoredReport.id))
    ).all()
    if not rows:
        return None
    latest: dict[int, StoredReport] = {}
    counts: Counter[int] = Counter()
    for row in rows:
        assert row.year is not None and row.id is not None
        latest[row.year] = row  # ordered by id: the last one wins
        counts[row.year] += 1
    years = []
    for year, row in latest.items():
        assert row.id is not None
        cross = [f for f in _findings(session, row.id) if f.rule.startswith(CROSS_YEAR_PREFIX)]
        years.append(
            YearFigures(year=year, report=ReportVersion.model_validate(row, from_attributes=True),
                        versions=counts[year], figures=_figures(session, row.id), cross_year=cross)
        )  # fmt: skip
    return BodyHistory(identity_key=identity_key, organ=rows[-1].organ, years=years)
