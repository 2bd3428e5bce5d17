"""The cyclic garbage collector paused around work that allocates much and leaves (almost) no cycles.

Reference counting frees everything as usual while the collector is paused; only reference cycles wait for
it, and it runs again as soon as the pause ends (its counts kept growing meanwhile). Measured where it is
used:

* one report's parse (``worker.parse``): many small objects that all live until the parse ends (tokens,
  items, cell dicts), none in a cycle; parse_text 6.5 -> 5.2 ms per report (bench corpus, A/B in one process);
* one batch of files (``worker.batch``): its parsed reports live until its store transaction, and every
  collection in between scanned them again (~0.9 ms of collector time per file in a batch of 50 text
  reports, ~0.04 ms paused). A batch of 50 leaves ~3,000 objects of cyclic garbage (text) or ~10 (PDF and
  .docx), collected when it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (nested pauses are free; it resumes only if it was on)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


__all__ = ["paused"]
