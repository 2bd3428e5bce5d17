"""Unit tests of the normalisation steps (each one alone, then the ordered list)."""

from __future__ import annotations

import pytest

from worker.parse.normalise import (
    artefacts,
    list_dashes,
    nfkc,
    normalise,
    normalise_line,
    page_marks,
    pipe_separators,
    quotes,
    spaces,
)


def test_nfkc_folds_fullwidth_digits_and_brackets() -> None:
    assert nfkc("（七）总计：１２３，４５６") == "(七)总计:123,456"


def test_spaces_turn_nbsp_and_ideographic_space_into_one_space_and_keep_tabs() -> None:
    assert spaces("\u3000\u3000行政\u00a0许可 \t 0\t") == "行政 许可\t0\t"


def test_quotes_are_unified() -> None:
    assert quotes("危及“三安全一稳定”‘x’") == "危及\"三安全一稳定\"'x'"


def test_bookmark_artefact_is_dropped() -> None:
    assert artefacts("[bookmark: _GoBack]（三）政府信息管理") == "（三）政府信息管理"


@pytest.mark.parametrize("line", ["— 5 —", "- 12 -", "第 3 页 共 9 页", "3/9"])
def test_page_marks_become_empty(line: str) -> None:
    assert page_marks(line) == ""


def test_page_mark_rule_leaves_values_alone() -> None:
    assert page_marks("\t5") == "\t5"
    assert page_marks("2024年1月23日") == "2024年1月23日"


def test_list_dash_is_dropped_before_prose_but_not_before_a_placeholder_or_number() -> None:
    assert list_dashes("- 一是信息公开内容有待丰富。") == "一是信息公开内容有待丰富。"
    assert list_dashes("- 无 0 17 24") == "- 无 0 17 24"
    assert list_dashes("- 3 结果") == "- 3 结果"
    assert list_dashes("\t-") == "\t-"


def test_pipe_separator_rows_become_empty_but_placeholder_cells_stay() -> None:
    assert pipe_separators("|---|:---:|---|") == ""
    assert pipe_separators("----------------\t-------") == ""
    assert pipe_separators("| - | 0 |") == "| - | 0 |"


def test_normalise_keeps_one_line_per_line() -> None:
    text = "a\r\nb\rc\n\n— 5 —\n[bookmark: _GoBack]d"
    assert normalise(text).split("\n") == ["a", "b", "c", "", "", "d"]


def test_normalise_line_of_a_seed_line() -> None:
    assert normalise_line(" \t无法提供") == "\t无法提供"
    assert normalise_line("    一、总体情况") == "一、总体情况"
