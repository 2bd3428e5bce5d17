"""Layouts and wordings seen in real reports of other bodies (issue 3, round 2): one test per quirk."""

from __future__ import annotations

from pathlib import Path

from worker.parse import parse_text, read_report


def test_parse_text_lines_match_the_txt_extractor(tmp_path: Path) -> None:
    text = "2023年XX县人民政府信息公开工作年度报告\n前言\u2028续\x0c\n一、总体情况\n无。\n"
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    by_text = parse_text(text)
    by_file = read_report(path)
    assert [s.line for s in by_text.sections] == [s.line for s in by_file.sections] == [3]
    assert len(by_text.lines) == len(by_file.lines) == 4
