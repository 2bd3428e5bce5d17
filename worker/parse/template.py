"""Template detection, scored separately for 二 (column labels) and 三 (shape of row （六）).

Each part is ``2021``, ``2019``, ``mixed`` (evidence of both, equally) or ``unknown`` (no evidence). The
report's template combines the parts: one part known and the other unknown gives the known one; 2019 in
one part and 2021 in the other gives ``mixed``.
"""

from __future__ import annotations

from worker.parse.models import Template


def part_template(scores: dict[str, float]) -> Template:
    """The template one part's scores point at."""
    s21, s19 = scores.get("2021", 0.0), scores.get("2019", 0.0)
    if s21 == 0 and s19 == 0:
        return "unknown"
    if s21 > s19:
        return "2021"
    if s19 > s21:
        return "2019"
    return "mixed"


def combine(parts: dict[str, Template]) -> Template:
    """The report's template from its parts."""
    known = {t for t in parts.values() if t != "unknown"}
    if not known:
        return "unknown"
    if "mixed" in known or len(known) > 1:
        return "mixed"
    return known.pop()
