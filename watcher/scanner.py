"""Which paths under the inbox are candidates, and a walk that lists them (backfill and rescans).

A path is ignored when any component below the inbox matches one of the ignore patterns (``fnmatch``
syntax, matched case-sensitively against the bare name: ``.*`` covers hidden files, ``.DS_Store`` and
hidden directories such as ``.git/``; ``*.part``, ``*.tmp``, ``~$*``, ``*.swp`` ... cover partial
downloads, Office lock files and editor swap files), or when it lies inside one of the excluded
directories (archive/quarantine/processing, should they be placed under the inbox).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase
from pathlib import Path

#: Always ignored whatever the settings say: editor swap/backup files and hidden names.
BUILTIN_IGNORES: tuple[str, ...] = (".*", "*~", "*.swp", "*.swx", "*.swo", "#*#", "~$*")


class PathFilter:
    """Decide whether a path below the inbox should be considered at all.

    Args:
        inbox: the watched directory (resolved).
        patterns: ``fnmatch`` patterns matched against each path component's name.
        excluded: directories whose contents are never candidates (resolved paths).
    """

    def __init__(self, inbox: Path, patterns: Iterable[str], excluded: Iterable[Path] = ()) -> None:
        self.inbox = inbox
        self.patterns = tuple(dict.fromkeys([*patterns, *BUILTIN_IGNORES]))
        self.excluded = tuple(p for p in excluded if p == inbox or inbox in p.parents)

    def name_ignored(self, name: str) -> bool:
        """Whether a single file or directory name matches an ignore pattern."""
        return any(fnmatchcase(name, pattern) for pattern in self.patterns)

    def dir_excluded(self, path: Path) -> bool:
        """Whether ``path`` is, or is inside, one of the excluded directories."""
        return any(path == ex or ex in path.parents for ex in self.excluded)

    def accepts(self, path: Path) -> bool:
        """Whether ``path`` (absolute) is a candidate: under the inbox, not ignored, not excluded."""
        try:
            rel = path.relative_to(self.inbox)
        except ValueError:
            return False
        if not rel.parts:
            return False
        if any(self.name_ignored(part) for part in rel.parts):
            return False
        return not self.dir_excluded(path)


def _is_file_or_link(path: Path) -> bool:
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(mode) or stat.S_ISLNK(mode)


def scan(path_filter: PathFilter) -> Iterator[Path]:
    """Yield every candidate regular file or symlink below the inbox, pruning ignored and excluded dirs.

    Symlinks are never followed: a link (to a file, a directory, nothing, or in a loop) is yielded as a
    file itself, for the worker to judge. Unreadable directories are skipped (``os.walk`` swallows their
    errors).
    """
    root = path_filter.inbox
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        links = [d for d in dirnames if (here / d).is_symlink()]  # os.walk lists links to dirs as dirs
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in links and not path_filter.name_ignored(d) and not path_filter.dir_excluded(here / d)
        )
        for name in sorted([*filenames, *links]):
            path = here / name
            if path_filter.name_ignored(name):
                continue
            if _is_file_or_link(path):
                yield path
