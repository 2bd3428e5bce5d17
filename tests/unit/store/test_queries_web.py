"""The read layer behind the web pages: facets, version comparison, a body across years, report text.

On real SQLite and PostgreSQL (``database_url``), over seeds really parsed, checked and stored.
"""

from __future__ import annotations

from tests.utils.stored import CLEAN, CORRECTED, SEEDS_DIR, _checked
from worker.parse.models import Location
from worker.rules.base import Finding, Severity
from worker.settings import Settings
from worker.store import crud, queries
from worker.store.db import session_scope
from worker.store.queries import ReportFilter, ReportSort, ReportStatus


def _counts(counts: list[queries.FacetCount]) -> dict[str, int]:
    return {c.value: c.count for c in counts}


def test_facets_count_every_value_under_the_other_filters(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    with session_scope(settings) as s:
        everything = queries.report_facets(s)
        errors_only = queries.report_facets(s, ReportFilter(status=ReportStatus.ERRORS))
        year_2023 = queries.report_facets(s, ReportFilter(year=2023, body="南口镇"))
    assert everything.total == 7
    assert _counts(everything.status) == {"ok": 1, "warnings": 4, "needs_review": 0, "errors": 2}
    assert _counts(everything.years) == {"2024": 1, "2023": 4, "2022": 1, "2020": 1}
    assert [c.value for c in everything.years] == ["2024", "2023", "2022", "2020"]  # newest first
    assert _counts(everything.templates) == {"2021": 5, "2019": 2}
    # a facet ignores its own filter: choosing "errors" still shows how many the other statuses have
    assert errors_only.total == 2 and _counts(errors_only.status) == _counts(everything.status)
    assert _counts(errors_only.years) == {"2024": 1, "2020": 1}
    assert year_2023.total == 2 and _counts(year_2023.years) == {"2023": 2, "2020": 1}
    assert year_2023.count_of("status", "warnings") == 2 and year_2023.count_of("status", "errors") == 0


def test_sort_by_errors(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    with session_scope(settings) as s:
        page = queries.list_reports(s, sort=ReportSort.ERRORS)
    counts = [r.error_count for r in page.items]
    assert counts == sorted(counts, reverse=True) and page.items[0].id in (ids["002"], ids["003"])


def test_compare_versions_new_fixed_unchanged_and_cells(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    with session_scope(settings) as s:
        same_body = queries.compare_versions(s, ids["000"], ids[CORRECTED])
        other = queries.compare_versions(s, ids["000"], ids["002"])
        assert queries.compare_versions(s, ids["000"], 999_999) is None
    assert same_body is not None and other is not None
    assert (same_body.a.id, same_body.b.id) == (ids["000"], ids[CORRECTED])
    assert [f.rule for f in same_body.fixed] == ["SEC6_FEE"] and same_body.new == []
    assert {f.rule for f in same_body.unchanged} == {"BLANK_CELL", "TITLE_MISSING", "PUB_AFTER_JAN31",
                                                     "PUB_AFTER_MAR31"}  # fmt: skip
    assert same_body.cells == []  # the same parse stored twice: no cell changed
    assert {f.rule for f in other.new} >= {"FMT_OLD_USED", "STRUCT_CELL_COUNT"}
    assert "TITLE_MISSING" in {f.rule for f in other.fixed}
    assert other.cells, "two different reports differ in some cell"
    keys = {(c.table, c.row, c.col) for c in other.cells}
    assert ("disclosure.art20_1", "rules", "issued") in keys  # 2021 column, absent in the 2019 report
    issued = next(c for c in other.cells if (c.table, c.row, c.col) == ("disclosure.art20_1", "rules", "issued"))
    assert issued.after_raw is None and issued.before_raw is not None


def test_compare_versions_matches_a_finding_by_place_not_line(settings: Settings) -> None:
    report, findings, _ = _checked(sorted(SEEDS_DIR.glob("*.txt"))[0].name)
    moved = [f.model_copy(update={"location": f.location.model_copy(update={"line": (f.location.line or 0) + 7})})
             if f.location else f for f in findings]  # fmt: skip
    extra = Finding(rule="T3_BALANCE", severity=Severity.ERROR, message="不平衡",
                    location=Location(table="applications", row="new", col="total"))  # fmt: skip
    with session_scope(settings) as s:
        a = crud.insert_report(s, report, list(findings), sha256="1" * 64, file_name="a.txt").id
        b = crud.insert_report(s, report, [*moved, extra], sha256="2" * 64, file_name="b.txt").id
        assert a is not None and b is not None
        comparison = queries.compare_versions(s, a, b)
    assert comparison is not None
    assert [f.rule for f in comparison.new] == ["T3_BALANCE"] and comparison.fixed == []
    assert len(comparison.unchanged) == len(findings)


def test_body_history_latest_version_per_year_figures_and_cross_year(settings: Settings, ids: dict[str, int]) -> None:
    report, _, _ = _checked(sorted(SEEDS_DIR.glob("*.txt"))[0].name)
    earlier = report.model_copy(update={"year": 2022})
    carry = Finding(rule="XY_CARRYOVER", severity=Severity.ERROR, message="上年结转与上一年结转下年度不一致",
                    location=Location(table="applications", row="carried_over", col="total"),
                    expected=4, actual=0)  # fmt: skip
    with session_scope(settings) as s:
        crud.insert_report(s, earlier, [], sha256="3" * 64, file_name="2022.txt")
        later = crud.insert_report(s, report.model_copy(update={"year": 2024}), [carry], sha256="4" * 64,
                                   file_name="2024.txt")  # fmt: skip
        history = queries.body_history(s, "将乐县/南口镇")
        assert queries.body_history(s, "没有这个主体") is None
    assert history is not None and history.organ
    assert [y.year for y in history.years] == [2022, 2023, 2024]
    y2023 = history.years[1]
    assert y2023.report.id == ids[CORRECTED] and y2023.versions == 2  # the latest of the two versions
    assert y2023.figures == {"received": 0, "answered": 0, "granted": 0, "reviews": 0, "litigation": 0}
    assert [f.rule for f in history.years[2].cross_year] == ["XY_CARRYOVER"]
    assert history.years[2].report.id == later.id and history.years[0].cross_year == []


def test_report_text_sections_and_excerpts(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    with session_scope(settings) as s:
        text = queries.report_text(s, ids["000"])
        assert queries.report_text(s, 999_999) is None
        assert queries.received_at(s, ids["000"]) is not None and queries.received_at(s, ids[CLEAN]) is None
    assert text is not None
    assert [sec.key for sec in text.sections] == ["overview", "disclosure", "applications", "reviews",
                                                  "problems", "other"]  # fmt: skip
    assert any(sec.text for sec in text.sections)
    excerpt = text.excerpt(2, around=1)
    assert [e.line for e in excerpt if e.focus] == [2] and all(abs(e.line - 2) <= 1 for e in excerpt)
    assert text.excerpt(None) == [] and text.excerpt(len(text.lines) + 5) == []
