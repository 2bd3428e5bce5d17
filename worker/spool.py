"""File moves of the ingest task: claim into processing/, then archive/ or quarantine/.

A claim is the directory ``processing/<token>/`` (token = the Celery task id) holding the file and a
``.lock`` that the working process keeps ``flock``-ed. The lock dies with the process, so a file whose lock
is free belongs to nobody and is recovered (re-enqueued) on worker start; a file whose lock is held is in
flight and left alone. All moves are ``rename`` (atomic on one file system); a cross-device inbox is first
renamed to a hidden name beside itself, so two workers never both claim one file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from worker.settings import Settings

LOCK_NAME = ".lock"
STALE_EMPTY_S = 300.0  # an empty, unlocked claim directory this old is debris: removed by a sweep


class ClaimGone(Exception):
    """The file is no longer there (another delivery handled it)."""


class ClaimBusy(Exception):
    """Another live process holds the file."""


@dataclass
class Claim:
    """A file this process holds in processing/ until ``release``."""

    path: Path  # processing/<token>/<name>
    name: str
    original_path: str
    _lock: IO[str] | None = field(default=None, repr=False)

    @property
    def directory(self) -> Path:
        return self.path.parent

    def release(self) -> None:
        """Drop the lock and remove the claim directory once the file has left it."""
        if self._lock is not None:
            if not self.path.exists():
                for leftover in (self.directory / LOCK_NAME, self.directory / ".origin", self.directory):
                    with contextlib.suppress(OSError):
                        leftover.unlink() if leftover.is_file() else leftover.rmdir()
            self._lock.close()
            self._lock = None


def _try_lock(directory: Path, wait: float = 0.0) -> IO[str]:
    """flock ``directory/.lock``, waiting up to ``wait`` seconds; raises ClaimBusy or ClaimGone.

    A sweep (``orphans``) holds a free lock for a moment only; a fresh claim waits that moment out.
    """
    try:
        fh = open(directory / LOCK_NAME, "a+")  # noqa: SIM115 (kept open for the claim's lifetime)
    except FileNotFoundError as exc:
        raise ClaimGone(str(directory)) from exc
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fh
        except BlockingIOError as exc:
            if time.monotonic() >= deadline:
                fh.close()
                raise ClaimBusy(str(directory)) from exc
            time.sleep(0.01)


def _move(src: Path, dst: Path) -> None:
    """Rename, falling back to copy + delete across devices (after an atomic rename to a hidden name)."""
    try:
        os.rename(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        hidden = src.with_name(f".{src.name}.{os.getpid()}.moving")
        os.rename(src, hidden)  # the atomic part: whoever wins this owns the file
        tmp = dst.with_name(f".{dst.name}.part")
        shutil.copy2(hidden, tmp)
        os.replace(tmp, dst)
        hidden.unlink()


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def claim(path: Path, settings: Settings, token: str) -> Claim:
    """Take ``path`` (in the inbox, or an orphan in processing/) into ``processing/<token>/``.

    Args:
        path: The file named by the task.
        settings: For the processing directory.
        token: Unique per task (the task id); a redelivery of the same task finds its own claim.

    Raises:
        ClaimGone: Nothing to do: the file was already taken and finished by someone else.
        ClaimBusy: A live process is working on it.
    """
    processing = settings.processing_path
    mine = processing / token
    name = path.name
    own = mine / name
    if own.exists():  # this very task was delivered before (worker killed) and left its claim behind
        lock = _try_lock(mine)
        if not own.exists():
            lock.close()
            raise ClaimGone(str(own))
        return Claim(own, name, _original(mine, path), lock)

    src = path if path.is_absolute() else path.resolve()
    old_lock: IO[str] | None = None
    if _is_within(src, processing) and src.parent != processing:
        old_lock = _try_lock(src.parent)  # orphan of a dead worker: only if nobody holds it
        if not src.exists():
            old_lock.close()
            raise ClaimGone(str(src))
    elif not src.exists():
        raise ClaimGone(str(src))
    mine.mkdir(parents=True, exist_ok=True)
    lock = _try_lock(mine, wait=5.0)
    original = _original(src.parent, src) if old_lock else str(src)
    try:
        _move(src, own)
    except FileNotFoundError as exc:
        lock.close()
        for leftover in (mine / LOCK_NAME, mine):
            with contextlib.suppress(OSError):
                leftover.unlink() if leftover.is_file() else leftover.rmdir()
        raise ClaimGone(str(src)) from exc
    finally:
        if old_lock is not None:
            for leftover in (src.parent / LOCK_NAME, src.parent / ".origin", src.parent):
                with contextlib.suppress(OSError):
                    leftover.unlink() if leftover.is_file() else leftover.rmdir()
            old_lock.close()
    (mine / ".origin").write_text(original, encoding="utf-8")
    return Claim(own, name, original, lock)


def _original(directory: Path, fallback: Path) -> str:
    try:
        return (directory / ".origin").read_text(encoding="utf-8")
    except OSError:
        return str(fallback)


def free_name(directory: Path, name: str, tag: str) -> Path:
    """``directory/name``, or ``stem-<tag>[-n].suffix`` when that is taken."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if not target.exists():
        return target
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1000):
        target = directory / (f"{stem}-{tag}{suffix}" if n == 0 else f"{stem}-{tag}-{n}{suffix}")
        if not target.exists():
            return target
    raise FileExistsError(f"no free name for {name} in {directory}")


