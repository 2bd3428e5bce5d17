"""What a claimed file is, and whether it is still what was claimed (before anything is stored).

``snapshot`` never follows a symbolic link and never opens anything but a regular file (``O_NOFOLLOW``,
``O_NONBLOCK``): a link in the inbox is hashed by its target *text* and refused, so a worker running as
root never reads ``/etc/shadow`` through ``inbox/s.txt``; a FIFO or device is refused without being opened.
``changed`` compares a fresh snapshot with the one taken at claim: a writer that kept the file open and
went on writing after the claim is caught before its half-written content is stored.
"""

from __future__ import annotations

import enum
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path


class FileKind(enum.StrEnum):
    """What the claimed name is."""

    REGULAR = "regular"
    SYMLINK = "symlink"
    SPECIAL = "special"  # FIFO, socket, device, directory


@dataclass(frozen=True)
class Snapshot:
    """A claimed file's kind, size, modification time and content hash."""

    kind: FileKind
    size: int
    mtime_ns: int
    sha256: str
    link_target: str | None = None


def snapshot(path: Path) -> Snapshot:
    """Hash ``path`` without following it (a link: its target text; a special file: its type only)."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(path)
        link_sha = hashlib.sha256(b"symlink\0" + os.fsencode(target)).hexdigest()
        return Snapshot(FileKind.SYMLINK, st.st_size, st.st_mtime_ns, link_sha, link_target=target)
    if not stat.S_ISREG(st.st_mode):
        kind_sha = hashlib.sha256(b"special\0" + stat.filemode(st.st_mode).encode()).hexdigest()
        return Snapshot(FileKind.SPECIAL, 0, st.st_mtime_ns, kind_sha)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        opened = os.fstat(fh.fileno())
        digest = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return Snapshot(FileKind.REGULAR, opened.st_size, opened.st_mtime_ns, digest.hexdigest())


def changed(path: Path, before: Snapshot) -> bool:
    """Is ``path`` no longer what ``before`` saw (size, modification time or content)?"""
    try:
        now = snapshot(path)
    except OSError:
        return True
    return (now.kind, now.size, now.mtime_ns, now.sha256) != (before.kind, before.size, before.mtime_ns, before.sha256)


def refusal(snap: Snapshot, name: str) -> str | None:
    """The zh-CN reason a file of this kind is not read, or None for a regular file."""
    if snap.kind is FileKind.SYMLINK:
        return f"收件箱中的“{name}”是符号链接（指向 {snap.link_target}），不会跟随读取；已隔离链接本身"
    if snap.kind is FileKind.SPECIAL:
        return f"“{name}”不是普通文件（管道、设备或目录），不予读取"
    return None
