"""Re-check stored reports with the current rules and severity overrides: ``nianbao.recheck`` and runs.

:func:`start_recheck` (the operations page, ``nianbao recheck``) records a ``recheck_run`` with the number
of matching reports, then sends one ``nianbao.recheck`` task per :data:`CHUNK` report ids. Each task
re-checks its reports one transaction each (worker/store/unit.py ``recheck_stored``: findings replaced,
reviews kept), counts them on the run (the progress the page polls) and sends ``nianbao.alert_report`` for
each, which mails only when the verdict changed. The run is done when every report is counted. A chunk
redelivered after a worker died is re-checked again (harmless) and counted again (the page never shows
more than 100 %).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from celery import Task, shared_task
from sqlmodel import Session, col

from worker import tasknames
from worker.errors import RetryableError
from worker.logging import get_logger
from worker.settings import Settings, get_settings
from worker.store import queries
from worker.store.db import session_scope
from worker.store.models import StoredReport, utcnow
from worker.store.review_models import RecheckRun, RecheckState
from worker.store.unit import recheck_stored

log = get_logger(__name__)
CHUNK = 100  # report ids per task
SendTask = Callable[[str, list[Any]], object]


def task_sender(settings: Settings) -> SendTask:
    """``send(name, args)`` through a producer-only Celery app for ``settings`` (the web and the CLI)."""
    from watcher.sender import make_celery_app

    app = make_celery_app(settings)

    def send(name: str, args: list[Any]) -> object:
        return app.send_task(name, args=args)

    return send


class RecheckNotQueued(RuntimeError):
    """The run was recorded but its tasks could not be sent (broker unreachable)."""


def start_recheck(
    settings: Settings,
    send: SendTask,
    *,
    year: int | None = None,
    path_prefix: str | None = None,
    requested_by: str,
) -> int:
    """Record a re-check run of the stored reports matching ``year``/``path_prefix`` and send its tasks.

    Args:
        settings: The settings (database).
        send: ``send(task_name, args)`` enqueues one task (a Celery producer's ``send_task``).
        year: Only reports of this year (None: all).
        path_prefix: Only reports whose administrative path starts with these whole segments.
        requested_by: Who asked (user name, or "cli").

    Returns:
        The run id.

    Raises:
        RecheckNotQueued: Sending failed; the run is marked ``not_queued``.
    """
    prefix = (path_prefix or "").strip("/") or None
    with session_scope(settings) as session:
        ids = queries.report_ids(session, queries.ReportFilter(year=year, path_prefix=prefix))
        run = RecheckRun(requested_by=requested_by, year=year, path_prefix=prefix, total=len(ids))
        if not ids:
            run.state, run.finished_at = RecheckState.DONE.value, utcnow()
        session.add(run)
        session.flush()
        assert run.id is not None
        run_id = run.id
    try:
        for start in range(0, len(ids), CHUNK):
            send(tasknames.RECHECK, [run_id, ids[start : start + CHUNK]])
    except Exception as exc:
        with session_scope(settings) as session:
            _update(session, run_id, state=RecheckState.NOT_QUEUED.value, finished_at=utcnow())
        raise RecheckNotQueued(f"cannot enqueue {tasknames.RECHECK}: {exc}") from exc
    log.info("recheck_started", run=run_id, reports=len(ids), year=year, path_prefix=prefix)
    return run_id


def _update(session: Session, run_id: int, **values: Any) -> None:
    session.execute(sa.update(RecheckRun).where(col(RecheckRun.id) == run_id).values(**values))


def _count(session: Session, run_id: int, *, failed: bool) -> None:
    """One more report handled by run ``run_id``; the run is done when all are."""
    if failed:
        _update(session, run_id, failed=col(RecheckRun.failed) + 1)
    else:
        _update(session, run_id, done=col(RecheckRun.done) + 1)
    session.execute(
        sa.update(RecheckRun)
        .where(
            col(RecheckRun.id) == run_id,
            col(RecheckRun.state) == RecheckState.RUNNING.value,
            col(RecheckRun.done) + col(RecheckRun.failed) >= col(RecheckRun.total),
        )
        .values(state=RecheckState.DONE.value, finished_at=utcnow())
    )


def recheck_one(settings: Settings, run_id: int, report_id: int) -> bool:
    """Re-check one report and count it on the run; False when the re-check failed (findings unchanged).

    Raises:
        RetryableError: The database is unavailable (the task retries; nothing was counted).
    """
    try:
        with session_scope(settings) as session:
            stored = session.get(StoredReport, report_id)
            if stored is not None:  # a report deleted meanwhile counts as done
                recheck_stored(session, stored, severity_overrides=settings.rule_severity)
            _count(session, run_id, failed=False)
        return True
    except RetryableError:
        raise
    except Exception as exc:  # a rule bug on one report must not stop the run
        log.warning("recheck_failed", run=run_id, report_id=report_id, error=f"{type(exc).__name__}: {exc}")
        with session_scope(settings) as session:
            _count(session, run_id, failed=True)
        return False


@shared_task(  # type: ignore[untyped-decorator]
    name=tasknames.RECHECK,
    bind=True,
    acks_late=True,
    autoretry_for=(RetryableError,),
    retry_backoff=True,
    max_retries=None,
)
def recheck(self: Task, run_id: int, report_ids: list[int]) -> dict[str, int]:
    """Re-check ``report_ids`` for run ``run_id`` and send their alert tasks."""
    settings = get_settings()
    done = failed = 0
    for report_id in report_ids:
        if recheck_one(settings, run_id, report_id):
            done += 1
            self.app.send_task(tasknames.ALERT_REPORT, args=[report_id])
        else:
            failed += 1
    log.info("recheck_chunk_done", run=run_id, done=done, failed=failed)
    return {"done": done, "failed": failed}
