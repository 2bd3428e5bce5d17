"""The pdfium reader against pdfplumber: same characters and ruling lines, same tables, same cell text.

``worker.extract.pdf_pdfium`` reads what pdfminer read (through pdfplumber) before, and
``worker.extract.pdf_tables`` is pdfplumber's table finder and cell text rewritten; each is compared here
with the pdfplumber original on the sample PDFs and on random edges and characters.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pdfplumber.table import TableFinder
from pdfplumber.utils.text import extract_text

from tests.utils.render_formats import render_pdf
from tests.utils.render_formats_layout import random_report
from worker.extract.pdf_pdfium import dedupe_chars, open_pdf, read_page
from worker.extract.pdf_tables import Edge, cell_text, find_tables

SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}


class _View:
    """The three page attributes pdfplumber's ``TableFinder`` and ``Table.extract`` read."""

    def __init__(self, vertical: list[Edge], horizontal: list[Edge], chars: list[dict[str, Any]]) -> None:
        self.bbox = (0.0, 0.0, 1000.0, 1000.0)
        self.chars = chars
        self.edges = [_edge(e, "v") for e in vertical] + [_edge(e, "h") for e in horizontal]


def _edge(e: Edge, orientation: str) -> dict[str, Any]:
    x0, top, x1, bottom = e
    return {"object_type": "line", "orientation": orientation, "x0": x0, "top": top, "x1": x1, "bottom": bottom,
            "doctop": top, "width": x1 - x0, "height": bottom - top}


def _pdfplumber_tables(vertical: list[Edge], horizontal: list[Edge], chars: list[dict[str, Any]]) -> list[Any]:
    tables = TableFinder(_View(vertical, horizontal, chars), SETTINGS).tables  # type: ignore[arg-type]
    return [(t.cells, t.bbox, [(r.cells, r.bbox) for r in t.rows], t.extract(x_tolerance=1.5, y_tolerance=3))
            for t in tables]


def _ours(vertical: list[Edge], horizontal: list[Edge], chars: list[dict[str, Any]]) -> list[Any]:
    out = []
    for t in find_tables(vertical, horizontal):
        texts = []
        for row in t.rows:
            values = []
            for cell in row.cells:
                if cell is None:
                    values.append(None)
                    continue
                inside = [c for c in chars if cell[0] <= (c["x0"] + c["x1"]) / 2 < cell[2]
                          and cell[1] <= (c["top"] + c["bottom"]) / 2 < cell[3]]
                values.append(cell_text(inside))
            texts.append(values)
        out.append((t.cells, t.bbox, [(r.cells, r.bbox) for r in t.rows], texts))
    return out


@pytest.fixture(scope="module")
def ruled_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_pdf(random_report(random.Random(3)), tmp_path_factory.mktemp("pdf") / "ruled.pdf")


def _assert_same(ours: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]]) -> None:
    """Each of ``ours`` pairs with one of ``theirs``: same first field, numbers within 0.02 pt (float32 in pdfium)."""
    assert len(ours) == len(theirs)
    left = list(theirs)
    for item in ours:
        match = next((t for t in left if t[0] == item[0]
                      and max(abs(x - y) for x, y in zip(item[1:], t[1:], strict=True)) < 0.02), None)
        assert match is not None, item
        left.remove(match)


@pytest.mark.parametrize("name", ["report_ruled.pdf", "report_aligned.pdf", "ruled"])
def test_pdfium_gives_pdfplumbers_characters_and_lines(name: str, samples: Path, ruled_pdf: Path) -> None:
    path = ruled_pdf if name == "ruled" else samples / name
    doc = open_pdf(path)
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            content = read_page(doc[index])
            ours = [(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], c["size"]) for c in content.chars]
            _assert_same(ours, [(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], c["size"]) for c in page.chars])
            mine = [("v", *e) for e in content.vertical] + [("h", *e) for e in content.horizontal]
            _assert_same(mine, [(e["orientation"], e["x0"], e["top"], e["x1"], e["bottom"]) for e in page.edges])
    doc.close()


@pytest.mark.parametrize("name", ["report_ruled.pdf", "ruled"])
def test_tables_and_cell_text_match_pdfplumber_on_pdf_pages(name: str, samples: Path, ruled_pdf: Path) -> None:
    path = ruled_pdf if name == "ruled" else samples / name
    doc = open_pdf(path)
    found = 0
    for index in range(len(doc)):
        content = read_page(doc[index])
        chars = dedupe_chars(content.chars)
        expected = _pdfplumber_tables(content.vertical, content.horizontal, chars)
        assert _ours(content.vertical, content.horizontal, chars) == expected
        found += sum(len(t[0]) for t in expected)
    doc.close()
    assert found > 100, "the sample has ruled tables"


