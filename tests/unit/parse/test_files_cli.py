"""``nianbao parse`` and ``nianbao check`` through click's CliRunner, on real files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from worker.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _run(*args: str):  # type: ignore[no-untyped-def]
    return (
        CliRunner(mix_stderr=False).invoke(main, list(args))
        if _has_mix()
        else CliRunner().invoke(main, list(args))
    )


def _has_mix() -> bool:
    import inspect

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def test_parse_json_prints_the_canonical_report() -> None:
    sample = SAMPLES / "t2021_pipe.txt"
    result = _run("parse", str(sample), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == json.loads(sample.with_suffix(".expected.json").read_text(encoding="utf-8"))


def test_parse_without_json_prints_a_summary(seeds_dir: Path) -> None:
    result = _run("parse", str(seeds_dir / "001_d4524e0073e7a70b.txt"))
    assert result.exit_code == 0
    assert "石门镇人民政府" in result.stdout and "published: 2024-01-23" in result.stdout


def test_parse_of_something_that_is_not_a_report_exits_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\nworld\n", encoding="utf-8")
    result = _run("parse", str(junk))
    assert result.exit_code == 2
    assert "not an annual report" in result.stderr


def test_check_json_lists_each_file_with_findings(seeds_dir: Path) -> None:
    seed = seeds_dir / "002_bb47b10e518fda8c.txt"
    result = _run("check", str(seed), "--json")
    data = json.loads(result.stdout)
    assert [(d["file"], d["organ"], d["year"], d["template"]) for d in data] == [
        (str(seed), "南岭镇人民政府", 2024, "2019")
    ]
    from worker import rules

    if getattr(rules, "run_checks", None) is not None:
        codes = {f["rule"] for f in data[0]["findings"]}
        assert "STRUCT_CELL_COUNT" in codes
        assert result.exit_code == 1
    else:  # no rule catalogue installed: no findings
        assert data[0]["findings"] == [] and result.exit_code == 0


def test_check_exits_2_when_a_file_cannot_be_read(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = _run("check", str(SAMPLES / "t2021_pipe.txt"), str(empty), "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data[1]["file"] == str(empty) and data[1]["error"]
