"""Is a file still open for writing by some process? (Linux: ``/proc/<pid>/fd``.)

A writer that pauses longer than ``stable_seconds`` while keeping its file open would otherwise have the
file queued half-written. Before a settled file is queued, the watcher asks here whether any process
holds it open for writing (write-only or read-write); if one does, the file is not settled yet.

One pass reads the fd links of every process visible to us and, only for a link that names one of the
candidate files, its ``fdinfo`` flags. Processes of other users are visible only when the watcher runs as
root (or with ``CAP_SYS_PTRACE``); processes in other containers or on other hosts (a network share) are
never visible. Where ``/proc`` does not exist the answer is always "not open" and the stability wait
(with inotify's close-after-write event) is the only guard.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")
_ACCESS_MODE = 0o3  # O_ACCMODE
_WRITING = {os.O_WRONLY, os.O_RDWR}


def _flags(fdinfo: Path) -> int | None:
    try:
        text = fdinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags:"):
            try:
                return int(line.split(":", 1)[1].strip(), 8)
            except ValueError:
                return None
    return None


def open_for_writing(paths: Iterable[Path], *, proc: Path = PROC) -> set[Path]:
    """Which of ``paths`` some process currently holds open for writing.

    Args:
        paths: absolute paths of regular files.
        proc: the proc file system (a parameter for tests only).

    Returns:
        The subset of ``paths`` (as given) that is open for writing; empty where ``/proc`` is unavailable.
    """
    wanted = {os.path.realpath(p): p for p in paths}
    if not wanted or not proc.is_dir():
        return set()
    busy: set[Path] = set()
    try:
        pids = [entry.name for entry in os.scandir(proc) if entry.name.isdigit()]
    except OSError:
        return set()
    for pid in pids:
        fd_dir = proc / pid / "fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # exited meanwhile, or another user's process
            continue
        for fd in fds:
            try:
                target = os.readlink(fd_dir / fd)
            except OSError:
                continue
            original = wanted.get(target)
            if original is None or original in busy:
                continue
            flags = _flags(proc / pid / "fdinfo" / fd)
            if flags is not None and flags & _ACCESS_MODE in _WRITING:
                busy.add(original)
        if len(busy) == len(wanted):
            break
    return busy
