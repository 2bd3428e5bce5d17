"""PathFilter and scan: hidden, temporary and excluded paths are never candidates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from watcher.scanner import PathFilter, scan
from worker.settings import Settings

PATTERNS = Settings(inbox=Path("inbox")).ignore_patterns


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    d = tmp_path / "inbox"
    d.mkdir()
    return d


@pytest.mark.parametrize(
    "name",
    [
        ".DS_Store",
        ".hidden.txt",
        "report.txt.part",
        "report.tmp",
        "report.pdf.crdownload",
        "~$report.docx",
        "report.txt~",
        ".report.txt.swp",
        "report.txt.swp",
        "#report.txt#",
    ],
)
def test_filter_ignores_temporary_and_hidden(inbox: Path, name: str) -> None:
    assert not PathFilter(inbox, PATTERNS).accepts(inbox / name)


@pytest.mark.parametrize("name", ["2024年度报告.txt", "report.docx", "a.part.txt", "tmp.txt", "x~y.pdf"])
def test_filter_accepts_ordinary_files(inbox: Path, name: str) -> None:
    assert PathFilter(inbox, PATTERNS).accepts(inbox / "sub" / name)


def test_filter_hidden_directory_hides_contents(inbox: Path) -> None:
    f = PathFilter(inbox, PATTERNS)
    assert not f.accepts(inbox / ".git" / "report.txt")
    assert not f.accepts(inbox / "a" / ".cache" / "b" / "report.txt")


def test_filter_hidden_ignored_even_without_patterns(inbox: Path) -> None:
    f = PathFilter(inbox, [])
    assert not f.accepts(inbox / ".DS_Store")
    assert not f.accepts(inbox / "x.swp")
    assert f.accepts(inbox / "x.part")  # only the configured list names .part


def test_filter_rejects_outside_inbox_and_inbox_itself(inbox: Path, tmp_path: Path) -> None:
    f = PathFilter(inbox, PATTERNS)
    assert not f.accepts(tmp_path / "elsewhere.txt")
    assert not f.accepts(inbox)


def test_filter_excludes_archive_quarantine_processing_under_inbox(inbox: Path, tmp_path: Path) -> None:
    excluded = [inbox / "archive", inbox / "quarantine", tmp_path / "data" / "processing"]
    f = PathFilter(inbox, PATTERNS, excluded)
    assert not f.accepts(inbox / "archive" / "r.txt")
    assert not f.accepts(inbox / "quarantine" / "deep" / "r.txt")
    assert f.accepts(inbox / "archive-old" / "r.txt")
    # a directory outside the inbox is irrelevant to the filter
    assert f.excluded == (inbox / "archive", inbox / "quarantine")


def test_scan_lists_candidates_and_prunes(inbox: Path) -> None:
    wanted = [inbox / "a.txt", inbox / "sub" / "b.txt", inbox / "sub" / "deeper" / "c.docx"]
    unwanted = [
        inbox / ".DS_Store",
        inbox / "d.txt.part",
        inbox / "~$e.docx",
        inbox / ".git" / "f.txt",
        inbox / "archive" / "g.txt",
    ]
    for p in wanted + unwanted:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    found = list(scan(PathFilter(inbox, PATTERNS, [inbox / "archive"])))
    assert sorted(found) == sorted(wanted)


def test_scan_skips_non_regular_files(inbox: Path) -> None:
    (inbox / "a.txt").write_text("x")
    os.mkfifo(inbox / "pipe")
    assert list(scan(PathFilter(inbox, PATTERNS))) == [inbox / "a.txt"]


def test_scan_yields_symlinks_as_files_without_following_them(inbox: Path, tmp_path: Path) -> None:
    # issue 10 items 1 and 12: a link is handed over as itself (the worker refuses it with a reason);
    # the watcher never follows it, so loops and links to directories outside cannot hurt it
    (inbox / "a.txt").write_text("x")
    (inbox / "dangling").symlink_to(inbox / "missing")
    (inbox / "loop").symlink_to(inbox / "loop")
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "secret.txt").write_text("secret")
    (inbox / "to_dir").symlink_to(outside)
    (inbox / "to_file").symlink_to(outside / "deep" / "secret.txt")
    found = list(scan(PathFilter(inbox, PATTERNS)))
    assert found == [inbox / n for n in ("a.txt", "dangling", "loop", "to_dir", "to_file")]
