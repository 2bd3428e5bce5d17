"""Cross-year rules: a three-year series of one body, a same-named body elsewhere, arrival in any order.

The pipeline stores reports and passes neighbours; here the rules are exercised at the function level
(``run_checks`` is pure), with a tiny in-memory stand-in for "check against year-1, re-check year+1".
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Callable

import pytest

from tests.rules.build_fixtures import PREV_OVERVIEW, PREV_PROBLEMS, apps
from tests.rules.factories import DISCLOSURE_2021, OVERVIEW, build, clean_spec
from tests.rules.render import render
from worker.parse.models import Report
from worker.rules import Finding, Neighbour, RuleContext, run_checks
from worker.rules.support.history import previous_of
from worker.rules.xy.xy_duplicate import THRESHOLD, prose_fingerprint, similarity

BODY = "示例县南山镇人民政府"
ELSEWHERE = "另一县南山镇人民政府"


OUTCOME_TOTALS = [21, 4, 1, 1, 1, 0, 28]  # （七）总计 of the clean report, kept every year
PROSE = {
    2021: ["{year}年，南山镇以制度建设为抓手推进政务公开。", "（一）主动公开情况。主动公开政府信息80条。",
           "（二）依申请公开情况。全年共收到政府信息公开申请{new}件。", "（三）政府信息管理。修订信息公开审核办法。",
           "（四）政府信息公开平台建设。完成镇政府网站栏目改版。", "（五）监督保障。邀请群众代表评议政务公开工作。"],
    2022: [line.replace("28件", "{new}件") for line in PREV_OVERVIEW],
    2023: [OVERVIEW[0], OVERVIEW[1], "（二）依申请公开情况。全年共收到政府信息公开申请{new}件，予以公开12件。", *OVERVIEW[3:]],
}  # fmt: skip
PLANS = {
    2021: ["（一）存在的主要问题。政策解读形式单一。", "（二）改进情况。{next_year}年将增加图解、视频解读。"],
    2022: PREV_PROBLEMS,
    2023: ["（一）存在的主要问题。信息更新频率不够高。", "（二）改进情况。{next_year}年将建立更新台账。"],
}


def year_spec(organ: str, year: int, carried_over: list[int], carried_forward: list[int]) -> str:
    new = [t + f - o for t, f, o in zip(OUTCOME_TOTALS, carried_forward, carried_over, strict=True)]
    disclosure = copy.deepcopy(DISCLOSURE_2021)
    disclosure["art20_1"]["normative_docs"] = {"issued": 2, "repealed": 1, "in_force": 7 + year - 2020}
    spec = clean_spec(
        year=year,
        organ=organ,
        published=dt.date(year + 1, 1, 20),
        apps=apps(new=new, carried_over=carried_over, carried_forward=carried_forward),
        disclosure=disclosure,
        overview=[line.replace("{new}", str(new[6])) for line in PROSE[year]],
        problems=PLANS[year],
    )
    return render(spec)


def series(organ: str, *, break_in_2022: bool) -> dict[int, str]:
    """2021..2023 of one body: carried_forward of Y-1 = carried_over of Y, except into 2022 when broken."""
    zero, two, one = [0] * 7, [2, 1, 0, 0, 0, 0, 3], [1, 0, 0, 0, 0, 0, 1]
    into_2022 = [1, 1, 0, 0, 0, 0, 2] if break_in_2022 else two
    return {
        2021: year_spec(organ, 2021, zero, two),
        2022: year_spec(organ, 2022, into_2022, one),
        2023: year_spec(organ, 2023, one, one),
    }


def ref(year: int, organ: str = BODY) -> str:
    return f"{organ}-{year}"


def xy(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule.startswith("XY_")]


def check_year(reports: dict[int, Report], year: int, organ: str = BODY) -> list[Finding]:
    prev = reports.get(year - 1)
    nxt = reports.get(year + 1)
    ctx = RuleContext(
        previous=Neighbour(ref=ref(year - 1, organ), report=prev) if prev else None,
        next=Neighbour(ref=ref(year + 1, organ), report=nxt) if nxt else None,
    )
    return run_checks(reports[year], ctx)


@pytest.fixture(scope="module")
def parsed(parse_text: Callable[..., Report]) -> dict[str, dict[int, Report]]:
    return {
        "broken": {y: parse_text(t) for y, t in series(BODY, break_in_2022=True).items()},
        "intact": {y: parse_text(t) for y, t in series(BODY, break_in_2022=False).items()},
        "elsewhere": {y: parse_text(t) for y, t in series(ELSEWHERE, break_in_2022=False).items()},
    }


def test_each_year_is_clean_on_its_own(parsed: dict[str, dict[int, Report]]) -> None:
    for name, reports in parsed.items():
        for year, report in reports.items():
            assert [(f.rule, f.message) for f in run_checks(report)] == [], f"{name} {year}"


def test_carryover_break_in_year_2_is_found_only_there(parsed: dict[str, dict[int, Report]]) -> None:
    reports = parsed["broken"]
    found = {year: xy(check_year(reports, year)) for year in reports}
    assert found[2021] == [] and found[2023] == []
    assert sorted((f.rule, f.location.col if f.location else None) for f in found[2022]) == [
        ("XY_CARRYOVER", "natural_person"),
        ("XY_CARRYOVER", "total"),
    ]
    person = next(f for f in found[2022] if f.location and f.location.col == "natural_person")
    assert (person.expected, person.actual, person.compared_with) == (2, 1, ref(2021))
    assert person.location is not None and person.location.row == "carried_over" and person.location.line
    assert "应为 2（2021年度报告“结转下年度继续办理”数），报告填写 1" in person.message


def test_intact_series_gives_nothing(parsed: dict[str, dict[int, Report]]) -> None:
    reports = parsed["intact"]
    assert [xy(check_year(reports, year)) for year in reports] == [[], [], []]


def test_same_named_body_elsewhere_is_never_compared(parsed: dict[str, dict[int, Report]]) -> None:
    here, there = parsed["broken"], parsed["elsewhere"]
    assert here[2022].identity_key != there[2021].identity_key
    # a store keyed by short name would hand 2021 of the other 南山镇 to our 2022 (a carry-over break)
    ctx = RuleContext(previous=Neighbour(ref=ref(2021, ELSEWHERE), report=there[2021]))
    assert xy(run_checks(here[2022], ctx)) == []
    mixed = {2021: there[2021], 2022: here[2022], 2023: there[2023]}
    assert [xy(check_year(mixed, y)) for y in (2022, 2023)] == [[], []]


def test_a_gap_year_is_not_a_neighbour(parsed: dict[str, dict[int, Report]]) -> None:
    reports = parsed["broken"]
    ctx = RuleContext(previous=Neighbour(ref="x", report=reports[2021]))
    assert xy(run_checks(reports[2023], ctx)) == []


def _arrive(
    order: tuple[int, ...], reports: dict[int, Report]
) -> dict[int, list[tuple[str, str | None, str | None]]]:
    """What a store ends with when reports arrive in ``order``: check Y against Y-1, re-check Y+1."""
    stored: dict[int, Report] = {}
    verdict: dict[int, list[tuple[str, str | None, str | None]]] = {}
    for year in order:
        stored[year] = reports[year]
        for y in (year, year + 1):
            if y in stored:
                verdict[y] = sorted(
                    (f.rule, f.location.col if f.location else None, f.compared_with)
                    for f in check_year(stored, y)
                )
    return verdict


def test_arrival_order_does_not_change_the_final_findings(parsed: dict[str, dict[int, Report]]) -> None:
    reports = parsed["broken"]
    results = [_arrive(order, reports) for order in itertools.permutations(reports)]
    assert all(r == results[0] for r in results)
    assert [rule for rule, _, _ in results[0][2022]] == ["XY_CARRYOVER", "XY_CARRYOVER"]


def test_run_checks_leaves_its_inputs_alone(parsed: dict[str, dict[int, Report]]) -> None:
    reports = parsed["broken"]
    before = {y: r.model_dump() for y, r in reports.items()}
    first = check_year(reports, 2022)
    assert check_year(reports, 2022) == first
    assert {y: r.model_dump() for y, r in reports.items()} == before


def test_duplicate_threshold_separates_copies_from_other_reports(
    seeds_dir: object, parse_text: Callable[..., Report]
) -> None:
    """The justification in XY_DUPLICATE's doc: different bodies score far below, a year-changed copy 1.0,
    and a copy with one sentence in ten rewritten still above the threshold."""
    from pathlib import Path

    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(Path(str(seeds_dir)).glob("*.txt"))}
    prints = {k: prose_fingerprint(parse_text(t)) for k, t in texts.items()}
    scores = [similarity(prints[a], prints[b]) for a, b in itertools.combinations(sorted(prints), 2)]
    assert max(scores) < 0.2 < THRESHOLD
    seed = texts["001"]
    copy = parse_text(seed.replace("2023", "2024").replace("2024年1月23日", "2025年1月20日"))
    assert similarity(prose_fingerprint(copy), prints["001"]) == 1.0
    sentences = seed.split("。")
    edited = "。".join(
        s + "，并结合本年度实际作了调整" if i % 10 == 3 else s for i, s in enumerate(sentences)
    )
    assert similarity(prose_fingerprint(parse_text(edited)), prints["001"]) >= THRESHOLD


def test_duplicate_report_is_flagged_with_what_it_copied() -> None:
    prev = build(clean_spec(year=2022, published=dt.date(2023, 1, 18)))
    this = build(clean_spec())
    found = [
        f
        for f in run_checks(this, RuleContext(previous=Neighbour(ref="sha-2022", report=prev)))
        if f.rule == "XY_DUPLICATE"
    ]
    assert len(found) == 2 and all(f.compared_with == "sha-2022" for f in found)
    assert found[0].actual == 1.0


def test_seed_000_and_003_are_different_bodies(seeds_dir: object, parse_text: Callable[..., Report]) -> None:
    """Both are a 南口镇; 003 moved next to 000's year must still not be compared with it."""
    from pathlib import Path

    seeds = Path(str(seeds_dir))
    jiangle = parse_text(next(seeds.glob("000_*.txt")).read_text(encoding="utf-8"))
    district = parse_text(next(seeds.glob("003_*.txt")).read_text(encoding="utf-8").replace("2020", "2024"))
    assert (jiangle.year, district.year) == (2023, 2024)
    assert jiangle.identity_key != district.identity_key
    ctx = RuleContext(previous=Neighbour(ref="sha-000", report=jiangle))
    assert previous_of(district, ctx) is None  # the gate every XY_* rule goes through
    same_body = parse_text(next(seeds.glob("000_*.txt")).read_text(encoding="utf-8").replace("2023", "2024"))
    assert previous_of(same_body, ctx) is ctx.previous
