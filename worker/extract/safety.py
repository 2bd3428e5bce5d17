"""Limits that keep a hostile file from exhausting the worker.

* ``check_size``: per-file size limit (``settings.max_file_mb``) and the empty file.
* ``open_zip`` / ``read_zip_entry``: ZIP containers (docx) with an entry-count limit
  (``settings.zip_max_entries``), a total uncompressed size limit (``settings.zip_max_uncompressed_mb``),
  encrypted entries refused. Reads never return more than the declared size, so the declared sizes bound
  memory even when they lie (zipfile stops at the declared size and checks the CRC).
* ``parse_xml``: XML through defusedxml with DTDs, entity declarations and external references forbidden
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

from worker.errors import ExtractionError
from worker.settings import Settings, get_settings

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MB = 1024 * 1024


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
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from exc
    if size == 0:
        raise ExtractionError("empty file (0 bytes)", path=str(path))
    limit = settings.max_file_mb * MB
    if size > limit:
        raise ExtractionError(
            f"file too large: {size / MB:.1f} MB, limit is {settings.max_file_mb:g} MB (max_file_mb)",
            path=str(path),
        )
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
        raise ExtractionError(f"corrupt or truncated ZIP/Office file: {exc}", path=str(path)) from exc
    infos = zf.infolist()
    if len(infos) > settings.zip_max_entries:
        zf.close()
        raise ExtractionError(
            f"ZIP bomb refused: {len(infos)} entries, limit is {settings.zip_max_entries} (zip_max_entries)",
            path=str(path),
        )
    total = sum(info.file_size for info in infos)
    if total > settings.zip_max_uncompressed_mb * MB:
        zf.close()
        raise ExtractionError(
            f"ZIP bomb refused: {total / MB:.0f} MB uncompressed, limit is "
            f"{settings.zip_max_uncompressed_mb:g} MB (zip_max_uncompressed_mb)",
            path=str(path),
        )
    if any(info.flag_bits & 0x1 for info in infos):
        zf.close()
        raise ExtractionError("password-protected ZIP/Office file: remove the password", path=str(path))
    return zf


def read_zip_entry(zf: zipfile.ZipFile, name: str, *, path: Path) -> bytes:
    """Read one entry; a corrupt entry (bad CRC, truncated data) becomes an ``ExtractionError``."""
    try:
        return zf.read(name)
    except KeyError as exc:
        raise ExtractionError(f"corrupt Office file: entry {name} is missing", path=str(path)) from exc
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise ExtractionError(f"corrupt or truncated ZIP/Office file: {name}: {exc}", path=str(path)) from exc
    except Exception as exc:  # zlib.error and friends
        reraise_time_limit(exc)
        raise ExtractionError(f"corrupt ZIP/Office file: {name}: {exc}", path=str(path)) from exc


def parse_xml(data: bytes, *, name: str, path: Path) -> Element:
    """Parse XML with DTDs, entities and external references forbidden.

    Raises:
        ExtractionError: unsafe constructs (the billion-laughs family) or malformed XML.
    """
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        return root
    except DefusedXmlException as exc:
        raise ExtractionError(
            f"unsafe XML refused in {name}: {type(exc).__name__} (DTD/entity declarations are not allowed)",
            path=str(path),
        ) from exc
    except SafeET.ParseError as exc:
        raise ExtractionError(f"corrupt Office file: malformed XML in {name}: {exc}", path=str(path)) from exc


_CONTROL = {"SoftTimeLimitExceeded", "TimeLimitExceeded", "Terminated", "WorkerLostError"}


def reraise_time_limit(exc: BaseException) -> None:
    """Re-raise Celery's soft time limit (and other control-flow exceptions) untouched.

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
