"""The extractor table: which ``Extractor`` reads each ``Format``, and how added formats are recognised.

``EXTRACTORS`` maps every readable format to its extractor; ``extract_file`` looks the sniffed format up
here, and a format without an entry is refused as unsupported. The built-in formats are registered below
and recognised by ``sniff``; a format added later registers its extractor together with a ``Detector``
(``register_format``), which is asked before the built-in detection. docs/formats.md, "How to add a
format", walks through it.

This module imports every extractor (pdfplumber, lxml), so ``worker.extract`` imports it only when a file
is actually read.
"""

from __future__ import annotations

from pathlib import Path

from worker.errors import NianbaoError
from worker.extract.docx import DocxExtractor
from worker.extract.extractor import Detector, Extractor
from worker.extract.formats import Format, Sniffed
from worker.extract.html import HtmlExtractor
from worker.extract.legacy import LegacyExtractor
from worker.extract.pdf import PdfExtractor
from worker.extract.reasons import unsupported
from worker.extract.sniff import sniff
from worker.extract.txt import TxtExtractor

EXTRACTORS: dict[Format, Extractor] = {}
DETECTORS: dict[Format, Detector] = {}  # formats added with their own detection, asked in registration order


class FormatRegistryError(NianbaoError):
    """A format registered twice, or unregistered without having been registered."""


def register_format(extractor: Extractor, *, detect: Detector | None = None) -> None:
    """Add ``extractor`` to the table under ``extractor.format``.

    Args:
        extractor: reads the format.
        detect: recognises the format from a file's first bytes; needed for a format that ``sniff`` does
            not know (every format but the built-in ones).

    Raises:
        FormatRegistryError: the format already has an extractor.
    """
    if extractor.format in EXTRACTORS:
        held = type(EXTRACTORS[extractor.format]).__qualname__
        raise FormatRegistryError(f"format {extractor.format} is already read by {held}")
    EXTRACTORS[extractor.format] = extractor
    if detect is not None:
        DETECTORS[extractor.format] = detect


def unregister_format(fmt: Format) -> Extractor:
    """Remove ``fmt`` (its extractor and detector) from the table and return its extractor.

    Raises:
        FormatRegistryError: ``fmt`` has no extractor.
    """
    if fmt not in EXTRACTORS:
        raise FormatRegistryError(f"format {fmt} is not registered")
    DETECTORS.pop(fmt, None)
    return EXTRACTORS.pop(fmt)


def detect_format(path: Path, head: bytes) -> Sniffed:
    """What ``path`` is: the first registered detector that recognises it, else the built-in ``sniff``.

    Raises:
        UnsupportedFormatError: a format nianbao does not read (from ``sniff``).
        ExtractionError: empty, corrupt or password-protected containers (from ``sniff``).
    """
    for detect in list(DETECTORS.values()):
        found = detect(path, head)
        if found is not None:
            return found
    return sniff(path, head)


def extractor_for(found: Sniffed, *, path: Path) -> Extractor:
    """The extractor of the detected format.

    Raises:
        UnsupportedFormatError: ``不支持的文件格式：<what>`` when no extractor reads it.
    """
    extractor = EXTRACTORS.get(found.format)
    if extractor is None:
        raise unsupported(found.what, path=path)
    return extractor


for _builtin in (
    TxtExtractor(),
    DocxExtractor(),
    HtmlExtractor(),
    HtmlExtractor(mht=True),
    PdfExtractor(),
    LegacyExtractor(),
):
    register_format(_builtin)
