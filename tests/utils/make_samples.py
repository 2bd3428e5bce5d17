"""Write the fixture corpus tests/samples/<name>.txt + <name>.expected.json from known models.

Run ``python -m tests.utils.make_samples`` to regenerate. The expected JSON is the *model* (plus the
sections the renderer printed), never the parser's output; quirk samples apply explicit edits to the
rendered text and to the model alike (subtotal rows, a label split across two rows, a 16-cell 四 row,
unnumbered headings, 元 units, placeholders). Each sample's quirk is in ``SAMPLES`` below.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.utils.gen import APP_COLS, random_report
from tests.utils.render_text import render_with_sections

OUT = Path(__file__).resolve().parents[1] / "samples"
Edit = Callable[[list[str], dict[str, Any], random.Random], None]


def _find(lines: list[str], needle: str, start: int = 0) -> int:
    return next(i for i in range(start, len(lines)) if needle in lines[i])


def _shift_sections(model: dict[str, Any], at: int, by: int) -> None:
    """Lines were inserted at 0-based index ``at``: move the sections printed after it."""
    for sec in model["sections"]:
        if sec["line"] - 1 >= at:
            sec["line"] += by


def _subtotals(lines: list[str], model: dict[str, Any], rng: random.Random) -> None:
    """Insert report-specific subtotal rows for （三）..（六） (tab layout, clean style)."""
    apps = model["tables"]["applications"]
    groups = {
        "withheld": ("（三）不予公开", [k for k in apps if k.startswith("withheld_")]),
        "unavailable": ("（四）无法提供", [k for k in apps if k.startswith("unavailable_")]),
        "rejected": ("（五）不予处理", [k for k in apps if k.startswith("rejected_")]),
        "other": ("（六）其他处理", [k for k in apps if k.startswith("other_")]),
    }
    for key, (label, rows) in groups.items():
        sums = {c: sum(apps[r][c] or 0 for r in rows) for c in APP_COLS}
        at = _find(lines, label)
        lines.insert(at, label + "\t" + "\t".join(str(v) for v in sums.values()))
        _shift_sections(model, at, 1)
        apps[f"subtotal_{key}"] = sums


def _two_row_label(lines: list[str], model: dict[str, Any], rng: random.Random) -> None:
    """Seed 001: "(四)" / "1.本机关不掌握相关" / 7 values / "无法提供" / "政府信息" / the same 7 values."""
    at = _find(lines, "\t（四）无法提供")
    assert lines[at + 1] == "\t1.本机关不掌握相关政府信息"
    values = lines[at + 2 : at + 9]
    lines[at : at + 9] = ["\t(四)", "\t1.本机关不掌握相关", *values, " \t无法提供", "\t政府信息", *values]
    _shift_sections(model, at + 1, 9)


def _sixteen_and_shift(lines: list[str], model: dict[str, Any], rng: random.Random) -> None:
    """Seed 002: a 四 row with a 16th cell, and row 5 of （五） shifted into the first column."""
    header = _find(lines, "结果维持", _find(lines, "行政复议") + 1)
    cells = lines[header + 2].split("\t")  # the values row follows the two header rows
    if not cells[0]:  # a blank first cell next to an extra 16th would be ambiguous: print a number
        cells[0] = "3"
        model["tables"]["reviews"]["review"]["upheld"] = 3
    lines[header + 2] = "\t".join([*cells, "0"])
    at = _find(lines, "5.要求行政机关确认或重新出具已获取信息")
    cells = lines[at].split("\t")
    values = [c for c in cells[cells.index("5.要求行政机关确认或重新出具已获取信息") + 1 :]]
    lines[at] = "5.要求行政机关确认或重新出具已获取信息\t\t" + "\t".join(values[:7]) + "\t"


def _unnumbered(lines: list[str], model: dict[str, Any], rng: random.Random) -> None:
    """Headings without numerals, and the signing date in Chinese numerals."""
    for sec in model["sections"]:
        i = sec["line"] - 1
        lines[i] = lines[i].split("、", 1)[1]
        sec["title"] = lines[i]
    y, m, d = (int(x) for x in model["meta"]["published"].split("-"))
    digits = "〇一二三四五六七八九"

    def cn(n: int) -> str:
        return ("" if n < 10 else ("十" if n < 20 else digits[n // 10] + "十")) + (
            digits[n % 10] if n % 10 or n < 10 else ""
        )

    at = _find(lines, f"{y}年{m}月{d}日")
    lines[at] = "".join(digits[int(c)] for c in str(y)) + f"年{cn(m)}月{cn(d)}日"


def _fee_in_yuan(lines: list[str], model: dict[str, Any], rng: random.Random) -> None:
    """The fee amount printed with a trailing 元, and thousands separators."""
    at = _find(lines, "行政事业性收费")
    model["tables"]["disclosure"]["art20_8"]["fees"]["amount_wan"] = 1234
    cells = lines[at].split("|")
    cells[2] = " 1,234元 "
    lines[at] = "|".join(cells)


def _mixed(model: dict[str, Any], rng: random.Random) -> None:
    other = random_report(rng, template="2019")
    model["tables"]["disclosure"] = other["tables"]["disclosure"]
    model["template"] = "mixed"
    model["meta"]["template_parts"] = {"disclosure": "2019", "applications": "2021"}


# name -> (seed, template, layout, options, model edit, text edit)
SAMPLES: dict[str, tuple[int, str, str, dict[str, Any], Any, Edit | None]] = {
    "t2021_tab_seed002style": (101, "2021", "tab", {"style": "seed002"}, None, None),
    "t2021_tab_clean_noise": (102, "2021", "tab", {"style": "clean", "noise": True}, None, None),
    "t2021_cells_split": (103, "2021", "cells", {"split_labels": True}, None, None),
    "t2021_cells_blanks": (104, "2021", "cells", {"blank_rate": 0.25}, None, None),
    "t2021_pipe": (105, "2021", "pipe", {}, None, None),
    "t2021_pipe_noise_split": (106, "2021", "pipe", {"noise": True, "split_labels": True}, None, None),
    "t2021_spaced": (107, "2021", "spaced", {}, None, None),
    "t2021_spaced_placeholders": (108, "2021", "spaced", {"blank_rate": 0.3, "noise": True}, None, None),
    "t2019_tab_seed002style": (201, "2019", "tab", {"style": "seed002"}, None, None),
    "t2019_cells": (202, "2019", "cells", {}, None, None),
    "t2019_cells_split_noise": (203, "2019", "cells", {"split_labels": True, "noise": True}, None, None),
    "t2019_pipe_blanks": (204, "2019", "pipe", {"blank_rate": 0.2}, None, None),
    "t2019_spaced_split": (205, "2019", "spaced", {"split_labels": True}, None, None),
    "mixed_tab": (301, "2021", "tab", {"style": "clean"}, _mixed, None),
    "mixed_cells": (302, "2021", "cells", {}, _mixed, None),
    "quirk_subtotal_rows": (401, "2021", "tab", {"style": "clean"}, None, _subtotals),
    "quirk_label_split_two_rows": (402, "2021", "cells", {}, None, _two_row_label),
    "quirk_sixteen_cells_shifted": (403, "2019", "tab", {"style": "seed002"}, None, _sixteen_and_shift),
    "quirk_unnumbered_headings": (404, "2021", "tab", {"style": "clean"}, None, _unnumbered),
    "quirk_fee_in_yuan": (405, "2021", "pipe", {}, None, _fee_in_yuan),
    "quirk_department_2019": (406, "2019", "cells", {"department": True}, None, None),
}


def build(name: str) -> tuple[str, dict[str, Any]]:
    seed, template, layout, options, model_edit, text_edit = SAMPLES[name]
    rng = random.Random(seed)
    options = dict(options)
    blank_rate = options.pop("blank_rate", 0.05)
    department = options.pop("department", False)
    model = random_report(rng, template=template, blank_rate=blank_rate)
    while department and model["meta"]["organ_level"] != "county_department":
        model = random_report(rng, template=template, blank_rate=blank_rate)
    if model_edit:
        model_edit(model, rng)
    text, sections = render_with_sections(model, layout, rng=rng, **options)
    model["sections"] = sections
    model["meta"]["title"] = f"{model['organ']}{model['year']}年政府信息公开工作年度报告"
    if text_edit:
        lines = text.split("\n")
        model = copy.deepcopy(model)
        text_edit(lines, model, rng)
        text = "\n".join(lines)
    return text, model


def main() -> None:
    for name in SAMPLES:
        text, model = build(name)
        (OUT / f"{name}.txt").write_text(text, encoding="utf-8")
        (OUT / f"{name}.expected.json").write_text(
            json.dumps(model, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
