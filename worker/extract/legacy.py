"""Legacy binary formats (.doc, .wps, .rtf, .odt, Word 2003 XML): converted to .docx with LibreOffice.

When ``soffice`` (or ``libreoffice``) is on PATH the file is converted headless in a private temporary
directory (with its own LibreOffice profile, so parallel workers do not fight over one) and read by the
docx extractor; ``Extracted.kind`` is then ``Format.DOC`` (``"doc"``). Without LibreOffice the file is refused with
``legacy Word/WPS format: convert to .docx``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from worker.errors import ExtractionError
from worker.extract.base import Extracted
from worker.extract.docx import extract_docx
from worker.extract.formats import Format, Sniffed
from worker.logging import get_logger
from worker.settings import Settings, get_settings

NO_CONVERTER = "legacy Word/WPS format: convert to .docx"
log = get_logger(__name__)


def find_soffice() -> str | None:
    """Path of the LibreOffice binary, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def extract_legacy(
    path: Path, *, what: str = "legacy document", settings: Settings | None = None
) -> Extracted:
    """Convert a legacy document to .docx with LibreOffice and read it.

    Args:
        path: the file.
        what: what sniffing found, for messages.
        settings: limits and the conversion timeout (``soft_time_limit``).

    Raises:
        ExtractionError: no LibreOffice, or the conversion failed or timed out.
    """
    settings = settings or get_settings()
    soffice = find_soffice()
    if soffice is None:
        raise ExtractionError(NO_CONVERTER, path=str(path))
    timeout = max(10, int(settings.soft_time_limit * 0.8))
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        tmpdir = Path(tmp)
        source = tmpdir / ("input" + (path.suffix.lower() if path.suffix else ".doc"))
        shutil.copyfile(path, source)
        cmd = [
            soffice,
            f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx",
            "--outdir",
            str(tmpdir / "out"),
            str(source),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(
                f"{what}: LibreOffice conversion timed out after {timeout}s", path=str(path)
            ) from exc
        out = tmpdir / "out" / (source.stem + ".docx")
        if proc.returncode != 0 or not out.exists():
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()[:300]
            raise ExtractionError(
                f"{what}: LibreOffice could not convert it to .docx ({detail or 'no output'})", path=str(path)
            )
        log.info("legacy_converted", path=str(path), what=what)
        return extract_docx(out, settings=settings, kind=Format.DOC)


class LegacyExtractor:
    """The extractor table's entry for legacy documents (``extract_legacy``)."""

    format = Format.DOC

    def extract(self, path: Path, *, sniffed: Sniffed, settings: Settings) -> Extracted:
        """Convert with LibreOffice and read the result (see ``extract_legacy``)."""
        return extract_legacy(path, what=sniffed.what, settings=settings)
