"""File moves of the ingest task: claim into processing/, then archive/ or quarantine/.

A claim is the directory ``processing/<token>/`` (token = the Celery task id) holding the file and a
``.lock`` that the working process keeps ``flock``-ed. The lock dies with the process, so a file whose lock
is free belongs to nobody and is recovered (re-enqueued) by a sweep; a file whose lock is held is in
flight and left alone. All moves are atomic on one file system; a cross-device inbox is first renamed to a
hidden name beside itself, so two workers never both claim one file. Moves into archive/ and quarantine/
never replace an existing file (``link`` + ``unlink``), so two files of one name never overwrite each other.

Only paths under the inbox or processing/ are claimed (``ClaimRefused`` otherwise), a symbolic link is
moved as the link (its target is never opened here), and every directory and file this module creates or
moves in is owner-only unless ``data_mode`` says otherwise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from worker import names
from worker.settings import Settings

LOCK_NAME = ".lock"
ORIGIN_NAME = ".origin"
NOTE_SUFFIX = ".error.txt"  # quarantine/<key>.error.txt beside the folder quarantine/<key>/ (no input name)
STALE_EMPTY_S = 300.0  # an empty, unlocked claim directory this old is debris: removed by a sweep


class ClaimGone(Exception):
    """The file is no longer there (another delivery handled it)."""


class ClaimBusy(Exception):
    """Another live process holds the file."""


class ClaimRefused(Exception):
    """The path is not under the inbox or processing/: nothing is touched."""


@dataclass
class Claim:
    """A file this process holds in processing/ until ``release``."""

    path: Path  # processing/<token>/<name>
    name: str  # the file-system name (surrogate-escaped text)
    original_path: str
    _lock: IO[str] | None = field(default=None, repr=False)

    @property
    def directory(self) -> Path:
        return self.path.parent

    def release(self) -> None:
        """Drop the lock and remove the claim directory once the file has left it."""
        if self._lock is not None:
            if not os.path.lexists(self.path):
                _remove_claim_dir(self.directory)
            self._lock.close()
            self._lock = None


def _remove_claim_dir(directory: Path) -> None:
    for leftover in (directory / LOCK_NAME, directory / ORIGIN_NAME, directory):
        with contextlib.suppress(OSError):
            leftover.rmdir() if leftover == directory else leftover.unlink()


def make_dir(path: Path, settings: Settings) -> Path:
    """``mkdir -p`` with ``data_mode`` on what it creates (and on ``path`` itself)."""
    mode = settings.dir_mode
    if mode is None:
        path.mkdir(parents=True, exist_ok=True)
        return path
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        with contextlib.suppress(OSError):
            os.chmod(created, mode)
    return path


def _own_file(path: Path, settings: Settings) -> None:
    """Give a file moved into archive/ or quarantine/ the data file mode (links are left as they are)."""
    mode = settings.file_mode
    if mode is not None and not path.is_symlink():
        with contextlib.suppress(OSError):
            os.chmod(path, mode)


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


def _move(src: Path, dst: Path, *, replace: bool = True) -> None:
    """Move ``src`` to ``dst`` atomically; across devices copy + delete after an atomic rename to a hidden name.

    Raises:
        FileExistsError: ``replace`` is False and ``dst`` exists.
    """
    try:
        if replace:
            os.rename(src, dst)
            return
        try:
            os.link(src, dst, follow_symlinks=False)  # fails when dst exists: never replaces
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            if os.path.lexists(dst):  # a file system without hard links: check, then rename
                raise FileExistsError(errno.EEXIST, "exists", str(dst)) from exc
            os.rename(src, dst)
            return
        os.unlink(src)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        pid = f".{os.getpid()}.moving"
        hidden = src.with_name("." + names.fit(src.name, reserve=len(pid) + 1) + pid)
        os.rename(src, hidden)  # the atomic part: whoever wins this owns the file
        if not replace and os.path.lexists(dst):
            os.rename(hidden, src)
            raise FileExistsError(errno.EEXIST, "exists", str(dst)) from exc
        tmp = dst.with_name("." + names.fit(dst.name, reserve=len(".part") + 1) + ".part")
        shutil.copy2(hidden, tmp, follow_symlinks=False)
        os.replace(tmp, dst)
        hidden.unlink()


def _is_within(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def within_roots(path: Path, settings: Settings) -> bool:
    """Is ``path`` (its directory, symlinks resolved; the file itself is not followed) under the inbox or processing/?"""
    parent = Path(os.path.realpath(os.path.abspath(path).rsplit(os.sep, 1)[0] or os.sep))
    roots = (Path(os.path.realpath(settings.inbox_path)), Path(os.path.realpath(settings.processing_path)))
    return any(_is_within(parent, root) for root in roots)


def claim(path: Path, settings: Settings, token: str, *, original: str | None = None) -> Claim:
    """Take ``path`` (in the inbox, or an orphan in processing/) into ``processing/<token>/``.

    Args:
        path: The file named by the task.
        settings: For the inbox and processing directories.
        token: Unique per task (the task id); a redelivery of the same task finds its own claim.
        original: The path to record as where the file arrived, when not ``path`` itself (a file staged by
            ``nianbao import`` arrives as ``<inbox>/<its path below the imported folder>``).

    Raises:
        ClaimRefused: ``path`` is not under the inbox or processing/ (nothing is touched).
        ClaimGone: Nothing to do: the file was already taken and finished by someone else.
        ClaimBusy: A live process is working on it.
    """
    if not within_roots(path, settings):
        raise ClaimRefused(str(path))
    processing = settings.processing_path
    mine = processing / token
    name = path.name
    own = mine / (name + "~" if name in (LOCK_NAME, ORIGIN_NAME) else name)
    if os.path.lexists(own):  # this very task was delivered before (worker killed) and left its claim behind
        lock = _try_lock(mine)
        if not os.path.lexists(own):
            lock.close()
            raise ClaimGone(str(own))
        return Claim(own, name, _original(mine, path), lock)

    src = Path(os.path.abspath(path))
    old_lock: IO[str] | None = None
    if _is_within(src, processing) and src.parent != processing:
        old_lock = _try_lock(src.parent)  # orphan of a dead worker: only if nobody holds it
        if not os.path.lexists(src):
            old_lock.close()
            raise ClaimGone(str(src))
    elif not os.path.lexists(src):
        raise ClaimGone(str(src))
    make_dir(mine, settings)
    lock = _try_lock(mine, wait=5.0)
    original = _original(src.parent, src) if old_lock else (original or str(src))
    try:
        _move(src, own)
    except FileNotFoundError as exc:
        lock.close()
        _remove_claim_dir(mine)
        raise ClaimGone(str(src)) from exc
    finally:
        if old_lock is not None:
            _remove_claim_dir(src.parent)
            old_lock.close()
    (mine / ORIGIN_NAME).write_bytes(names.to_bytes(original))
    return Claim(own, name, original, lock)


def _original(directory: Path, fallback: Path) -> str:
    try:
        return os.fsdecode((directory / ORIGIN_NAME).read_bytes())
    except OSError:
        return str(fallback)


def free_name(directory: Path, name: str, tag: str, *, settings: Settings | None = None) -> Path:
    """``directory/name``, or ``stem-<tag>[-n].suffix`` when that is taken (shortened to fit NAME_MAX)."""
    if settings is not None:
        make_dir(directory, settings)
    else:
        directory.mkdir(parents=True, exist_ok=True)
    target = directory / names.fit(name)
    if not os.path.lexists(target):
        return target
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1000):
        target = directory / names.fit(f"{stem}-{tag}{suffix}" if n == 0 else f"{stem}-{tag}-{n}{suffix}")
        if not os.path.lexists(target):
            return target
    raise FileExistsError(f"no free name for {name} in {directory}")


def archive(held: Claim, target: Path, *, settings: Settings | None = None) -> Path:
    """Move the claimed file to ``target`` (never replacing a file there: FileExistsError)."""
    _move(held.path, target, replace=False)
    if settings is not None:
        _own_file(target, settings)
    return target


def reserve_quarantine(settings: Settings, name: str, tag: str) -> Path:
    """A new folder ``quarantine/<tag>[-n]/`` for one record; returns the file's path in it."""
    root = make_dir(settings.quarantine_path, settings)
    for n in range(10000):
        folder = root / (tag if n == 0 else f"{tag}-{n}")
        try:
            folder.mkdir(mode=settings.dir_mode or 0o777)
        except FileExistsError:
            continue
        return folder / names.fit(name)
    raise FileExistsError(f"no free quarantine folder for {tag}")