def archive(held: Claim, target: Path) -> Path:
    """Move the claimed file to ``target`` (from ``free_name``)."""
    _move(held.path, target)
    return target


def quarantine(held: Claim, target: Path, *, reason: str, stage: str, sha256: str | None) -> Path:
    """Move the claimed file to ``target`` and write ``<target>.error.txt`` explaining why."""
    note = target.with_name(target.name + ".error.txt")
    note.write_text(
        "\n".join(
            [
                f"reason: {reason}",
                f"stage: {stage}",
                f"file: {held.name}",
                f"original_path: {held.original_path}",
                f"sha256: {sha256 or '-'}",
                f"quarantined_at: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
                "",
            ]
        ),
        encoding="utf-8",
    )
    if held.path.exists():
        _move(held.path, target)
    return target


def _restore_interrupted_moves(inbox: Path) -> None:
    """Put back inbox files whose cross-device claim was cut short (``.<name>.<pid>.moving``, pid dead)."""
    if not inbox.is_dir():
        return
    for hidden in inbox.rglob(".*.moving"):
        parts = hidden.name[1:].rsplit(".", 2)  # name, pid, "moving"
        if len(parts) != 3 or not parts[1].isdigit():
            continue
        name, pid = parts[0], int(parts[1])
        try:
            os.kill(pid, 0)
            continue  # its mover is alive (still copying)
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        target = hidden.with_name(name)
        if not target.exists():
            with contextlib.suppress(OSError):
                os.rename(hidden, target)  # the watcher sees it again and enqueues it


def orphans(settings: Settings) -> list[Path]:
    """Files in processing/ whose claim lock nobody holds (their worker died): to be re-enqueued.

    Also puts back inbox files whose cross-device claim was interrupted, for the watcher to find.
    """
    _restore_interrupted_moves(settings.inbox_path)
    found: list[Path] = []
    root = settings.processing_path
    if not root.is_dir():
        return found
    for directory in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            lock = _try_lock(directory)
        except (ClaimBusy, ClaimGone):
            continue
        try:
            files = [p for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")]
            found += files
            if not files and time.time() - directory.stat().st_mtime > STALE_EMPTY_S:
                for leftover in (directory / LOCK_NAME, directory / ".origin", directory):
                    with contextlib.suppress(OSError):
                        leftover.unlink() if leftover.is_file() else leftover.rmdir()
        finally:
            lock.close()
    return found
