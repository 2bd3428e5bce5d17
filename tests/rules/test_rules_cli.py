"""``nianbao rules``: list (bare or ``list``, text or JSON) and ``explain``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from worker.cli import main
from worker.rules import RULES


def test_bare_rules_and_rules_list_show_every_rule() -> None:
    runner = CliRunner()
    bare = runner.invoke(main, ["rules"])
    listed = runner.invoke(main, ["rules", "list"])
    assert bare.exit_code == listed.exit_code == 0
    assert bare.output == listed.output
    lines = listed.output.splitlines()
    assert len(lines) == len(RULES)
    row = next(line for line in lines if line.startswith("PUB_AFTER_JAN31 "))
    assert "错误" in row and "晚于1月31日发布" in row
    assert "error" not in row and "Published" not in row  # zh-CN by default; ids stay as they are
    english = runner.invoke(main, ["rules", "list", "--lang", "en"]).output.splitlines()
    row = next(line for line in english if line.startswith("PUB_AFTER_JAN31 "))
    assert "error" in row and "Published after 31 January" in row


def test_rules_list_json() -> None:
    result = CliRunner().invoke(main, ["rules", "list", "--json"])
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == sorted(RULES)
    assert {r["severity"] for r in rows} == {"error", "warning"}
    assert all(r["title_zh"] and r["title_en"] for r in rows)


def test_explain_prints_the_chinese_explanation() -> None:
    result = CliRunner().invoke(main, ["rules", "explain", "t3_balance"])
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("T3_BALANCE（错误）\n申请情况表勾稽关系不平\n")
    assert "上年结转" in out and "## What it does" not in out


def test_explain_lang_en_prints_the_doc() -> None:
    result = CliRunner().invoke(main, ["rules", "explain", "t3_balance", "--lang", "en"])
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("T3_BALANCE (error)\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example"):
        assert heading in out
    assert "勾稽关系" in out


def test_every_rule_has_a_chinese_explanation() -> None:
    from worker.rules.explain_zh import EXPLAIN_ZH

    assert set(EXPLAIN_ZH) == set(RULES)


def test_explain_without_id_explains_all() -> None:
    out = CliRunner().invoke(main, ["rules", "explain"]).output
    assert sum(1 for code in RULES if f"{code}（" in out) == len(RULES)
    en = CliRunner().invoke(main, ["rules", "explain", "--lang", "en"]).output
    assert en.count("## What it does") == len(RULES)


def test_explain_unknown_id_exits_2() -> None:
    result = CliRunner().invoke(main, ["rules", "explain", "NOPE"])
    assert result.exit_code == 2
    assert "unknown rule id 'NOPE'" in result.output


def test_check_prints_chinese_severities(seeds_dir: Path) -> None:
    """``nianbao check``'s text output: 错误/警告 and Chinese headers; rule ids stay as they are."""
    result = CliRunner().invoke(main, ["check", str(seeds_dir / "002_bb47b10e518fda8c.txt")])
    assert result.exit_code == 1
    head, *rows = result.output.splitlines()
    assert "南岭镇人民政府 2024年度 格式版本 2019" in head and "个问题" in head
    assert rows and all(row.lstrip().startswith(("错误 ", "警告 ")) for row in rows), rows
    assert "FMT_OLD_USED" in result.output
    assert not any(word in result.output for word in ("warning", "error", "finding"))
