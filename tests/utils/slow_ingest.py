"""Test-only: make every ingest slow, to kill a worker mid-task or hit the soft time limit.

Load it into a worker with Celery's ``--include tests.utils.slow_ingest`` (``WorkerProcess(...,
slow_seconds=N)`` does): on import it wraps ``worker.ingest.read`` so that each file sleeps
``NB_TEST_SLOW_SECONDS`` seconds after its claim and delivery count, before it is read. The worker's main
process imports it before forking its pool, so every pool process is slow. Nothing of this ships in the
package.
"""

from __future__ import annotations

import os
import time

from worker import ingest
from worker.parse.models import Report
from worker.spool import Claim

ENV = "NB_TEST_SLOW_SECONDS"

_read = ingest.read


def _slow_read(held: Claim) -> Report:
    time.sleep(float(os.environ.get(ENV, "0")))
    return _read(held)


ingest.read = _slow_read