def _random_grid(rng: random.Random) -> tuple[list[Edge], list[Edge]]:
    """Ruling lines of one or two tables with merged cells, jitter, split and duplicated segments."""
    vertical: list[Edge] = []
    horizontal: list[Edge] = []
    for origin in rng.sample([(20.0, 20.0), (30.0, 400.0), (300.0, 60.0)], rng.randint(1, 2)):
        xs = [origin[0]]
        for _ in range(rng.randint(1, 6)):
            xs.append(xs[-1] + rng.choice([2.5, 4.0, 20.0, 35.5, 60.0]))
        ys = [origin[1]]
        for _ in range(rng.randint(1, 7)):
            ys.append(ys[-1] + rng.choice([3.5, 12.0, 18.3, 25.0]))
        for y in ys:
            cuts = sorted(rng.sample(xs, min(len(xs), rng.randint(2, len(xs)))))
            for x0, x1 in zip(cuts, cuts[1:], strict=False):
                j = rng.uniform(-1.5, 1.5) if rng.random() < 0.3 else 0.0
                horizontal.append((x0 + rng.choice([0.0, 0.0, 2.0, 4.0]), y + j, x1, y + j))
                if rng.random() < 0.2:
                    horizontal.append((x0, y, x1 + 1.0, y))
        for x in xs:
            cuts = sorted(rng.sample(ys, min(len(ys), rng.randint(2, len(ys)))))
            for y0, y1 in zip(cuts, cuts[1:], strict=False):
                j = rng.uniform(-1.5, 1.5) if rng.random() < 0.3 else 0.0
                vertical.append((x + j, y0, x + j, y1 - rng.choice([0.0, 0.0, 2.5, 5.0])))
    rng.shuffle(vertical)
    rng.shuffle(horizontal)
    return vertical, horizontal


def _random_chars(rng: random.Random, n: int) -> list[dict[str, Any]]:
    chars = []
    for _ in range(n):
        x0 = rng.uniform(0, 400)
        top = rng.choice([rng.uniform(0, 500), round(rng.uniform(0, 500) / 12) * 12 + rng.choice([0.0, 0.5, 2.9, 3.1])])
        width = rng.choice([4.0, 8.0, 10.5])
        chars.append({"text": rng.choice("总计 12,3本年ﬁx\u3000"), "x0": x0, "x1": x0 + width, "top": top,
                      "bottom": top + width, "doctop": top, "size": width, "upright": True})
    return chars


@pytest.mark.parametrize("seed", range(60))
def test_tables_match_pdfplumber_on_random_rulings(seed: int) -> None:
    rng = random.Random(seed)
    vertical, horizontal = _random_grid(rng)
    chars = _random_chars(rng, 300)
    assert _ours(vertical, horizontal, chars) == _pdfplumber_tables(vertical, horizontal, chars)


@pytest.mark.parametrize("seed", range(200))
def test_cell_text_matches_pdfplumber(seed: int) -> None:
    rng = random.Random(seed)
    chars = _random_chars(rng, rng.randint(1, 40))
    if seed % 3 == 0:  # a cell's usual shape: a few lines of glyphs side by side
        x, top = 10.0, 10.0
        for ch in chars:
            if rng.random() < 0.15:
                x, top = 10.0 + rng.choice([0.0, 0.7]), top + rng.choice([2.0, 3.0, 3.5, 12.0])
            ch.update(x0=x, x1=x + 8.0, top=top + rng.choice([0.0, 0.0, 0.4]), bottom=top + 8.0)
            x += 8.0 + rng.choice([0.0, 0.0, 1.0, 1.6, 5.0, -3.0])
    assert cell_text(chars) == extract_text(chars, x_tolerance=1.5, y_tolerance=3)


def test_rotated_characters_are_left_to_pdfplumber() -> None:
    chars = _random_chars(random.Random(1), 12)
    chars[3]["upright"] = False
    assert cell_text(chars) == extract_text(chars, x_tolerance=1.5, y_tolerance=3)


def test_dedupe_matches_pdfplumber() -> None:
    from pdfplumber.utils.text import dedupe_chars as theirs

    rng = random.Random(5)
    chars = _random_chars(rng, 400)
    for ch in rng.sample(chars, 150):  # fake bold: the same glyph drawn again, slightly offset
        top = ch["top"] + rng.uniform(0, 1.2)
        chars.append({**ch, "x0": ch["x0"] + rng.uniform(0, 1.2), "top": top, "doctop": top})
    for ch in chars:
        ch["fontname"] = "F1"
    assert dedupe_chars(chars) == theirs(chars, extra_attrs=("size",))
