"""Issue 11: certainty of every table read, labels by place and likeness, unique splits of run-together digits."""

from __future__ import annotations

import time

from tests.rules.factories import clean_spec
from tests.rules.render import render
from worker.parse import parse_text
from worker.parse.digits import (
    MAX_CELL_DIGITS,
    MAX_NODES,
    MAX_SPLITS,
    Piece,
    _last_group_holds,
    _search,
    count_splits,
    narrow_by_columns,
    piece,
    read_row,
    readings,
    review_groups_hold,
    row_total_holds,
    splits,
    unique_split,
)
from worker.parse.models import Cell, Report, RowInfo, TableRead, Tables
from worker.parse.values import parse_value
from worker.rules import run_checks
from worker.rules.status import ReportStatus, report_status

CLEAN = render(clean_spec())
NUMBER_RULES = ("T3_", "T4_", "BLANK_CELL", "NUM_TYPE", "STRUCT_CELL_COUNT", "TXT_TABLE_MISMATCH", "XY_")


def _row(text: str, label: str, cells: str) -> str:
    """``text`` with the values of the 三 row ``label`` replaced by ``cells`` (one tab after the label)."""
    out = []
    for line in text.split("\n"):
        parts = line.split("\t")
        if label in parts:
            line = "\t".join([*parts[: parts.index(label) + 1], cells])
        out.append(line)
    return "\n".join(out)


def test_clean_text_is_read_separated_and_ok() -> None:
    report = parse_text(CLEAN)
    assert {r.certainty for r in report.table_reads.values()} == {"separated"}
    assert report.is_certain("applications") and report.is_certain("applications", "granted")
    assert report_status(report, run_checks(report)) is ReportStatus.OK


def test_a_row_is_uncertain_by_its_row_info_or_by_any_of_its_cells() -> None:
    report = Report(
        tables=Tables(
            applications={
                "granted": {"total": Cell(value=1, certainty="ambiguous")},
                "new": {"total": Cell(value=1)},
            },
            disclosure={"art20_1": {"rules": {"issued": Cell(value=2, certainty="reconstructed")}}},
        ),
        rows={
            "applications.new": RowInfo(label="本年新收", cell_count=7, certainty="ambiguous"),
            "applications.partial": RowInfo(label="部分公开", cell_count=7),
        },
        table_reads={"reviews": TableRead(table="reviews", certainty="ambiguous")},
    )
    assert report.uncertain_rows == {"applications.granted", "applications.new"}
    assert not report.is_certain("applications", "granted") and not report.is_certain("applications", "new")
    assert report.is_certain("applications", "partial") and report.is_certain("disclosure.art20_1", "rules")
    assert report.is_certain("applications")  # no TableRead: a table built by hand counts as certain
    assert not report.is_certain("reviews") and report.is_certain("reviews", "review")  # a row asks its own


