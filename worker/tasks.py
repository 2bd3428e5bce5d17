"""Celery tasks of the pipeline; the logic is in ``worker.ingest`` (tasks only add retries and context).

A ``RetryableError`` (database unavailable or locked, broker hiccup while sending an alert) retries the
whole task through Celery's ``autoretry_for``: the n-th retry waits ``min(retry_backoff_max,
retry_backoff * 2**n)`` seconds, a uniformly random part of that with ``retry_jitter``, at most
``retry_max`` times. The file stays claimed in processing/ meanwhile, and the retry resumes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from celery import Task

from worker import tasknames
from worker.app import app
from worker.errors import RetryableError
from worker.logging import get_logger
from worker.settings import get_settings

log = get_logger(__name__)

_settings = get_settings()


def _send(name: str, args: list[Any]) -> None:
    app.send_task(name, args=args)


@app.task(  # type: ignore[untyped-decorator]
    name=tasknames.INGEST,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(RetryableError,),
    retry_backoff=_settings.retry_backoff,
    retry_backoff_max=_settings.retry_backoff_max,
    retry_jitter=_settings.retry_jitter,
    max_retries=_settings.retry_max,
)
def ingest(self: Task, path: str) -> dict[str, Any]:
    """Claim, parse, check, store, alert and archive one file (idempotent; safe to deliver twice)."""
    from worker.ingest import ingest_file

    structlog.contextvars.bind_contextvars(task_id=self.request.id, path=path)
    try:
        result = ingest_file(
            Path(path), settings=get_settings(), task_id=str(self.request.id), send_task=_send
        )
        return result.as_dict()
    except RetryableError as exc:
        log.warning("ingest_retry", error=str(exc), retries=self.request.retries)
        raise  # Celery's autoretry schedules the retry
    finally:
        structlog.contextvars.clear_contextvars()
