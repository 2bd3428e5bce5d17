"""Which paths under the inbox are candidates, and a walk that lists them (backfill and rescans).

A path is ignored when any component below the inbox matches one of the ignore patterns (``fnmatch``
syntax, matched case-sensitively against the bare name: ``.*`` covers hidden files, ``.DS_Store`` and
hidden directories such as ``.git/``; ``*.part``, ``*.tmp``, ``~$*``, ``*.swp`` ... cover partial
downloads, Office lock files and editor swap files), or when it lies inside one of the excluded
directories (archive/quarantine/processing, should they be placed under the inbox).
"""

from __future__ import annotations

import os
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


def scan(path_filter: PathFilter) -> Iterator[Path]:
    """Yield every candidate regular file below the inbox, pruning ignored and excluded directories.

    Unreadable directories are skipped (``os.walk`` swallows their errors); symlinked directories are
    not followed.
    """
    root = path_filter.inbox
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not path_filter.name_ignored(d) and not path_filter.dir_excluded(here / d)
        )
        for name in sorted(filenames):
            path = here / name
            if path_filter.name_ignored(name):
                continue
            if path.is_file():
                yield path
