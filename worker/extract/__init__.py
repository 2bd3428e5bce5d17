"""Turn a file into ``Extracted`` lines. (Minimal text-only version; the formats work replaces it.)"""

from __future__ import annotations

from pathlib import Path

from worker.errors import ExtractionError
from worker.extract.base import Extracted, SourceLine

__all__ = ["Extracted", "SourceLine", "extract_file"]


def extract_file(path: Path) -> Extracted:
    """Read ``path`` and return its lines; raise ``ExtractionError`` with a user-facing reason."""
    data = path.read_bytes()
    if not data.strip():
        raise ExtractionError("empty file", path=str(path))
    if b"\x00" in data[:4096]:
        raise ExtractionError("binary content, not a text report", path=str(path))
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ExtractionError("cannot decode text (not UTF-8 or GB18030)", path=str(path))
    return Extracted(kind="txt", lines=[SourceLine(text=t) for t in text.splitlines()], encoding=enc)