def note_path(target: Path) -> Path:
    """The note of a quarantined file: ``quarantine/<key>.error.txt`` beside its folder (no input can take it)."""
    return target.parent.with_name(target.parent.name + NOTE_SUFFIX)


def clear_quarantine(target: Path, settings: Settings) -> None:
    """Remove what is left of the quarantined file ``target`` once the file itself is gone or moved away: its
    note and its (then empty) folder. A file of the older flat layout (``quarantine/<name>`` with
    ``<name>.error.txt``) has its note beside it."""
    if target.parent == settings.quarantine_path:
        target.with_name(target.name + NOTE_SUFFIX).unlink(missing_ok=True)
        return
    note_path(target).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: something else lies there, keep it
        target.parent.rmdir()


def quarantine(held: Claim, target: Path, *, reason: str, stage: str, sha256: str | None, settings: Settings) -> Path:
    """Move the claimed file to ``target`` (from ``reserve_quarantine``), then write its note."""
    make_dir(target.parent, settings)
    if os.path.lexists(held.path):
        _move(held.path, target, replace=False)
        _own_file(target, settings)
    note = note_path(target)
    note.write_text(
        "\n".join(
            [
                f"reason: {reason}",
                f"stage: {stage}",
                f"file: {names.display_name(held.name)}",
                f"original_path: {names.display_name(held.original_path)}",
                f"sha256: {sha256 or '-'}",
                f"quarantined_at: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
                "",
            ]
        ),
        encoding="utf-8",
    )
    _own_file(note, settings)
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
        if not os.path.lexists(target):
            with contextlib.suppress(OSError):
                os.rename(hidden, target)  # the watcher sees it again and enqueues it


def _claimed(directory: Path) -> list[Path]:
    """The claimed entries of a claim directory: anything but our own lock and origin (links included)."""
    out = []
    for p in directory.iterdir():
        if p.name in (LOCK_NAME, ORIGIN_NAME):
            continue
        with contextlib.suppress(OSError):
            if not stat.S_ISDIR(p.lstat().st_mode):
                out.append(p)
    return out


def orphans(settings: Settings) -> list[Path]:
    """Files in processing/ whose claim lock nobody holds (their worker died): to be re-enqueued.

    Also puts back inbox files whose cross-device claim was interrupted, for the watcher to find.
    """
    _restore_interrupted_moves(settings.inbox_path)
    found: list[Path] = []
    root = settings.processing_path
    if not root.is_dir():
        return found
    for directory in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        try:
            lock = _try_lock(directory)
        except (ClaimBusy, ClaimGone):
            continue
        try:
            files = _claimed(directory)
            found += files
            if not files and time.time() - directory.stat().st_mtime > STALE_EMPTY_S:
                _remove_claim_dir(directory)
        finally:
            lock.close()
    return found
