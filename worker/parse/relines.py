"""Re-lining: a report run together on one line (or a few long lines) split back into lines before sectioning.

A web crawler saves the body of a page as one line (or one line per block): section headings then run
inline with the text and the rows of a table follow each other on the same line. Only text lines at least
``RELINE_MIN_CHARS`` long (whitespace removed) are considered; every other line is left as it is. In such a
line a cut is made only:

* before and after a **section heading** whose numeral and wording are exactly a template heading
  (``vocab.SECTION_TITLES``: "二、主动公开政府信息情况"; an optional bracketed note such as "(依申请公开)" stays
  with it), preceded by the start of the line, a space, a sentence end (。;!?), a closing bracket or quote,
  or a digit (the end of a table), and followed by anything but a Chinese character (a space, a digit,
  punctuation, the end), or, for wordings of ``INLINE_TITLE_FREE_MIN`` characters or more, anything. The
  headings kept must also rise in number through the document (the same chain rule as ``sections.py``);
  so "坚持统一、规范" or "工作如下:一、总体情况良好" is never cut. In a long line only, the wording printed
  **without its numeral** is a heading too when only spaces, a sentence end or the line's ends touch it on
  both sides ("… 8905.9 收到和处理政府信息公开申请情况 (本列…": a heading cell run together); a wording in
  quotes or inside a sentence never is;
* inside the text of section 二, 三 or 四, before a **row label** of that table that follows a value
  ("规章 0 0 0 行政规范性文件 0 0 0" -> two rows; "…0 0 第二十条第(五)项 …" -> a new block), and in 二
  before a block's header ("信息内容 本年制发件数 …") so that its columns line up with its rows;
* after a sentence end (。;!?, or a colon) followed by a space: where the paragraphs of the page were joined;
* around a **title** near the start of the first long line ("XX镇2023年政府信息公开工作年度报告 根据…", also
  after a breadcrumb "首页 > … > 政府信息公开年报 XX镇2023年…年度报告 发布时间:…"), and around the
  **signature** at its end ("XX镇人民政府 2024年1月23日", "二〇二四年一月二十三日"; a page mark or
  "【打印本页】" may follow): organ and date each on a line, as the metadata reader expects them.

Line numbers of a re-lined report are those of the re-lined text (``Report.lines``); a ``relined`` parse
warning says so. A row read from re-lined text with fewer cells than its table's row has lost blank cells
when the text was run together (or, with more, took the numbers of rows whose labels were lost), so where
its numbers stand is a guess: ``mark_short_rows`` makes it ``ambiguous`` (never certain, never compared).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from worker.parse.applications import resolve_application_label
from worker.parse.labels import row_zh
from worker.parse.models import RowInfo
from worker.parse.normalise import normalise_line
from worker.parse.sections import classify_heading
from worker.parse.tokens import SourceRow
from worker.parse.values import parse_value
from worker.parse.vocab import (
    APPLICATION_COLUMNS,
    BLOCK_ANCHOR,
    DISCLOSURE_DEFAULT_COLUMNS,
    DISCLOSURE_ROW_LABELS,
    DISCLOSURE_ROWS,
    HEADER_INFO,
    INLINE_TITLE_FREE_MIN,
    RELINE_MIN_CHARS,
    REVIEW_CELLS,
    SECTION_NUMERALS,
    SECTION_TITLES,
    compact,
)

REASON_RUN_TOGETHER_ZH = "表格的文字和数字在连成一行的文本中连在一起（单元格之间没有分隔），无法读取"
REASON_RELINED_ZH = "的单元格数与表格不符（文本连成一行时空白单元格丢失或各行数字连在一起），无法确定各数值所在的列"
_SHOWN_ROWS = 3
_BEFORE_OK = set(" \t。;!?)」』\"】|") | set("0123456789")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOTE = r"(?:\s*\((?![一二三四五六七八九十]+\))[^()]{2,16}\))?"  # "(依申请公开)", never "(一)"
_HEADINGS = [
    (no, len(title), re.compile(rf"{SECTION_NUMERALS[no - 1]}[、.．]\s*{re.escape(title)}{_NOTE}"))
    for no, titles in SECTION_TITLES.items()
    for title in sorted(titles, key=len, reverse=True)
]
_NUMBERED = re.compile(rf"[{SECTION_NUMERALS}][、.．]")
_UNNUMBERED = [
    (no, len(title), re.compile(rf"(?:^|(?<=[\s。;!?])){re.escape(title)}{_NOTE}(?=\s|$)"))
    for no, titles in SECTION_TITLES.items()
    for title in sorted(titles, key=len, reverse=True)
]
_TITLE_END = re.compile(r"(?:工作年度报告|年度报告|年报)(?:\([^()]{1,12}\))?")
_TITLE_TOPIC = re.compile(r"信息公开|政务公开")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年|[〇零一二三四五六七八九]{4}年")
_TITLE_MAX = 60
_TITLE_SEARCH = 300
_SIGNATURE = re.compile(
    r"\s(\S{2,30}?(?:人民政府|办事处|委员会|办公室|局|厅|委|院|中心|政府))\s*"
    r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月"
    r"[一二三四五六七八九十]{1,3}日)(?:\s*[-—–―~]+\s*\d{1,4}\s*[-—–―~]+)?(?:\s*【[^】]{1,8}】)*\s*$"
)
_WORD = re.compile(r"\S+")
_PIPE_WORD = re.compile(r"[^\s|]+(?:\s+[^\s|]+)*")  # a cell of a pipe row: words up to the next pipe
_MD_SEPARATOR = re.compile(r"\|(?:\s*:?-{3,}:?\s*\|)+")
_MD_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")
_PARAGRAPH_END = re.compile(r"(?<=[。;!?:])\s+(?=\S)")
_ROW_PATTERNS = [re.compile(p) for rows in DISCLOSURE_ROWS.values() for p, _key, _t in rows]
_TABLE_SECTIONS = (2, 3, 4)
_DISCLOSURE_LABELS = {label for rows in DISCLOSURE_ROW_LABELS.values() for _key, labels in rows for label in labels}
_APP_ANCHOR = re.compile(r"本年新收")


@dataclass
class Relined:
    """The rows after re-lining and what was done."""

    rows: list[SourceRow]
    cut_lines: set[int] = field(default_factory=set)  # 1-based new lines cut out of a longer line
    inline_headings: set[int] = field(default_factory=set)  # 1-based new lines: headings found inline
    source_lines: int = 0  # how many source lines were re-split

    @property
    def changed(self) -> bool:
        return self.source_lines > 0


@dataclass(frozen=True)
class _Hit:
    row: int  # index of the source row
    start: int  # character offsets in its text
    end: int
    no: int
    inline: bool  # found inside a long line (else a heading line of its own)


def _is_long(row: SourceRow) -> bool:
    return row.cells is None and len(row.text) >= RELINE_MIN_CHARS and len(compact(row.text)) >= RELINE_MIN_CHARS


def _inline_hits(index: int, text: str, *, long: bool) -> list[_Hit]:
    """Template headings inside one line, with the boundaries of a heading on both sides.

    In a long line a wording printed without its numeral counts too, when nothing but a space, a sentence end
    or the line's ends touches it on either side (a heading cell or paragraph of its own, run together).
    """
    hits: dict[int, _Hit] = {}
    if not long and not _NUMBERED.search(text):
        return []  # no numeral of a heading: nothing to look for (most lines)
    if long:
        for no, _size, pattern in _UNNUMBERED:
            for m in pattern.finditer(text):
                hits.setdefault(m.start(), _Hit(index, m.start(), m.end(), no, True))
    for no, size, pattern in _HEADINGS:
        for m in pattern.finditer(text):
            if m.start() in hits:
                continue  # a longer wording of the same heading matched here already
            before = text[m.start() - 1] if m.start() else " "
            after = text[m.end()] if m.end() < len(text) else " "
            if before not in _BEFORE_OK:
                continue
            if _CJK.match(after) and size < INLINE_TITLE_FREE_MIN:
                continue
            hits[m.start()] = _Hit(index, m.start(), m.end(), no, True)
    return sorted(hits.values(), key=lambda h: h.start)


def _chain(cands: list[_Hit]) -> list[_Hit]:
    """The longest run of headings rising in number (headings of their own line preferred on a tie)."""
    n = len(cands)
    if not n:
        return []
    best = [(1, int(not c.inline)) for c in cands]
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if cands[j].no < cands[i].no:
                score = (best[j][0] + 1, best[j][1] + int(not cands[i].inline))
                if score > best[i]:
                    best[i], prev[i] = score, j
    end = max(range(n), key=lambda i: (best[i], -i))
    out: list[_Hit] = []
    while end != -1:
        out.append(cands[end])
        end = prev[end]
    return out[::-1]


def _own_line(text: str) -> bool:
    """A line that is a numbered section heading of its own (``sections.py`` reads it as it is)."""
    hit = classify_heading(text)
    return bool(hit and hit[1])


def _headings(rows: Sequence[SourceRow], long: set[int]) -> list[_Hit]:
    """The section headings of the text: heading lines of their own, and template headings inline.

    Without a long line or a heading's numeral inside a line there is nothing to cut: [] at once.
    """
    inline: dict[int, list[_Hit]] = {}
    for i, row in enumerate(rows):
        if row.cells is None and (i in long or _NUMBERED.search(row.text)):
            if hits := _inline_hits(i, row.text, long=i in long):
                inline[i] = hits
    if not long and all(_own_line(rows[i].text) for i in inline):
        return []
    cands: list[_Hit] = []
    for i, row in enumerate(rows):
        if row.cells is not None or not row.text.strip():
            continue
        if i not in long and (hit := classify_heading(row.text)) and hit[1]:
            cands.append(_Hit(i, 0, len(row.text), hit[0].no, False))
            continue
        cands.extend(inline.get(i, ()))
    return _chain(cands[:300])


def _title_cuts(text: str) -> list[int]:
    """Around the report's title near the start of the first long line: "…2023年…年度报告 根据…", also after
    a breadcrumb ("首页 > 政府信息公开年报 XX镇2023年…年度报告 发布时间:…")."""
    for m in _TITLE_END.finditer(text[:_TITLE_SEARCH]):
        if m.end() < len(text) and not text[m.end()].isspace():
            continue
        begin = max(text.rfind(" ", 0, m.start()), text.rfind(">", 0, m.start())) + 1
        for start in (0, begin):  # the title from the line's start, else from the last space before it
            head = text[start : m.end()]
            flat = compact(head)
            if len(flat) > _TITLE_MAX or "《" in flat or "。" in flat or ">" in flat:
                continue
            if _YEAR.search(head) and _TITLE_TOPIC.search(flat):
                return [start, m.end()]
    return []


def _signature_cuts(text: str) -> list[int]:
    """Before the signing organ, before its date and after it, at the end of the text (a page mark or a
    page's "【打印本页】" may follow)."""
    m = _SIGNATURE.search(text)
    return [m.start(1), m.start(2), m.end(2)] if m else []


def _value(word: str) -> bool:
    return bool(word) and parse_value(word).is_cell


def _known_label(section: int, label: str) -> bool:
    """Whether ``label`` (compacted text up to the next value) opens a row, block or header of the table."""
    if not label:
        return False
    if section == 2:
        return bool(
            BLOCK_ANCHOR.search(label)
            or HEADER_INFO.match(label[:4])
            or any(p.search(label) for p in _ROW_PATTERNS)
        )
    if section == 3:
        return resolve_application_label(label) is not None
    return False


def _row_cuts(section: int, text: str) -> list[int]:
    """Offsets in ``text`` (the table part of a long line) where a table row begins.

    Words are separated by spaces, or by pipes in a Markdown table run together; there a row is cut just
    after the pipe that closes the last value (the pipes after it open the next row's label columns, whose
    blanks are dropped), and a separator row (``|---|---|``) is cut out on its own.
    """
    if section not in _TABLE_SECTIONS or "\t" in text:
        return []
    piped = "|" in text
    words = [(m.start(), m.end(), m.group(0)) for m in (_PIPE_WORD if piped else _WORD).finditer(text)]
    cuts: list[int] = []
    if piped:
        for m in _MD_SEPARATOR.finditer(text):
            cuts.extend((m.start(), m.end()))
        words = [w for w in words if not _MD_SEPARATOR_CELL.match(w[2])]
    for k, (start, _end, word) in enumerate(words):
        if k == 0 or _value(word):
            continue
        prev_end, prev = words[k - 1][1], words[k - 1][2]
        if _value(prev):  # a label begins after a value: its words run to the next value (each run read once)
            label_words = []
            for _s, _e, w in words[k:]:
                if _value(w):
                    break
                label_words.append(w)
            label = compact("".join(label_words))
        if _value(prev) and _known_label(section, label):
            pipe = text.find("|", prev_end, start)
            cuts.append(pipe + 1 if pipe >= 0 else start)
        elif section == 2 and not _value(prev) and (HEADER_INFO.match(word) or BLOCK_ANCHOR.match(word)):
            cuts.append(start)  # a block's anchor or header after the anchor or a row label
        elif section == 2 and piped and " " in word and k + 1 < len(words) and _value(words[k + 1][2]):
            last = word.rsplit(" ", 1)[1]  # "数量 行政许可 | 2": a header cell and a row label run together
            if last in _DISCLOSURE_LABELS:
                cuts.append(start + len(word) - len(last))
    return cuts


def reline(rows: Sequence[SourceRow]) -> Relined:
    """Split the lines of ``rows`` as the module docstring says; every other row is kept as it is."""
    long = {i for i, row in enumerate(rows) if _is_long(row)}
    chain = _headings(rows, long)
    by_row: dict[int, list[_Hit]] = {}
    for hit in chain:
        if hit.inline:
            by_row.setdefault(hit.row, []).append(hit)
    if not long and not by_row:
        return Relined(list(rows))
    out = Relined([])
    section = 0
    first_long = min(long, default=-1)
    line_heading = {h.row: h.no for h in chain if not h.inline}
    for i, row in enumerate(rows):
        if i not in long and i not in by_row:
            section = line_heading.get(i, section)
            out.rows.append(row)
            continue
        pieces = _split_line(row.text, by_row.get(i, []), section, full=i in long, title=i == first_long)
        if len(pieces) > 1:
            out.source_lines += 1
        for text, heading_no, inline in pieces:
            if heading_no:
                section = heading_no
            out.rows.append(SourceRow(text, None, row.page))
            if len(pieces) > 1:
                out.cut_lines.add(len(out.rows))
                if inline:
                    out.inline_headings.add(len(out.rows))
    if not out.changed:
        return Relined(list(rows))
    return out


def _split_line(
    text: str, hits: list[_Hit], section: int, *, full: bool, title: bool
) -> list[tuple[str, int, bool]]:
    """(piece, section number when the piece is a heading else 0, heading found inline) in order.

    A short line is cut around its inline headings only; a long one (``full``) also into rows, paragraphs,
    title and signature.
    """
    marks: list[tuple[int, int, int]] = []  # (start, end, section no) of each heading
    for hit in hits:
        marks.append((hit.start, hit.end, hit.no))
    pieces: list[tuple[str, int, bool]] = []
    pos = 0
    bodies: list[tuple[int, int, int]] = []  # (start, end, section) of the text between headings
    for start, end, no in marks:
        bodies.append((pos, start, section))
        bodies.append((start, end, -no))
        section, pos = no, end
    bodies.append((pos, len(text), section))
    for start, end, sec in bodies:
        part = text[start:end]
        if not part.strip():
            continue
        if sec < 0:
            pieces.append((part.strip(), -sec, True))
            continue
        cuts = {0, len(part)}
        if not full:
            pieces.append((part.strip(), 0, False))
            continue
        if title and start == 0:
            cuts.update(_title_cuts(part))
        if end == len(text):
            cuts.update(_signature_cuts(part))
        if sec in _TABLE_SECTIONS:
            cuts.update(_row_cuts(sec, part))
        else:  # no heading names the table here (headings printed without numerals): its anchors do
            for table, anchor in ((2, BLOCK_ANCHOR), (3, _APP_ANCHOR)):
                if anchor.search(part):
                    cuts.update(_row_cuts(table, part))
        cuts.update(m.end() for m in _PARAGRAPH_END.finditer(part))
        edges = sorted(cuts)
        for a, b in zip(edges, edges[1:], strict=False):
            piece = normalise_line(part[a:b])  # a separator row cut out becomes empty, as on its own line
            if piece:
                pieces.append((piece, 0, False))
    return pieces


def _expected_cells(table: str, template: str) -> int | None:
    """How many cells a row of ``table`` has ("applications", "reviews", "disclosure.art20_1")."""
    if table == "applications":
        return len(APPLICATION_COLUMNS)
    if table == "reviews":
        return REVIEW_CELLS
    block = table.split(".", 1)[1] if table.startswith("disclosure.") else ""
    counts = [len(cols[block]) for t, cols in DISCLOSURE_DEFAULT_COLUMNS.items() if block in cols and
              (template not in ("2021", "2019") or t == template)]  # fmt: skip
    return max(counts) if counts else None


def _pipe_cells(line: str) -> list[str] | None:
    if "|" not in line or "\t" in line:
        return None
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _printed_cells(line: str) -> tuple[int, bool] | None:
    """(cells a pipe row prints after its last label cell, blanks included; whether one is blank)."""
    cells = _pipe_cells(line)
    if cells is None:
        return None
    labels = [i for i, c in enumerate(cells) if c and not parse_value(c).is_cell]
    rest = cells[labels[-1] + 1 :] if labels else cells
    return len(rest), any(not c for c in rest)


def _opens_blank(line: str) -> bool:
    """A pipe row that begins with a blank cell ("| | 二、上年结转…"): that blank may be the row above's."""
    cells = _pipe_cells(line)
    return cells is not None and bool(cells) and not cells[0]


def _template_columns(table: str, columns: set[str], template: str) -> bool:
    """Whether a 二 row's cells are under exactly the columns of its block in the template."""
    block = table.split(".", 1)[1]
    return any(
        set(cols[block]) == columns
        for t, cols in DISCLOSURE_DEFAULT_COLUMNS.items()
        if block in cols and (template not in ("2021", "2019") or t == template)
    )


def mark_short_rows(
    rows: Mapping[str, RowInfo],
    cells: Iterable[tuple[str, dict[str, dict[str, object]]]],
    relined: Relined,
    disclosure_template: str,
) -> list[str]:
    """Rows read from re-lined text with fewer or more cells than their table's row become ``ambiguous``.

    In a Markdown table run together the blanks survive between pipes, but where one row ends and the next
    begins does not: a pipe row that prints more cells after its label than the table has (or fewer than it
    was read with) is ambiguous too, whatever cells the reader took, and so is one with a blank cell when
    the next row begins with blanks (the blanks at the seam may be either row's). So is a row whose digits
    were split (``reconstructed``: "行政事业性收费 14" read as 1 and 4, or a 三 row whose split fits its
    total): in re-lined text the blank cells are lost, so a lost blank and two cells run together look the
    same, and the split that fits assumed no blank was lost. And so is a 二 row whose
    cells are not under exactly its block's columns in the template (a header cell run into its neighbour).

    Args:
        rows: the row infos (changed in place).
        cells: (row key, its cells as plain data) for every row, so their certainty follows.
        relined: what re-lining did (its rows and the lines cut out of a longer line).
        disclosure_template: the template of part 二 (the number of columns of its blocks depends on it).

    Returns:
        The row keys made ambiguous.
    """
    if not relined.cut_lines:
        return []
    by_key = dict(cells)
    changed: list[str] = []
    for key, info in rows.items():
        table = key.rpartition(".")[0]
        want = _expected_cells(table, disclosure_template)
        if want is None or info.line not in relined.cut_lines or info.cell_count == 0:
            continue
        forced = False
        printed = _printed_cells(relined.rows[info.line - 1].text)
        after = relined.rows[info.line].text if info.line + 1 in relined.cut_lines else ""
        if printed is not None and printed[1] and _opens_blank(after):
            forced = True  # blanks at the seam of two rows run together: whose they are is a guess
        forced = forced or info.certainty == "reconstructed"
        columns = set(by_key.get(key, {}))
        if table.startswith("disclosure.") and not _template_columns(table, columns, disclosure_template):
            forced = True  # a header run together with its neighbours: its columns are not the template's
        if info.cell_count == want and (printed is None or printed[0] <= want) and not forced:
            continue
        if info.certainty in ("exact", "ambiguous", "unreadable"):
            continue
        info.certainty = "ambiguous"
        for cell in by_key.get(key, {}).values():
            cell["certainty"] = "ambiguous"
        changed.append(key)
    return changed


def relined_reasons(keys: Sequence[str]) -> dict[str, str]:
    """Table key -> why it is not certain (Chinese), for the rows ``mark_short_rows`` made ambiguous."""
    by_table: dict[str, list[str]] = {}
    for key in keys:
        table, _, row = key.rpartition(".")
        by_table.setdefault(table, []).append(row)
    out = {}
    for table, rows in by_table.items():
        shown = "、".join(f"“{row_zh(table.split('.')[0], r)}”" for r in rows[:_SHOWN_ROWS])
        out[table] = f"{shown}{'等' if len(rows) > _SHOWN_ROWS else ''}行{REASON_RELINED_ZH}"
    return out


# A table's own words, all of which its text has when it is printed (compacted text): 二, 三, 四.
_TABLE_WORDS: dict[str, tuple[re.Pattern[str], ...]] = {
    "disclosure": (BLOCK_ANCHOR, re.compile(r"信息内容")),
    "applications": (re.compile(r"本年新收"), re.compile(r"予以公开"), re.compile(r"总计")),
    "reviews": (re.compile(r"行政复议"), re.compile(r"结果维持|尚未审结")),
}


def unreadable_tables(relined: Relined, without_numbers: Iterable[str]) -> dict[str, str]:
    """Tables of a re-lined text that hold no number read although their words are printed: table -> reason.

    A report run together with no separators at all ("规章000行政规范性文件000") has its tables, but no
    cell can be told from its label: the table is ``unreadable`` (TABLE_UNREADABLE, needs review), not
    missing (STRUCT_TABLE_MISSING is for a report that does not print it).
    """
    if not relined.changed:
        return {}
    text = compact("".join(r.text for r in relined.rows if r.cells is None))
    return {
        key: REASON_RUN_TOGETHER_ZH
        for key in without_numbers
        if key in _TABLE_WORDS and all(p.search(text) for p in _TABLE_WORDS[key])
    }
