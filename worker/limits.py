"""Memory ceilings of Celery pool children, so that a hostile file costs a quarantine, not the host.

``connect_memory_limits(app)`` (called once from ``worker.app``):

* at ``worker_process_init`` each pool child sets ``RLIMIT_AS`` to its address space at start plus
  ``settings.max_task_memory_mb``: an extraction that would grow past it gets a ``MemoryError``, which
  ``extract_file`` turns into the quarantine reason ``Reason.OUT_OF_MEMORY``;
* ``worker_max_memory_per_child`` is half of ``max_task_memory_mb``: a child whose resident size ends a task above
  it is replaced by a fresh one, so the pool returns to its normal size after a large file.

The ceiling is per process; the main process and the solo pool are not limited. Celery sends
``worker_process_init`` from the solo pool too, inside the process that started the worker (a test run, an
embedding program): the ceiling is applied only in a process forked after this module was imported, so
such a host never inherits it (a browser started later by that host would fail to reserve its heap).
"""

from __future__ import annotations

import os
import resource
from typing import Any

from celery import Celery, signals

from worker.settings import get_settings

MB = 1024 * 1024
_IMPORTED_IN = os.getpid()  # the worker's main process: prefork children are forked from it


def address_space_bytes() -> int:
    """The current process's virtual size (``VmSize``), 0 where /proc is not available."""
    try:
        with open(f"/proc/{os.getpid()}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def apply_memory_ceiling(budget_mb: int) -> int | None:
    """Limit this process's address space to its current size plus ``budget_mb`` (0: no limit).

    Returns:
        The ceiling in bytes, or None when none was set.
    """
    if budget_mb <= 0:
        return None
    ceiling = address_space_bytes() + budget_mb * MB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    return ceiling


def _on_process_init(**_: Any) -> None:
    if os.getpid() != _IMPORTED_IN:  # a forked pool child, not the process that runs the worker
        apply_memory_ceiling(get_settings().max_task_memory_mb)


def connect_memory_limits(app: Celery) -> None:
    """Recycle pool children past ``max_task_memory_mb`` and give each one an address-space ceiling."""
    budget = get_settings().max_task_memory_mb
    if budget > 0:
        app.conf.worker_max_memory_per_child = budget * 1024 // 2  # KiB of resident memory
    signals.worker_process_init.connect(_on_process_init, weak=False)
