"""Limits that keep a hostile file from exhausting the worker.

* ``check_size``: per-file size limit (``settings.max_file_mb``) and the empty file.
* ``open_zip`` / ``read_zip_entry``: ZIP containers (docx) with an entry-count limit
  (``settings.zip_max_entries``), a total uncompressed size limit (``settings.zip_max_uncompressed_mb``),
  encrypted entries refused. Reads never return more than the declared size, so the declared sizes bound
  memory even when they lie (zipfile stops at the declared size and checks the CRC).
* ``read_zip_entry``: one XML part over ``XML_PART_MAX_MB`` is refused before it is inflated.
* ``parse_xml``: more than ``XML_MAX_ELEMENTS`` tags refused before a tree is built; a document with a DTD
  (where entity declarations and external references live: billion laughs, quadratic blow-up, XXE) is
  refused. libxml2 (lxml) parses with entity expansion, network and DTD loading off, so the DTD is seen
  without being acted on; it is ~10x faster than defusedxml's pure-Python expat callbacks (docs/formats.md).
* ``reraise_time_limit``: never turn Celery's soft time limit into an extraction error, so a slow PDF is
  cut off by the task, not swallowed here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, cast

from lxml import etree

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
    if any(marker in data for marker in _DOCTYPE):  # before libxml2 reads the declarations at all
        raise refuse(Reason.UNSAFE_XML, path=path, name=name, kind="DTDForbidden")
    try:
        root = etree.fromstring(data, parser=_xml_parser())
    except etree.XMLSyntaxError as exc:
        if exc.code == etree.ErrorTypes.ERR_NO_MEMORY:  # libxml2 hit the address-space ceiling (worker/limits.py)
            raise MemoryError(f"libxml2 ran out of memory reading {name}") from exc
        raise refuse(Reason.MALFORMED_XML, path=path, name=name, detail=exc) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise refuse(Reason.UNSAFE_XML, path=path, name=name, kind="DTDForbidden")
    # lxml elements have the ElementTree API the docx reader uses (tag, iteration, get, text, tail, iter)
    return cast("Element", root)


_DOCTYPE = tuple("<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))


def _xml_parser() -> etree.XMLParser:
    """A libxml2 parser that expands no entity, loads no DTD, touches no network; comments and PIs dropped."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


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
