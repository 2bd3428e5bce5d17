"""Recognise: tokens -> the pydantic ``Report`` (sections, tables, template, metadata).

Sections are found by keywords and order (``sections.py``); each table is read from its section's region
(``tables.py``), or, when a heading is missing, from the region its anchors point at; metadata comes from
``meta.py``. What was skipped or guessed is a ``ParseWarning``; only text with nothing report-like in it
raises ``ParseError``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from worker.errors import ParseError
from worker.parse.certainty import REASON_UNRECOGNISED_ZH, table_reads
from worker.parse.floating import REASON_FLOATING_ZH, mark_rows, reattach_applications, reattach_disclosure
from worker.parse.meta import find_meta
from worker.parse.models import ParseWarning, Report, Section, TableRead, Tables
from worker.parse.relines import mark_short_rows, reline, relined_reasons, unreadable_tables
from worker.parse.sections import SectionHit, find_sections
from worker.parse.tables import TableResult, parse_applications, parse_disclosure, parse_reviews
from worker.parse.template import combine, part_template
from worker.parse.tokens import Heading, Prose, SourceRow, TableRow, Token, tokenize
from worker.parse.values import parse_value
from worker.parse.vocab import APPLICATION_ROWS, BLOCK_ANCHOR, compact

_APP_ANCHOR = re.compile(r"本年新收")
_REVIEW_ANCHOR = re.compile(r"行政复议")


def _region(
    hits: dict[str, SectionHit],
    ends: dict[str, int],
    key: str,
    tokens: Sequence[Token],
    fallback: re.Pattern[str],
    *,
    after: int = 0,
) -> tuple[int, int] | None:
    """(first, last) 1-based lines of a table's region: its section, else around its anchor."""
    if key in hits:
        return hits[key].line + 1, ends[key]
    for tok in tokens:
        if tok.line <= after:
            continue
        if fallback.search(compact(_text(tok))):
            later = [h.line for h in hits.values() if h.line > tok.line]
            start = tok.line - (12 if key == "applications" else 0)
            return max(start, after + 1), (min(later) - 1 if later else len(tokens))
    return None


def _text(tok: Token) -> str:
    if isinstance(tok, TableRow):
        return "\t".join(tok.cells)
    if isinstance(tok, Prose):
        return tok.text
    return ""


