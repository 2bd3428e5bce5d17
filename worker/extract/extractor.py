"""The two seams of the extractor table: an ``Extractor`` reads one format, a ``Detector`` recognises one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from worker.extract.base import Extracted
from worker.extract.formats import Format, Sniffed
from worker.settings import Settings

Detector = Callable[[Path, bytes], "Sniffed | None"]
"""Recognises a registered format from ``(path, first bytes)``: its ``Sniffed``, or None when not it.

The built-in formats are recognised by ``worker.extract.sniff.sniff``; a detector is for a format added
later, and is asked before the built-in detection (so a made-up text-based format is not read as text).
"""


class Extractor(Protocol):
    """Reads files of one format into ``Extracted`` lines.

    Attributes:
        format: the format it reads, its key in ``EXTRACTORS``.
    """

    format: Format

    def extract(self, path: Path, *, sniffed: Sniffed, settings: Settings) -> Extracted:
        """Read ``path``.

        Args:
            path: the file; its size was checked and its format detected.
            sniffed: what detection found (``sniffed.what`` words a message).
            settings: limits (ZIP sizes, conversion timeout).

        Returns:
            The file's lines and table rows in reading order.

        Raises:
            ExtractionError: with a user-facing ``reason`` when the file cannot be read.
        """
        ...
