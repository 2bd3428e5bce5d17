"""Distinct text reports for the pipeline benchmark: one body (organ, administrative path) per file.

Most files are generated canonical reports (``tests/utils/gen.py``) rendered as text (``render_text``), each
with an organ no other file has; every fifth file is one of the committed seeds (``tests/samples/seeds``,
real-world layouts) with its body's name replaced by a new one throughout the text. So no two files are
the same content or the same body, and the parser sees both the generated and the real layouts.

As in a real inbox, most reports add up: three in five files are generated with tables that add up
(``gen.consistent``), one in five has random numbers (its arithmetic checks fail, so it is alerted), one in
five is a seed.
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "samples" / "seeds"
_TOWNS = "东西南北中上下前后大小新老长明安平和兴福康宁永清泰"


def _unique_town(index: int) -> str:
    """A two- or three-character place name no other index gets (stays Chinese text for the parser)."""
    first, rest = divmod(index, len(_TOWNS))
    second, third = divmod(first, len(_TOWNS))
    return _TOWNS[rest] + _TOWNS[third % len(_TOWNS)] + ("" if second == 0 else _TOWNS[second % len(_TOWNS)])


def _seed_variant(seed: Path, index: int) -> str:
    """The seed's text with its body (the last segment of its administrative path) renamed."""
    import json

    expected = json.loads(seed.with_name(seed.name.replace(".txt", ".expected.json")).read_text("utf-8"))
    text = seed.read_text("utf-8")
    old = expected["meta"]["organ_path"][-1]
    suffix = old[-1] if old[-1] in "镇乡局区县市" else ""
    stem = old[: -len(suffix)] if suffix else old
    return text.replace(stem, f"桥{_unique_town(index)}")


def report_texts(count: int, *, seed: int = 13) -> list[str]:
    """``count`` distinct report texts, each of a different body."""
    from tests.utils.gen import consistent, random_report
    from tests.utils.render_formats import render_text

    rng = random.Random(seed)
    seeds = sorted(SEEDS.glob("*.txt"))
    texts: list[str] = []
    organs: set[str] = set()
    while len(texts) < count:
        index = len(texts)
        if seeds and index % 5 == 4:
            texts.append(_seed_variant(seeds[(index // 5) % len(seeds)], index))
            continue
        report = random_report(rng)
        if index % 5 != 3:  # tables that add up (the others: random numbers, failing their sums)
            report = consistent(report)
        if report["organ"] in organs:  # the generator's names can repeat: one body per file
            continue
        organs.add(report["organ"])
        texts.append(render_text(report))
    return texts


def write_reports(texts: list[str], directory: Path, *, prefix: str = "report") -> list[Path]:
    """Write the texts as UTF-8 ``.txt`` files into ``directory`` (a staging folder beside the inbox)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, text in enumerate(texts):
        path = directory / f"{prefix}_{index:05d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def write_mixed(count: int, directory: Path, *, seed: int = 31) -> list[Path]:
    """``count`` generated reports of distinct bodies, half as ruled PDF and half as Word .docx (a real
    inbox is mostly those), three in five adding up as in ``report_texts``."""
    from tests.utils.gen import consistent, random_report
    from tests.utils.render_formats import render_docx, render_pdf

    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    organs: set[str] = set()
    paths: list[Path] = []
    while len(paths) < count:
        index = len(paths)
        report = random_report(rng)
        if index % 5 != 3:
            report = consistent(report)
        if report["organ"] in organs:
            continue
        organs.add(report["organ"])
        if index % 2:
            paths.append(render_docx(report, directory / f"mixed_{index:05d}.docx"))
        else:
            paths.append(render_pdf(report, directory / f"mixed_{index:05d}.pdf"))
    return paths
