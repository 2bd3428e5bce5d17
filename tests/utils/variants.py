"""Report variants for tests: a sample report changed so that a check fails (an alert can be due), or moved to another year."""

from __future__ import annotations


def with_t3_error(text: str) -> str:
    """A seed report with 3 new applications from natural persons (their row and the total): T3_BALANCE fails.

    The seeds report all zeros in table 三, so the new applications are never answered: an error finding.
    """
    lines = text.splitlines()
    label = next(i for i, line in enumerate(lines) if "本年新收政府信息公开申请数量" in line)
    values = [i for i in range(label + 1, label + 12) if lines[i].strip().isdigit()][:7]
    assert len(values) == 7, "seed layout changed"
    for i in (values[0], values[6]):  # natural_person and total
        lines[i] = lines[i].replace("0", "3")
    return "\n".join(lines) + "\n"


def year_variant(text: str, year: int, carried_forward: int | None = None) -> str:
    """A seed moved to ``year`` (title, period); optionally with 四、结转下年度 natural_person/total set."""
    text = text.replace("2023", str(year))
    if carried_forward is None:
        return text
    lines = text.splitlines()
    label = next(i for i, line in enumerate(lines) if "结转下年度继续办理" in line)
    cells = [i for i in range(label + 1, label + 12) if lines[i].strip().isdigit()][:7]
    lines[cells[0]] = lines[cells[0]].replace("0", str(carried_forward))
    lines[cells[6]] = lines[cells[6]].replace("0", str(carried_forward))
    return "\n".join(lines) + "\n"
