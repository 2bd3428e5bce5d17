"""Extraction benchmark: each format's extractor against the text extractor on the same report.

Corpus: the committed samples (tests/samples/formats/report_*), which all publish one report.
Baseline: ``extract_file`` on the UTF-8-BOM text version (read, sniff, decode, split lines).
Measured: ``extract_file`` on the GB18030 and UTF-16 texts, the .docx, the two HTML pages and the ruled PDF.
Times are CPU time of this process (``time.process_time``), best of several passes; printed as ms per file
and as a ratio to the baseline measured in the same run. Nothing is asserted.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples" / "formats"
PASSES = int(os.environ.get("NIANBAO_BENCH_PASSES", "5"))
FILES = [
    "report_utf8_bom.txt",
    "report_gb18030.txt",
    "report_utf16.txt",
    "report_word_textbox.docx",
    "report_word_export.htm",
    "report_portal_gbk.html",
    "report_ruled.pdf",
    "report_aligned.pdf",
]


def _best(path: Path) -> float:
    from worker.extract import extract_file

    best = float("inf")
    for _ in range(PASSES):
        start = time.process_time()
        extract_file(path)
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    baseline = _best(SAMPLES / FILES[0])
    print(f"{'file':28} {'ms/file':>9} {'x baseline':>11}")
    for name in FILES:
        t = _best(SAMPLES / name)
        print(f"{name:28} {t * 1000:9.1f} {t / baseline:11.1f}")
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
