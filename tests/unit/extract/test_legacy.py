"""Legacy .doc/.wps: converted with LibreOffice when installed, else refused with "convert to .docx"."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from worker.errors import ExtractionError
from worker.extract import extract_file
from worker.extract.legacy import NO_CONVERTER, find_soffice


def test_legacy_doc_is_converted_or_refused_with_the_reason(samples: Path, tmp_path: Path) -> None:
    soffice = find_soffice()
    if soffice is None:
        for name in ("legacy_word.doc", "legacy_really_doc.docx"):
            with pytest.raises(ExtractionError) as info:
                extract_file(samples / name)
            assert info.value.reason == NO_CONVERTER
        return
    # LibreOffice is here: make a real .doc from the committed .docx and read it back through the converter
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path),
            str(samples / "report_word_textbox.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    doc = tmp_path / "report_word_textbox.doc"
    renamed = tmp_path / "report.docx"  # a .doc with a .docx name is still a .doc
    renamed.write_bytes(doc.read_bytes())
    converted = extract_file(renamed)
    original = extract_file(samples / "report_word_textbox.docx")
    assert converted.kind == "doc"
    # the .doc round trip may split a grid column (LibreOffice re-derives widths): compare source cells
    assert [ln.own_cells() for ln in converted.lines if ln.cells] == [
        ln.own_cells() for ln in original.lines if ln.cells
    ]
    assert [ln.text for ln in converted.lines if not ln.cells] == [
        ln.text for ln in original.lines if not ln.cells
    ]
