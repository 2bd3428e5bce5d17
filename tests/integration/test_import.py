"""``nianbao import DIR`` end to end: the CLI as a subprocess, a real worker, broker and database.

A folder of good reports (in sub-folders, one a duplicate of another under a new name) and bad files (an
empty file, a binary one) travels in one batch: every file ends stored, a duplicate, or quarantined with its
reason, none fails its batch-mates, the folder is left as it was, and importing it again stores nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.utils import store
from tests.utils.services import WorkerProcess, make_settings, migrated, settings_env
from worker.store.db import session_scope
from worker.store.models import SourceFile

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(240)]

EXE = str(Path(sys.executable).with_name("nianbao"))
JUNK = bytes(range(256)) * 8  # NUL bytes and all: not a report in any format


def _nianbao(settings: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], env=settings_env(settings), capture_output=True, text=True, timeout=180)


def _folder(root: Path, seeds_dir: Path) -> dict[str, bytes]:
    """The folder to import; returns its files (relative path -> content)."""
    seeds = sorted(seeds_dir.glob("*.txt"))
    files: dict[str, bytes] = {f"福建省/三明市/{s.name}": s.read_bytes() for s in seeds[:3]}
    files.update({s.name: s.read_bytes() for s in seeds[3:]})
    files["copies/again.txt"] = seeds[0].read_bytes()  # the same content under another name: a duplicate
    files["empty.txt"] = b""
    files["scan.bin"] = JUNK
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / ".DS_Store").write_bytes(b"\x00\x01")  # ignored, as in the inbox
    return files


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _sources(settings: Any) -> list[tuple[str, str, str]]:
    with session_scope(settings) as s:
        return sorted((r.name, r.status, r.original_path) for r in s.exec(select(SourceFile)))


def test_import_folder_batches_every_file_to_its_end_and_twice_stores_nothing_twice(
    tmp_path: Path, database_url: str, broker_url: str, seeds_dir: Path
) -> None:
    settings = migrated(make_settings(tmp_path, database_url, broker_url, alerts_enabled=False))
    folder = tmp_path / "backfill"
    files = _folder(folder, seeds_dir)
    before = _snapshot(folder)
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    try:
        first = _nianbao(settings, "import", str(folder), "--stall-timeout", "90")
        assert first.returncode == 2, first.stdout + first.stderr + worker.output()  # two files quarantined
        assert "导入完成" in first.stdout
        assert _snapshot(folder) == before  # copied, never moved or changed

        good = {rel for rel, data in files.items() if data and data != JUNK}
        distinct = {files[rel] for rel in good}
        with session_scope(settings) as s:
            reports = store.list_reports(s)
            quarantine = {q.name: q for q in store.list_quarantine(s)}
        assert len(reports) == len(distinct)
        assert set(quarantine) == {"empty.txt", "scan.bin"}
        assert all(q.reason for q in quarantine.values())
        for name, q in quarantine.items():  # each with its reason, in the CLI's summary too
            assert f"隔离  {name}：{q.reason}" in first.stdout
            assert Path(q.quarantine_path).exists()
        sources = _sources(settings)
        statuses = {name: status for name, status, _ in sources}
        twins = {Path(rel).name for rel in good if files[rel] == files["copies/again.txt"]}
        assert sorted(statuses[name] for name in twins) == ["duplicate", "ingested"]  # whichever came first
        assert {name: status for name, status in statuses.items() if name not in twins} == {
            Path(rel).name: "ingested" for rel in good if Path(rel).name not in twins
        }
        # recorded as arriving at the inbox path the file would have had (its sub-folders name its region)
        arrived = {name: path for name, _, path in sources}
        for rel in good:
            assert arrived[Path(rel).name] == str(settings.inbox_path / rel)
        archived = sorted(p.name for p in settings.archive_path.rglob("*") if p.is_file())  # duplicates/ too
        assert archived == sorted(Path(rel).name for rel in good)
        staging = settings.inbox_path / ".nianbao-import"
        assert not [p for p in staging.rglob("*") if p.is_file()], "files left in the staging folder"
        assert not [p for p in settings.processing_path.rglob("*") if p.is_file() and not p.name.startswith(".")]

        from worker.cli.ops import collect_status

        (imp,) = collect_status(settings)["imports"]
        assert imp["finished"] and imp["done"] == imp["total"] == len(files)
        assert (imp["ingested"], imp["duplicate"], imp["quarantined"]) == (len(distinct), 1, 2)

        again = _nianbao(settings, "import", str(folder), "--stall-timeout", "90")
        assert again.returncode == 0, again.stdout + again.stderr
        assert f"其中 {len(files)} 个此前已导入（跳过），导入 0 个" in again.stdout
        with session_scope(settings) as s:
            assert len(store.list_reports(s)) == len(distinct)
            assert len(store.list_quarantine(s)) == 2
        assert _sources(settings) == sources
        assert sorted(p.name for p in settings.archive_path.rglob("*") if p.is_file()) == archived
    finally:
        worker.stop()


def test_import_refuses_the_inbox_itself(tmp_path: Path, default_database_url: str) -> None:
    settings = make_settings(tmp_path, default_database_url)
    (settings.inbox_path / "sub").mkdir(parents=True, exist_ok=True)
    res = _nianbao(settings, "import", str(settings.inbox_path / "sub"))
    assert res.returncode == 2 and "收件目录" in res.stderr


def test_a_batch_is_counted_once_in_the_import_progress(tmp_path: Path, broker_url: str) -> None:
    """``count_files``: a batch's outcomes added up, and a redelivered batch (or part of one) not counted again."""
    from worker import backfill

    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'unused.db'}", broker_url)
    import_id = backfill.new_import_id()
    backfill.start_progress(settings, import_id, source="/backfill", total=4, skipped=0)
    try:
        batch = [("/in/a.txt", "ingested", None), ("/in/b.txt", "duplicate", None),
                 ("/in/c.bin", "quarantined", "无法识别的文件格式"), ("/in/d.txt", "failed", "RuntimeError: bug")]  # fmt: skip
        backfill.count_files(settings, import_id, batch[:2])
        backfill.count_files(settings, import_id, batch)  # redelivered with the rest: only c and d are new
        backfill.count_files(settings, import_id, batch)
        progress = backfill.get_progress(settings, import_id)
        assert progress is not None and progress.finished
        assert progress.done == 4
        assert {k: v for k, v in progress.counts.items() if v} == {"ingested": 1, "duplicate": 1, "quarantined": 1,
                                                                    "failed": 1}  # fmt: skip
        assert backfill.problems(settings, import_id) == [("quarantined", "c.bin", "无法识别的文件格式"),
                                                          ("failed", "d.txt", "RuntimeError: bug")]  # fmt: skip
    finally:
        backfill.forget(settings, import_id)
