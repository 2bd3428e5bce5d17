"""Issue 11: certainty of every table read, labels by place and likeness, unique splits of run-together digits."""

from __future__ import annotations

import time

from tests.rules.factories import clean_spec
from tests.rules.render import render
from worker.parse import parse_text
from worker.parse.digits import MAX_SPLITS, count_splits, row_total_holds, splits, unique_split
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
