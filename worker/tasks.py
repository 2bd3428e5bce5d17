"""Celery tasks of the pipeline; the logic is in ``worker.ingest`` (tasks only add retries and context)."""

from __future__ import annotations

import random
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


def backoff(retries: int, *, base: float, jitter: bool, cap: float = 600.0) -> float:
    """Exponential backoff with full jitter: ``U(0, min(cap, base * 2**retries))`` (or the bound without jitter)."""
    bound = min(cap, base * (2**retries))
    return random.uniform(base / 2, bound) if jitter else bound


def _send(name: str, args: list[Any]) -> None:
    app.send_task(name, args=args)


@app.task(name=tasknames.INGEST, bind=True, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def ingest(self: Task, path: str) -> dict[str, Any]:
    """Claim, parse, check, store, alert and archive one file (idempotent; safe to deliver twice)."""
    from worker.ingest import ingest_file

    settings = get_settings()
    structlog.contextvars.bind_contextvars(task_id=self.request.id, path=path)
    try:
        result = ingest_file(Path(path), settings=settings, task_id=str(self.request.id), send_task=_send)
        return result.as_dict()
    except RetryableError as exc:
        delay = backoff(self.request.retries, base=settings.retry_backoff, jitter=settings.retry_jitter)
        log.warning("ingest_retry", error=str(exc), retries=self.request.retries, countdown=round(delay, 1))
        raise self.retry(exc=exc, countdown=delay, max_retries=settings.retry_max) from exc
    finally:
        structlog.contextvars.clear_contextvars()
