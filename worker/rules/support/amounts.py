"""Amount helpers shared by UNIT_FEE and UNIT_PROCUREMENT: the unit a cell is printed with, the plausible maximum."""

from __future__ import annotations

from worker.parse.models import Cell, Report

# 万元. Above this a single body's annual amount (行政事业性收费, 政府集中采购) is far more likely an amount in 元
# typed into a 万元 column: 10 000 万元 (1 亿元) for a township, 100 000 万元 (10 亿元) for any other body.
PLAUSIBLE_MAX_WAN = {"township": 10_000, "default": 100_000}


def printed_unit(cell: Cell) -> str | None:
    """The money unit printed with the value ("万元" or "元"; the parser's, else the cell text's); None if none."""
    if cell.unit:
        return cell.unit
    raw = cell.raw.replace(" ", "")
    return "万元" if raw.endswith("万元") else "元" if raw.endswith("元") else None


def plausible_max_wan(report: Report) -> int:
    """The largest plausible annual amount in 万元 for the report's body (``PLAUSIBLE_MAX_WAN``)."""
    return PLAUSIBLE_MAX_WAN.get(report.organ_level, PLAUSIBLE_MAX_WAN["default"])
