"""The message labels come from the parser's vocabulary: every key the rules name has a Chinese label."""

from __future__ import annotations

import pytest

from worker.parse import labels, vocab
from worker.parse.labels import APPLICATION_ROWS_ZH, SECTION_ZH, TABLE_ZH, cell_zh, col_zh, row_zh
from worker.parse.vocab import REVIEW_ROWS
from worker.rules.support.tables import APPLICATION_COLS, OUTCOME_GROUPS, REVIEW_PARTS

APPLICATION_ROW_KEYS = sorted(
    {"new", "carried_over", "total", "carried_forward"}
    | {r for _, sub, rows in OUTCOME_GROUPS for r in (*rows, *([sub] if sub else []))}
)


@pytest.mark.parametrize("row", APPLICATION_ROW_KEYS)
def test_labels_every_row_of_three_the_rules_sum_has_a_label(row: str) -> None:
    label = row_zh("applications", row)
    assert label != row and label == APPLICATION_ROWS_ZH[row]
    spec = vocab.APPLICATION_ROW_BY_KEY.get(row)
    if spec is not None and spec.group:  # a sub-row names its group first: "（三）不予公开·1.属于国家秘密"
        assert label.startswith(vocab.APPLICATION_ROW_BY_KEY[spec.group].label + "·")


def test_labels_columns_rows_of_four_and_two_have_labels() -> None:
    for col in APPLICATION_COLS:
        assert col_zh("applications", col) != col
    for row in REVIEW_ROWS:
        for col in (*REVIEW_PARTS, "total"):
            assert (
                cell_zh("reviews", row, col)
                == f"{labels.REVIEW_ROWS_ZH[row]}·{labels.REVIEW_COLUMNS_ZH[col]}"
            )
    for template in vocab.DISCLOSURE_DEFAULT_COLUMNS.values():
        for block, cols in template.items():
            for _, row, _ in vocab.DISCLOSURE_ROWS[block]:
                for col in cols:
                    assert cell_zh(f"disclosure.{block}", row, col).count("·") == 2
                    assert all(k not in cell_zh(f"disclosure.{block}", row, col) for k in (block, row, col))


def test_labels_sections_and_tables_follow_the_vocabulary() -> None:
    assert SECTION_ZH == {s.key: s.title_2021 for s in vocab.SECTIONS}
    assert list(TABLE_ZH) == ["disclosure", "applications", "reviews"]
    assert TABLE_ZH["applications"] == labels.table_label_zh("applications")
