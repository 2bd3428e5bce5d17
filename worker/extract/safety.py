"""Limits that keep a hostile file from exhausting the worker.

* ``check_size``: per-file size limit (``settings.max_file_mb``) and the empty file.
* ``open_zip`` / ``read_zip_entry``: ZIP containers (docx) with an entry-count limit
  (``settings.zip_max_entries``), a total uncompressed size limit (``settings.zip_max_uncompressed_mb``),
  encrypted entries refused. Reads never return more than the declared size, so the declared sizes bound
  memory even when they lie (zipfile stops at the declared size and checks the CRC).
* ``read_zip_entry``: one XML part over ``XML_PART_MAX_MB`` is refused before it is inflated.
* ``parse_xml``: more than ``XML_MAX_ELEMENTS`` tags refused before a tree is built; XML through defusedxml with DTDs, entity declarations and external references forbidden
  (billion laughs, quadratic blow-up, XXE).
* ``reraise_time_limit``: never turn Celery's soft time limit into an extraction error, so a slow PDF is
  cut off by the task, not swallowed here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from worker.extract.reasons import Reason, refuse
from worker.settings import Settings, get_settings

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MB = 1024 * 1024
XML_PART_MAX_MB = 32  # one XML part of a .docx; a report's document.xml is a few MB
XML_MAX_ELEMENTS = 1_500_000  # tags in one XML part; a report has ~100,000


def check_size(path: Path, settings: Settings | None = None) -> int:
    """Refuse empty files and files over the size limit.

    Args:
        path: the file.
        settings: defaults to ``get_settings()``.

    Returns:
        The size in bytes.

    Raises:
        ExtractionError: the file is missing, empty or too large.
    """
    settings = settings or get_settings()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise refuse(Reason.CANNOT_READ, path=path, detail=exc.strerror or exc) from exc
    if size == 0:
        raise refuse(Reason.EMPTY_FILE, path=path)
    limit = settings.max_file_mb * MB
    if size > limit:
        raise refuse(Reason.FILE_TOO_LARGE, path=path, size_mb=size / MB, limit_mb=settings.max_file_mb)
    return size


def open_zip(path: Path, settings: Settings | None = None) -> zipfile.ZipFile:
    """Open a ZIP container after checking it against the decompression-bomb limits.

    Raises:
        ExtractionError: corrupt/truncated, too many entries, too large uncompressed, or encrypted.
    """
    settings = settings or get_settings()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise refuse(Reason.CORRUPT_ZIP, path=path, detail=exc) from exc
    infos = zf.infolist()
    if len(infos) > settings.zip_max_entries:
        zf.close()
        raise refuse(Reason.ZIP_TOO_MANY_ENTRIES, path=path, entries=len(infos), limit=settings.zip_max_entries)
    total = sum(info.file_size for info in infos)
    if total > settings.zip_max_uncompressed_mb * MB:
        zf.close()
        raise refuse(
            Reason.ZIP_TOO_LARGE, path=path, size_mb=total / MB, limit_mb=settings.zip_max_uncompressed_mb
        )
    if any(info.flag_bits & 0x1 for info in infos):
        zf.close()
        raise refuse(Reason.ENCRYPTED_OFFICE, path=path)
    return zf


def read_zip_entry(zf: zipfile.ZipFile, name: str, *, path: Path) -> bytes:
    """Read one XML entry; a corrupt entry (bad CRC, truncated data) becomes an ``ExtractionError``.

    An entry over ``XML_PART_MAX_MB`` uncompressed is refused before it is inflated: the tree of a 190 MB
    document.xml costs gigabytes.
    """
    size = zf.getinfo(name).file_size if name in zf.NameToInfo else 0
    if size > XML_PART_MAX_MB * MB:
        raise refuse(Reason.ZIP_MEMBER_TOO_LARGE, path=path, name=name, size_mb=size / MB, limit_mb=XML_PART_MAX_MB)
    try:
        return zf.read(name)
    except KeyError as exc:
        raise refuse(Reason.CORRUPT_OFFICE, path=path, detail=f"缺少部件 {name}") from exc
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise refuse(Reason.CORRUPT_ZIP, path=path, detail=f"{name}: {exc}") from exc
    except Exception as exc:  # zlib.error and friends
        reraise_time_limit(exc)
        raise refuse(Reason.CORRUPT_ZIP, path=path, detail=f"{name}: {exc}") from exc


def parse_xml(data: bytes, *, name: str, path: Path) -> Element:
    """Parse XML with DTDs, entities and external references forbidden.

    Raises:
        ExtractionError: unsafe constructs (the billion-laughs family) or malformed XML.
    """
    elements = data.count(b"<")
    if elements > XML_MAX_ELEMENTS:
        raise refuse(Reason.XML_TOO_MANY_ELEMENTS, path=path, name=name, elements=elements, limit=XML_MAX_ELEMENTS)
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        return root
    except DefusedXmlException as exc:
        raise refuse(Reason.UNSAFE_XML, path=path, name=name, kind=type(exc).__name__) from exc
    except SafeET.ParseError as exc:
        raise refuse(Reason.MALFORMED_XML, path=path, name=name, detail=exc) from exc


_CONTROL = {"SoftTimeLimitExceeded", "TimeLimitExceeded", "Terminated", "WorkerLostError", "MemoryError"}


def reraise_time_limit(exc: BaseException) -> None:
    """Re-raise Celery's soft time limit (and other control-flow exceptions, and ``MemoryError``) untouched.

    ``MemoryError`` passes so that ``extract_file`` turns it into ``Reason.OUT_OF_MEMORY`` after the
    extractor's frames (and what they hold) are gone.

    Libraries wrap what they catch (pdfplumber's ``PdfminerException(original)``), so the wrapped exception,
    its ``__cause__`` and its ``__context__`` are looked at too.
    """
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if type(current).__name__ in _CONTROL:
            raise current
        todo.extend(a for a in current.args if isinstance(a, BaseException))
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
