"""Run every benchmark: each ``bench/bench_*.py`` module's ``main()``, in name order (``make bench``).

Benchmarks print ratios against a baseline measured in the same run; nothing here is asserted by tests.
``bench_quality.py`` prints the quality of reading degraded text (certain / ambiguous cells, false findings)
and makes the run exit 1 when it sees a false finding or a wrong certain cell (docs/quality.md).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    status = 0
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}")
        status |= int(module.main() or 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
