"""Celery tasks of the alerts: ``nianbao.alert_report``, ``nianbao.alert_quarantine``, ``nianbao.alert_flush``.

Tasks take ids, reload state and exit cleanly when the record is gone; the logic lives in ledger.py
(never twice, windows) and digest.py (singles or a digest). Only these tasks retry SMTP failures: transient
ones with exponential backoff and jitter up to ``alert_retry_max`` attempts, after which the rows are marked
failed; permanent ones are recorded at once. Importing this module connects the task-run signal handlers.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from celery import Task, shared_task
from sqlmodel import Session, select

from worker import tasknames
from worker.alerts.digest import flush_recipient
from worker.alerts.ledger import (
    Recorded,
    fail_due,
    overdue_recipients,
    record_quarantine,
    record_report,
    release_stale_claims,
)
from worker.alerts.smtp import SmtpTransientError
from worker.alerts.source import load_quarantine_alert, load_report_alert
from worker.logging import get_logger
from worker.monitoring import connect_signals
from worker.settings import Settings, get_settings
from worker.store.db import session_scope
from worker.store.ops_models import DUE, AlertLedger, utcnow

log = get_logger(__name__)
A = TypeVar("A")  # the alert a record loads as (ReportAlert, QuarantineAlert)
connect_signals()

OVERDUE_GRACE_S = 60.0  # a window this late has lost its flush (broker restart): schedule another
STALE_CLAIM_S = 900.0  # rows "sending" this long belonged to a worker that died mid-send
EARLY_FIRE_S = 5.0  # a flush that fires this much before its window ends waits for it


def _retry_or_fail(
    task: Task, exc: SmtpTransientError, recipients: list[str], settings: Settings
) -> dict[str, Any]:
    n = task.request.retries
    if n >= settings.alert_retry_max:
        with session_scope(settings) as s:
            failed = sum(fail_due(s, r, error=f"gave up after {n + 1} attempts: {exc}") for r in recipients)
        log.error(
            "alert_retries_exhausted", recipients=recipients, attempts=n + 1, error=str(exc), failed=failed
        )
        return {"failed": failed, "error": str(exc)}
    countdown = settings.alert_retry_backoff * (2**n) * random.uniform(0.8, 1.2)
    log.warning(
        "alert_smtp_retry",
        recipients=recipients,
        attempt=n + 1,
        countdown=round(countdown, 1),
        error=str(exc),
    )
    raise task.retry(exc=exc, countdown=countdown, max_retries=settings.alert_retry_max)


def _flush_now(task: Task, recipients: list[str], settings: Settings) -> dict[str, Any]:
    sent = digests = 0
    for i, recipient in enumerate(recipients):
        try:
            res = flush_recipient(recipient, settings=settings)
        except SmtpTransientError as exc:
            return _retry_or_fail(task, exc, recipients[i:], settings)
        sent, digests = sent + res.sent, digests + res.digests
    return {"sent": sent, "digests": digests}


def _schedule(rec: Recorded) -> None:
    for recipient, end in rec.new_windows.items():
        countdown = max(0.0, (end - utcnow()).total_seconds())
        alert_flush.apply_async(args=[recipient], countdown=countdown)


def _kick_overdue(settings: Settings) -> None:
    """Self-healing: flushes lost with a broker restart are rescheduled by the next alert task."""
    now = utcnow()
    with session_scope(settings) as s:
        release_stale_claims(s, older_than=now - _td(STALE_CLAIM_S))
        late = overdue_recipients(s, before=now - _td(OVERDUE_GRACE_S), fresh_only=True)
    for recipient in late:
        alert_flush.apply_async(args=[recipient])


def _td(seconds: float) -> Any:
    import datetime as dt

    return dt.timedelta(seconds=seconds)


def _after_record(task: Task, rec: Recorded, settings: Settings) -> dict[str, Any]:
    out: dict[str, Any] = {"due": len(rec.rows), "recipients": rec.recipients}
    if settings.digest_window_seconds <= 0:
        with session_scope(settings) as s:
            recipients = overdue_recipients(s, before=utcnow())
        out.update(_flush_now(task, recipients, settings))
    else:
        _schedule(rec)
        _kick_overdue(settings)
    return out


def _record_alert(
    task: Task,
    record_id: int,
    *,
    kind: str,
    load: Callable[[Session, int], A | None],
    record: Callable[..., Recorded],
) -> dict[str, Any]:
    """The body of ``alert_report`` and ``alert_quarantine``: reload the record, record its alerts, send them.

    Args:
        task: the bound task (for SMTP retries).
        record_id: the report or quarantine record id.
        kind: "report" or "quarantine": names the log event (``alert_report_missing``,
            ``alert_quarantine_missing``) and its id field.
        load: reloads the record by id (None when the row is gone).
        record: records the alerts of the loaded record (``ledger.record_report`` / ``record_quarantine``).
    """
    settings = get_settings()
    if not settings.alerts_enabled:
        return {"skipped": "alerts disabled"}
    with session_scope(settings) as s:
        alert = load(s, record_id)
        if alert is None:
            log.warning(f"alert_{kind}_missing", **{f"{kind}_id": record_id})
            return {"missing": record_id}
        rec = record(s, alert, settings=settings)
    return _after_record(task, rec, settings)


@shared_task(name=tasknames.ALERT_REPORT, bind=True, acks_late=True)  # type: ignore[untyped-decorator]
def alert_report(self: Task, report_id: int) -> dict[str, Any]:
    """Record (and, without a digest window, send) the alerts of stored report ``report_id``.

    Call it for every stored or re-checked report version: a report without error findings sends nothing,
    unless an alert about it was sent before (then the recipients get "resolved").
    """
    return _record_alert(self, report_id, kind="report", load=load_report_alert, record=record_report)


@shared_task(name=tasknames.ALERT_QUARANTINE, bind=True, acks_late=True)  # type: ignore[untyped-decorator]
def alert_quarantine(self: Task, quarantine_id: int) -> dict[str, Any]:
    """Record (and, without a digest window, send) the alert of quarantine record ``quarantine_id``."""
    return _record_alert(
        self, quarantine_id, kind="quarantine", load=load_quarantine_alert, record=record_quarantine
    )


@shared_task(name=tasknames.ALERT_FLUSH, bind=True, acks_late=True)  # type: ignore[untyped-decorator]
def alert_flush(self: Task, recipient: str) -> dict[str, Any]:
    """At the end of a window: send the recipient's due alerts (singles, or one digest)."""
    settings = get_settings()
    with session_scope(settings) as s:
        next_end = s.exec(
            select(sa.func.min(AlertLedger.due_at)).where(
                AlertLedger.recipient == recipient, AlertLedger.status == DUE
            )
        ).one()
    if next_end is not None:
        early = (next_end - utcnow()).total_seconds()
        if 0 < early <= EARLY_FIRE_S:  # clocks differ a little between hosts: wait rather than miss it
            time.sleep(early)
    return _flush_now(self, [recipient], settings)