def test_label_with_characters_wrong_in_its_place_is_read_with_a_warning() -> None:
    report = parse_text(CLEAN.replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开"))
    assert report.cell("applications", "withheld_law", "natural_person").value == 1  # type: ignore[union-attr]
    assert report.rows["applications.withheld_law"].label_match == "fuzzy"
    fuzzy = [w for w in report.warnings if w.code == "label_fuzzy"]
    assert len(fuzzy) == 1 and "2.其他法律行政止公开" in fuzzy[0].message
    assert not [w for w in report.warnings if w.code in ("row_unrecognised", "rows_missing")]
    assert [f.rule for f in run_checks(report)] == []


def test_label_matching_nothing_stays_unrecognised() -> None:
    report = parse_text(CLEAN.replace("2.其他法律行政法规禁止公开", "2.完全不同的一行文字"))
    assert "withheld_law" not in report.tables.applications
    assert any(w.code == "row_unrecognised" for w in report.warnings)
    assert not report.is_certain("applications")  # its numbers may be the missing row's


def test_unique_digit_split_is_accepted() -> None:
    report = parse_text(_row(CLEAN, "（一）予以公开", "102000012"))
    granted = report.tables.applications["granted"]
    assert [c.value for c in granted.values()] == [10, 2, 0, 0, 0, 0, 12]
    assert {c.certainty for c in granted.values()} == {"reconstructed"}
    assert report.table_reads["applications"].certainty == "reconstructed"
    assert report.is_certain("applications", "granted")
    assert [f.rule for f in run_checks(report)] == []


def test_partly_spaced_digits_split_uniquely() -> None:
    assert unique_split(["10", "0", "00", "0", "1"], 7, row_total_holds)[0] == (1, 0, 0, 0, 0, 0, 1)
    assert unique_split(["3000003"], 7, row_total_holds)[0] == (3, 0, 0, 0, 0, 0, 3)


def test_ambiguous_digit_split_is_not_accepted() -> None:
    split, candidates = unique_split(["101000011"], 7, row_total_holds)
    assert split is None and len(candidates) == 2
    report = parse_text(_row(CLEAN, "（一）予以公开", "101000011"))
    assert report.rows["applications.granted"].certainty == "ambiguous"
    assert not report.is_certain("applications") and not report.is_certain("applications", "granted")


def test_unreadable_table_yields_one_finding_and_no_arithmetic() -> None:
    # 10 1 0 0 0 0 11 does not add up to 12 in （七）总计: had the guess been compared, T3_* would fire
    report = parse_text(_row(CLEAN, "（一）予以公开", "101000011"))
    findings = run_checks(report)
    assert [f.rule for f in findings] == ["TABLE_UNREADABLE"]
    assert (
        "（一）予以公开" in findings[0].message and "请提供 .docx/.pdf 原件或人工核对" in findings[0].message
    )
    assert findings[0].needs_review and not findings[0].is_error
    assert not [f for f in findings if f.rule.startswith(NUMBER_RULES)]
    assert report_status(report, findings) is ReportStatus.NEEDS_REVIEW


def test_error_from_certain_rows_wins_over_review() -> None:
    text = _row(CLEAN, "（一）予以公开", "101000011").replace("1\t1\t0\t1\t3\t1", "1\t1\t0\t1\t9\t1", 1)
    report = parse_text(text)
    findings = run_checks(report)
    rules = {f.rule for f in findings}
    assert {"TABLE_UNREADABLE", "T4_REVIEW_TOTAL"} <= rules  # 四 was read with certainty: its error stands
    assert not [r for r in rules if r.startswith("T3_")]
    assert report_status(report, findings) is ReportStatus.FAILED


def test_enumeration_is_bounded() -> None:
    assert splits(["1" * 61], 7) is None  # too many digits for one row
    assert count_splits(["1" * 30], 15) > MAX_SPLITS
    started = time.perf_counter()
    assert unique_split(["1" * 30], 15) == (None, [])  # counted, never enumerated
    assert unique_split(["9" * 4000], 7)[0] is None
    assert time.perf_counter() - started < 0.5


def test_heading_run_inline_is_not_a_missing_section() -> None:
    text = CLEAN.replace("\n六、其他需要报告的事项", "（完）六、其他需要报告的事项", 1)
    assert text != CLEAN
    assert "STRUCT_SECTION_MISSING" not in {f.rule for f in run_checks(parse_text(text))}
    gone = CLEAN.replace("六、其他需要报告的事项", "", 1)
    assert "STRUCT_SECTION_MISSING" in {f.rule for f in run_checks(parse_text(gone))}


# ---------------------------------------------------------------------------------------------------------
# Readings of degraded rows: every constraint of the template, tab/pipe rows included
# ---------------------------------------------------------------------------------------------------------


def _pieces(*texts: str) -> list[Piece]:
    return [piece(t, int(t) if t.isdigit() else None, not t) for t in texts]


def test_tab_row_with_cells_run_together_is_not_read_as_separated() -> None:
    # the gap of the first attempt: a tab row of two cells "10" and "2000012" was "separated" (certain), 2 cells
    report = parse_text(_row(CLEAN, "（一）予以公开", "10\t2000012"))
    granted = report.tables.applications["granted"]
    assert [c.value for c in granted.values()] == [10, 2, 0, 0, 0, 0, 12]
    assert report.rows["applications.granted"].certainty == "reconstructed"
    assert [f.rule for f in run_checks(report)] == []


def test_pipe_row_with_cells_run_together_is_reconstructed_or_ambiguous_never_separated() -> None:
    lines = CLEAN.split("\n")
    at = next(i for i, line in enumerate(lines) if "（一）予以公开" in line)
    lines[at] = "| 三、本年度办理结果 | （一）予以公开 | 1020 | 00012 |"
    report = parse_text("\n".join(lines))
    assert [c.value for c in report.tables.applications["granted"].values()] == [10, 2, 0, 0, 0, 0, 12]
    assert report.rows["applications.granted"].certainty == "reconstructed"
    lines[at] = "| 三、本年度办理结果 | （一）予以公开 | 101 | 000011 |"  # 10 1 … 11 or 1 0 10 … 11
    report = parse_text("\n".join(lines))
    assert report.rows["applications.granted"].certainty == "ambiguous"
    assert [f.rule for f in run_checks(report)] == ["TABLE_UNREADABLE"]


def test_short_text_row_is_ambiguous_not_a_cell_count_error() -> None:
    # blanks lost or separators lost: a text row with fewer cells than the template's is not certain
    report = parse_text(_row(CLEAN, "（七）总计", "21\t4\t1\t1\t1\t0"))
    assert report.rows["applications.total"].certainty == "ambiguous"
    assert [f.rule for f in run_checks(report)] == ["TABLE_UNREADABLE"]


def test_column_totals_settle_a_row_its_own_sum_cannot() -> None:
    spec = clean_spec()
    spec.apps["granted"] = [10, 1, 0, 0, 0, 0, 11]
    spec.apps["total"] = [21, 3, 1, 1, 1, 0, 27]
    spec.apps["new"] = [20, 2, 1, 1, 1, 0, 25]
    spec.overview[2] = "（二）依申请公开情况。全年共收到政府信息公开申请25件，予以公开11件。"
    text = render(spec)
    assert [f.rule for f in run_checks(parse_text(text))] == []
    # "101000011" reads as 10 1 0 0 0 0 11 or 1 0 10 0 0 0 11: only the first keeps （七）总计 = the outcome rows
    assert unique_split(["101000011"], 7, row_total_holds)[0] is None
    report = parse_text(_row(text, "（一）予以公开", "101000011"))
    assert [c.value for c in report.tables.applications["granted"].values()] == [10, 1, 0, 0, 0, 0, 11]
    assert report.rows["applications.granted"].certainty == "reconstructed"
    assert [f.rule for f in run_checks(report)] == []


def test_a_run_with_a_leading_zero_is_never_taken_as_printed() -> None:
    # "00" is two cells; the blank at the end was a merged-region filler
    verdict = read_row(_pieces("1", "00", "0", "0", "0", "1", ""), _pieces("1", "00", "0", "0", "0", "1", ""), 7,
                       row_total_holds)  # fmt: skip
    assert (verdict.verdict, verdict.reading) == ("reconstructed", (1, 0, 0, 0, 0, 0, 1))


def test_blank_cells_hidden_where_separators_were_lost_make_a_row_ambiguous() -> None:
    found, complete = readings(_pieces("1", "1"), 7, row_total_holds)
    assert complete and len(found) == 6  # the 1 of the applicants may stand in any of the six columns
    assert (None, None, None, None, None, 1, 1) in found and (1, None, None, None, None, None, 1) in found
    assert read_row(_pieces("1", "1"), None, 7, row_total_holds).verdict == "ambiguous"


def test_printed_row_failing_its_sum_stands_only_when_nothing_else_fits() -> None:
    printed = _pieces("12", "3", "0", "0", "0", "0", "16")
    assert read_row(printed, printed, 7, row_total_holds).verdict == "printed"  # a real error
    masked = _pieces("10", "0", "0", "0", "0", "1", "")  # 1|0 joined, the filler kept as the total
    verdict = read_row(masked, masked, 7, row_total_holds)
    assert verdict.verdict == "ambiguous" and verdict.candidates == [(1, 0, 0, 0, 0, 0, 1)]
    # a table that lost separators elsewhere: a failing row is an error only when nothing else could be meant
    assert read_row(masked, masked, 7, row_total_holds, strict=True).verdict == "ambiguous"
    assert read_row(printed, printed, 7, row_total_holds, strict=True).verdict == "printed"


def _searched(pieces: list[Piece], n: int, prefix_ok=None) -> set[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    """Every reading the cell-by-cell search finds (no shortcut, no constraint)."""
    found: set[tuple[object, ...]] = set()
    _search(pieces, n, prefix_ok, found, [MAX_NODES], MAX_CELL_DIGITS, MAX_NODES + 1)
    return found


def test_a_row_of_exactly_its_cells_has_only_its_printed_reading() -> None:
    # ``readings`` answers a row of n pieces with no blank at either end without searching: the search agrees
    rows = [("12", "3", "", "0", "x", "1", "16"), ("1", "00", "0", "0", "0", "1", "7"), ("10", "", "", "", "", "", "10")]
    for texts in rows:
        pieces = [piece(t, 3.5 if t == "x" else int(t) if t.isdigit() else None, not t) for t in texts]
        assert set(readings(pieces, 7)[0]) == _searched(pieces, 7)
        assert readings(pieces, 7, row_total_holds)[0] == [r for r in _searched(pieces, 7) if row_total_holds(r)]
    four = _pieces("1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "0", "0", "0", "1", "2")  # the last group fails
    assert readings(four, 15, prefix_ok=_last_group_holds)[0] == sorted(_searched(four, 15, _last_group_holds)) == []
    assert readings(four[:10], 10, prefix_ok=_last_group_holds)[0] == [(1, 1, 0, 0, 2, 1, 0, 0, 0, 1)]


def test_narrowing_across_rows() -> None:
    fixed = {"total": (3, 0, 3), "granted": (2, 0, 2)}
    cons = [(("total",), ("granted", "partial"))]
    assert narrow_by_columns(fixed, {"partial": [(1, 0, 1), (0, 1, 1)]}, cons) == {"partial": (1, 0, 1)}
    assert narrow_by_columns(fixed, {"partial": [(0, 1, 1), (2, 0, 2)]}, cons) == {"partial": None}  # none fits
    # a reading bounded but not cross-checked (granted has no value, total is not known) is not accepted
    assert narrow_by_columns({}, {"partial": [(1, 0, 1)], "granted": []}, cons) == {"partial": None}


def test_four_groups_reconstructed_with_hidden_blanks_considered() -> None:
    verdict = read_row(_pieces("110131001200011"), None, 15, review_groups_hold)
    assert (verdict.verdict, verdict.reading) == ("reconstructed", (1, 1, 0, 1, 3, 1, 0, 0, 1, 2, 0, 0, 0, 1, 1))


def test_reviews_as_three_small_tables_lose_certainty_with_a_lost_cell() -> None:
    head = "\t".join(("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
    groups = (("行政复议", "1\t1\t0\t1\t3"), ("未经复议直接起诉", "1\t0\t0\t1\t2"), ("复议后起诉", "0\t0\t0\t1\t1"))

    def body(second: str) -> str:
        rows = [groups[0], (groups[1][0], second), groups[2]]
        return "四、政府信息公开行政复议、行政诉讼情况\n" + "\n".join(f"{g}\n{head}\n{v}" for g, v in rows)

    clean = parse_text(body(groups[1][1]))
    assert [c.value for cols in clean.tables.reviews.values() for c in cols.values()] == [
        1, 1, 0, 1, 3, 1, 0, 0, 1, 2, 0, 0, 0, 1, 1]  # fmt: skip
    assert clean.is_certain("reviews")
    joined = parse_text(body("10\t0\t1\t2"))  # 1|0 ran together: the group has four cells
    assert not joined.is_certain("reviews")


def test_cells_printed_alike_are_still_two_cells() -> None:
    """A row's items compare by identity: ``reconstruct`` leaves out exactly the cells not taken, never a
    taken cell that happens to print like one of them."""
    from worker.parse.rows import Item

    first, twin = (Item("3", parse_value("3"), 12, None, 0, 0) for _ in range(2))
    assert first != twin and twin not in [first] and first in [first]


def test_every_cell_has_its_own_location_and_the_default_is_left_out_of_the_json() -> None:
    one, other = Cell(), Cell()
    one.location.line = 7
    assert other.location.line is None and Cell().location.line is None
    assert "location" not in Cell(value=1).model_dump(exclude_defaults=True)
    assert one.model_dump(exclude_defaults=True)["location"] == {"line": 7}