def recognise(rows: Sequence[SourceRow], *, source: str | None = None) -> Report:
    """Build a ``Report`` from normalised source rows (one per line).

    Raises:
        ParseError: nothing report-like (no section heading, no table, no title) was found.
    """
    relined = reline(rows)  # a report run together on one line (or a few long lines): split back
    rows = relined.rows
    tokens = tokenize(rows)
    lines = [r.text if r.cells is None else "\t".join(r.cells) for r in rows]
    chain = find_sections(tokens)
    hits = {h.key: h for h in chain}
    ends: dict[str, int] = {}
    for i, hit in enumerate(chain):
        ends[hit.key] = chain[i + 1].line - 1 if i + 1 < len(chain) else len(tokens)

    def span(region: tuple[int, int] | None) -> list[Token]:
        return [] if region is None else list(tokens[region[0] - 1 : region[1]])

    r2 = _region(hits, ends, "disclosure", tokens, BLOCK_ANCHOR)
    r3 = _region(
        hits, ends, "applications", tokens, _APP_ANCHOR, after=r2[0] if r2 and "disclosure" in hits else 0
    )
    r4 = _region(hits, ends, "reviews", tokens, _REVIEW_ANCHOR, after=r3[1] if r3 else 0)
    floating2 = reattach_disclosure(span(r2))  # labels separated from their numbers (PDF to Markdown)
    disclosure = parse_disclosure(floating2.tokens)
    floating = reattach_applications(span(r3))
    applications = parse_applications(floating.tokens)
    reviews = parse_reviews(span(r4))

    has_tables = bool(disclosure.blocks or applications.grid or reviews.grid)
    first_table = min((r[0] for r in (r2, r3, r4) if r), default=None)
    meta = find_meta(lines, first_section_line=chain[0].line if chain else None, table_start=first_table)
    if not chain and not has_tables and meta.title is None:
        raise ParseError(
            "not an annual report: no section headings, no 二/三/四 table and no title found", path=source
        )

    warnings: list[ParseWarning] = []
    if relined.changed:
        warnings.append(ParseWarning(
            code="relined",
            message=f"text run together: {relined.source_lines} line(s) re-split into {len(relined.cut_lines)}"
            " lines (line numbers are those of the re-split text)",
        ))  # fmt: skip
    for res, name in ((disclosure, "二"), (applications, "三"), (reviews, "四")):
        warnings.extend(res.warnings)
        if not (res.blocks or res.grid):
            warnings.append(ParseWarning(code="table_missing", message=f"section {name} table not found"))
    for spec_no, key in ((1, "overview"), (2, "disclosure"), (3, "applications"), (4, "reviews"),
                         (5, "problems"), (6, "other")):  # fmt: skip
        if key not in hits:
            warnings.append(
                ParseWarning(code="section_missing", message=f"section {spec_no} ({key}) not found")
            )

    parts = {
        "disclosure": part_template(disclosure.scores),
        "applications": part_template(applications.scores),
    }
    missing = _missing_rows(applications, parts["applications"])
    warnings.extend(missing)
    row_infos = {**disclosure.rows, **applications.rows, **reviews.rows}
    cells = _row_cells(disclosure, applications, reviews)
    short = mark_short_rows(row_infos, cells, relined, parts["disclosure"])
    floats = [*mark_rows(row_infos, cells, floating, "applications"), *mark_rows(row_infos, cells, floating2, "disclosure")]
    unsure = {"applications": REASON_UNRECOGNISED_ZH} if missing and applications.unrecognised else {}
    unsure.update(dict.fromkeys(floats, REASON_FLOATING_ZH))
    reads = table_reads(row_infos, unsure=unsure)
    reasons = relined_reasons(short)
    reasons.update(dict.fromkeys(floats, REASON_FLOATING_ZH))
    for table, reason in reasons.items():  # why a table is not certain when it is re-lining or floating labels
        if table in reads and not reads[table].is_certain:
            reads[table].reason_zh = reason
    empty = [k for k, res in (("disclosure", disclosure), ("applications", applications), ("reviews", reviews))
             if not _has_numbers(res)]  # fmt: skip
    for table, reason in unreadable_tables(relined, empty).items():  # printed, but run together past reading
        reads[table] = TableRead(table=table, certainty="unreadable", reason_zh=reason)
    scores = {f"{part}.{t}": s for part, res in (("disclosure", disclosure), ("applications", applications))
              for t, s in res.scores.items()}  # fmt: skip
    sections = [
        Section(no=h.no, key=h.key, title=h.title, line=h.line, end_line=ends[h.key],
                text=_section_text(tokens, h.line, ends[h.key]),
                found="inline" if h.line in relined.inline_headings else "line")
        for h in chain
    ]  # fmt: skip
    return Report(
        source=source,
        organ=meta.organ,
        organ_path=meta.organ_path,
        organ_level=meta.organ_level,  # type: ignore[arg-type]
        year=meta.title_year or meta.period_year,
        title=meta.title,
        title_line=meta.title_line,
        title_year=meta.title_year,
        period_year=meta.period_year,
        published=meta.published,
        published_line=meta.published_line,
        template=combine(parts),
        template_scores=scores,
        template_parts=parts,
        sections=sections,
        tables=Tables.model_validate(
            {"disclosure": disclosure.blocks, "applications": applications.grid, "reviews": reviews.grid}
        ),
        rows=row_infos,
        table_reads=reads,
        lines=list(lines),
        warnings=warnings,
    )


def _has_numbers(res: TableResult) -> bool:
    """Whether a table reader read at least one number (blank cells and placeholders are not numbers)."""
    grids = [*res.blocks.values(), res.grid]
    return any(cell["value"] is not None for grid in grids for cols in grid.values() for cell in cols.values())


def _row_cells(
    disclosure: TableResult, applications: TableResult, reviews: TableResult
) -> list[tuple[str, dict[str, dict[str, object]]]]:
    """(row key of ``Report.rows``, its cells) for every table row (四's one row holds all 15 cells)."""
    out: list[tuple[str, dict[str, dict[str, object]]]] = [
        (f"disclosure.{block}.{row}", cells) for block, rows in disclosure.blocks.items()
        for row, cells in rows.items()
    ]  # fmt: skip
    out.extend((f"applications.{row}", cells) for row, cells in applications.grid.items())
    out.append(("reviews.review", {f"{r}.{c}": cell for r, cols in reviews.grid.items() for c, cell in cols.items()}))
    return out


def _missing_rows(applications: TableResult, template: str) -> list[ParseWarning]:
    """三 rows of the detected template that the report does not have (absent, not blank)."""
    if not applications.grid or template not in ("2021", "2019"):
        return []
    wanted = [
        r.key
        for r in APPLICATION_ROWS
        if template in r.templates and (not r.is_group or (r.key == "other" and template == "2019"))
    ]
    missing = [k for k in wanted if k not in applications.grid]
    if not missing:
        return []
    return [ParseWarning(code="rows_missing", message="三: rows not found: " + ", ".join(missing))]


def _section_text(tokens: Sequence[Token], start: int, end: int) -> str:
    """The prose of a section (heading and table cells excluded)."""
    out = [
        t.text for t in tokens[start:end] if isinstance(t, Prose | Heading) and t.text and not _is_flat_row(t)
    ]
    return "\n".join(out)


def _is_flat_row(tok: Prose) -> bool:
    """A table row flattened with single spaces ("规章 0 0 0"): table cells, not prose."""
    words = tok.words
    return len(words) >= 3 and sum(parse_value(w).is_cell for w in words) >= 2


__all__ = ["TableResult", "recognise"]
