"""Matching a report to a registered body (the pure part): path, names, short names within a region, years."""

from __future__ import annotations

from worker.registry.matching import (
    BodyIndex,
    BodyRecord,
    MatchMethod,
    MatchState,
    match_report,
    split_region,
)

TOWN = BodyRecord(1, "将乐县南口镇人民政府", ("福建省", "三明市", "将乐县", "南口镇"), short_names=("南口镇",), year_from=2016)
EDU = BodyRecord(2, "将乐县教育局", ("福建省", "三明市", "将乐县", "教育局"), short_names=("县教育局",),
                 former_names=("将乐县教育委员会",))  # fmt: skip
OTHER_EDU = BodyRecord(3, "顺昌县教育局", ("福建省", "南平市", "顺昌县", "教育局"), short_names=("县教育局",))
OLD_TOWN = BodyRecord(4, "将乐县南口乡人民政府", ("福建省", "三明市", "将乐县", "南口乡"), short_names=("南口镇",),
                      year_to=2015)  # fmt: skip
INDEX = BodyIndex.build([TOWN, EDU, OTHER_EDU, OLD_TOWN])


def test_full_path_matches() -> None:
    result = match_report(INDEX, "福建省/三明市/将乐县/南口镇", "将乐县南口镇人民政府", year=2024)
    assert (result.state, result.method, result.body_id) == (MatchState.MATCHED, MatchMethod.PATH, 1)


def test_full_or_former_name_matches_anywhere() -> None:
    assert match_report(INDEX, "将乐县教育委员会", "将乐县教育委员会", year=2018).body_id == 2
    assert match_report(INDEX, None, "将乐县 教育局", year=2024).method is MatchMethod.NAME  # spaces do not count


def test_partial_path_matches_the_tail_of_a_body_path() -> None:
    result = match_report(INDEX, "将乐县/教育局", "教育局", year=2024)
    assert (result.method, result.body_id) == (MatchMethod.PATH_TAIL, 2)
    assert match_report(INDEX, "教育局/x", None, year=2024).state is MatchState.UNMATCHED


def test_short_name_only_within_the_region() -> None:
    in_jiangle = match_report(INDEX, "县教育局", "县教育局", year=2024, region=split_region("将乐县"))
    assert (in_jiangle.state, in_jiangle.method, in_jiangle.body_id) == (MatchState.MATCHED, MatchMethod.SHORT_NAME, 2)
    assert match_report(INDEX, "县教育局", "县教育局", year=2024, region=split_region("福建省/南平市")).body_id == 3
    no_region = match_report(INDEX, "县教育局", "县教育局", year=2024)
    assert no_region.state is MatchState.AMBIGUOUS and no_region.candidates == (2, 3)
    province = match_report(INDEX, "县教育局", "县教育局", year=2024, region=["福建省"])
    assert province.state is MatchState.AMBIGUOUS and province.candidates == (2, 3)
    assert match_report(INDEX, "县教育局", None, year=2024, region=["江西省"]).state is MatchState.UNMATCHED


def test_organ_without_its_suffix_is_a_short_name_and_the_active_body_wins() -> None:
    region = split_region("福建省/三明市/将乐县")
    result = match_report(INDEX, "南口镇人民政府", "南口镇人民政府", year=2024, region=region)
    assert result.body_id == 1  # 南口乡 (short name 南口镇 too) ended in 2015
    old = match_report(INDEX, "南口镇人民政府", "南口镇人民政府", year=2014, region=region)
    assert old.body_id == 4


def test_a_resolution_wins_and_full_width_text_compares_equal() -> None:
    assert match_report(INDEX, "x", "x", year=2024, resolved_body_id=3).method is MatchMethod.MANUAL
    assert match_report(INDEX, "福建省／三明市／将乐县／南口镇", None, year=2024).body_id == 1


def test_two_bodies_active_the_same_year_stay_ambiguous() -> None:
    both = BodyIndex.build([BodyRecord(1, "甲", ("福建省", "南口镇")), BodyRecord(2, "乙", ("福建省", "南口镇"))])
    result = match_report(both, "福建省/南口镇", "南口镇", year=2024)
    assert result.state is MatchState.AMBIGUOUS and result.candidates == (1, 2)
