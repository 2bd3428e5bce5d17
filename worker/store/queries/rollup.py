"""The regional roll-up: 二, 三 and 四 summed over the latest passing version of each body of a region.

The sums are checked like a report: a ``Report`` is built from them and the arithmetic rules (T3_*, T4_*) run
through ``worker.rules.run_checks``; sums of passing reports keep their arithmetic, so a finding here points
at a report that passed with a blank or at a template mixture.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from worker.parse.models import Cell, Report, Tables
from worker.rules import RULES, RuleContext, run_checks
from worker.store.models import CellValue, StoredReport
from worker.store.queries.bodies import list_bodies, region_segments
from worker.store.queries.registry_views import Rollup, RollupCell, RollupMember
from worker.store.queries.roster import region_versions

ARITHMETIC_PREFIXES = ("T3_", "T4_")
_CHUNK = 900  # ids per IN list (SQLite's variable limit)
_ONLY_ARITHMETIC = {code: "off" for code in RULES if not code.startswith(ARITHMETIC_PREFIXES)}


def _sums(session: Session, report_ids: Sequence[int]) -> list[RollupCell]:
    totals: dict[tuple[str, str, str], tuple[float, int]] = {}
    for start in range(0, len(report_ids), _CHUNK):
        chunk = list(report_ids[start : start + _CHUNK])
        stmt = (
            sa.select(col(CellValue.table_key), col(CellValue.row_key), col(CellValue.col_key),
                      func.sum(col(CellValue.value)),
                   func.count(col(CellValue.value)))
            .where(col(CellValue.report_id).in_(chunk))
            .group_by(col(CellValue.table_key), col(CellValue.row_key), col(CellValue.col_key))
        )  # fmt: skip
        for table, row, column, total, count in session.execute(stmt).all():
            if row.startswith("subtotal_"):
                continue  # report-specific subtotal rows: some reports print them, the sum would not add up
            value, reports = totals.get((table, row, column), (0.0, 0))
            totals[(table, row, column)] = (value + float(total or 0), reports + int(count))
    return [
        RollupCell(table=t, row=r, col=c, value=round(v, 4) if n else None, reports=n)
        for (t, r, c), (v, n) in sorted(totals.items())
    ]


def _number(value: float | None) -> int | float | None:
    return int(value) if value is not None and float(value).is_integer() else value


def rollup_report(region: str, year: int, template: str, cells: Sequence[RollupCell]) -> Report:
    """The sums as a ``Report`` (what the rules read)."""
    tables = Tables()
    for c in cells:
        cell = Cell(value=_number(c.value), raw="" if c.value is None else str(_number(c.value)))
        if c.table.startswith("disclosure."):
            tables.disclosure.setdefault(c.table.split(".", 1)[1], {}).setdefault(c.row, {})[c.col] = cell
        elif c.table in ("applications", "reviews"):
            getattr(tables, c.table).setdefault(c.row, {})[c.col] = cell
    return Report(organ=region, organ_path=region.split("/"), year=year, template=template,  # type: ignore[arg-type]
                  tables=tables)  # fmt: skip


def rollup(session: Session, *, region: str, year: int) -> Rollup:
    """The roll-up of ``region`` (whole path segments) for ``year``: members, missing bodies, sums, checks."""
    segments = region_segments(region)
    versions = region_versions(session, segments, year)
    included: list[RollupMember] = []
    missing: list[RollupMember] = []
    for body in list_bodies(session, region=region, year=year):
        mine = versions.get(body.id, [])
        latest = mine[-1] if mine else None
        passing = next((v for v in reversed(mine) if v.passes), None)
        member = RollupMember(
            body=body, report_id=passing.report_id if passing else None,
            latest_report_id=latest.report_id if latest else None, latest_fails=bool(latest and not latest.passes),
        )  # fmt: skip
        (included if passing else missing).append(member)
    ids = [m.report_id for m in included if m.report_id is not None]
    cells = _sums(session, ids)
    templates = Counter(
        t for start in range(0, len(ids), _CHUNK)
        for t in session.exec(select(StoredReport.template).where(col(StoredReport.id).in_(ids[start : start + _CHUNK])))
    )  # fmt: skip
    template = templates.most_common(1)[0][0] if templates else ("2021" if year >= 2021 else "2019")
    name = "/".join(segments)
    findings = run_checks(rollup_report(name, year, template, cells), RuleContext(severity_overrides=_ONLY_ARITHMETIC))
    return Rollup(region=name, year=year, template=template, included=included, missing=missing, cells=cells,
                  findings=findings)  # fmt: skip
