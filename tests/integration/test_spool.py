"""Claims in processing/ on the real file system: cross-device inboxes, sweeps, debris."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from tests.utils.services import make_settings
from worker import spool

SHM = Path("/dev/shm")


@pytest.mark.skipif(
    not SHM.is_dir() or os.stat(SHM).st_dev == os.stat(tempfile.gettempdir()).st_dev,
    reason="needs /dev/shm on another device than the temp dir",
)
def test_spool_claim_from_another_device(tmp_path: Path) -> None:
    inbox = Path(tempfile.mkdtemp(dir=SHM, prefix="nb-inbox-"))
    try:
        settings = make_settings(tmp_path, "sqlite://", inbox=inbox)
        src = inbox / "r.txt"
        src.write_bytes(b"report")
        held = spool.claim(src, settings, "t1")
        try:
            assert held.path.read_bytes() == b"report" and held.original_path == str(src)
            assert not src.exists() and list(inbox.iterdir()) == []  # no hidden leftovers either
        finally:
            spool.archive(held, spool.free_name(settings.archive_path, held.name, "x"))
            held.release()
        assert (settings.archive_path / "r.txt").read_bytes() == b"report"
        assert not (settings.processing_path / "t1").exists()
    finally:
        for p in inbox.iterdir():
            p.unlink()
        inbox.rmdir()


def test_spool_two_claims_of_one_file_one_wins(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    src = settings.inbox_path / "r.txt"
    src.write_bytes(b"x")
    held = spool.claim(src, settings, "a")
    try:
        with pytest.raises(spool.ClaimGone):
            spool.claim(src, settings, "b")
        with pytest.raises(spool.ClaimBusy):  # the winner is alive: its claim is not an orphan
            spool.claim(held.path, settings, "c")
        assert spool.orphans(settings) == []
    finally:
        held.release()
    assert not (settings.processing_path / "b").exists()


def test_spool_sweep_removes_old_empty_claim_dirs_only(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    old, fresh = settings.processing_path / "old", settings.processing_path / "fresh"
    for d in (old, fresh):
        d.mkdir(parents=True)
        (d / spool.LOCK_NAME).touch()
    past = time.time() - spool.STALE_EMPTY_S - 10
    os.utime(old, (past, past))
    assert spool.orphans(settings) == []
    assert not old.exists() and fresh.exists()


def test_spool_free_name_never_overwrites(tmp_path: Path) -> None:
    d = tmp_path / "archive"
    first = spool.free_name(d, "a.txt", "abcd1234")
    first.write_text("1")
    second = spool.free_name(d, "a.txt", "abcd1234")
    assert second.name == "a-abcd1234.txt"
    second.write_text("2")
    assert spool.free_name(d, "a.txt", "abcd1234").name == "a-abcd1234-1.txt"


def test_spool_sweep_puts_back_an_interrupted_cross_device_claim(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    sub = settings.inbox_path / "sub"
    sub.mkdir()
    dead = sub / ".r.txt.999999999.moving"  # renamed by a worker that died before copying
    dead.write_bytes(b"report")
    alive = settings.inbox_path / f".s.txt.{os.getpid()}.moving"  # a mover that is still copying
    alive.write_bytes(b"other")
    spool.orphans(settings)
    assert (sub / "r.txt").read_bytes() == b"report" and not dead.exists()
    assert alive.exists() and not (settings.inbox_path / "s.txt").exists()
