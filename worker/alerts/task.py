"""Celery tasks of the alerts: ``nianbao.alert_report``, ``nianbao.alert_quarantine``, ``nianbao.alert_flush``.

Tasks take ids, reload state and exit cleanly when the record is gone; the logic lives in ledger.py
(never twice, windows), digest.py (singles or a digest) and sendtime.py (routing by the current settings,
stale claims). Two kinds of retry:

* delivery: a transient channel failure is retried with exponential backoff and jitter until the rows have
  been attempted ``alert_retry_max + 1`` times (counted on the ledger rows, so a redelivered or
  outage-delayed task keeps the count); then they are marked failed. Permanent failures are recorded at once.
* database unavailable (``RetryableError`` from ``session_scope``): retried without a cap, every
  ``alert_retry_backoff`` doubled up to ``OUTAGE_BACKOFF_MAX_S``, so an outage of any length ends with the
  alert recorded and sent.

Importing this module connects the task-run signal handlers.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from celery import Task, shared_task
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from worker import tasknames
from worker.alerts.channels import EMAIL, TransientDeliveryError
from worker.alerts.digest import flush_recipient
from worker.alerts.ledger import Recorded, fail_due, overdue_targets, record_quarantine, record_report
from worker.alerts.sendtime import prepare
from worker.alerts.source import load_quarantine_alert, load_report_alert
from worker.errors import RetryableError
from worker.logging import get_logger
from worker.monitoring import connect_signals
from worker.settings import Settings, get_settings
from worker.store.db import session_scope
from worker.store.ops_models import DUE, AlertLedger, utcnow

log = get_logger(__name__)
A = TypeVar("A")  # the alert a record loads as (ReportAlert, QuarantineAlert)
Target = tuple[str, str]  # (channel, recipient)
connect_signals()

OVERDUE_GRACE_S = 60.0  # a window this late has lost its flush (broker restart): schedule another
EARLY_FIRE_S = 5.0  # a flush that fires this much before its window ends waits for it
RETRY_BACKOFF_MAX_S = 7200.0  # no delivery retry waits longer than this
OUTAGE_BACKOFF_MAX_S = 60.0  # while the database is unavailable, try again at least this often


class AlertTask(Task):  # type: ignore[misc]
    """Base of the alert tasks: no retry cap at Celery's level; the caps are the module doc's."""

    max_retries = None


def backoff(attempt: int, *, base: float, cap: float) -> float:
    """Delay before retry ``attempt`` (1 = the first): ``base * 2**(attempt-1)`` at most ``cap``, half jittered."""
    delay = min(cap, max(base, 0.05) * 2 ** min(max(attempt - 1, 0), 30))
    return random.uniform(delay / 2, delay)


def _claim_token(task: Task) -> str | None:
    """The task id as a claim token: a retry of the same task takes back the rows it had claimed."""
    task_id = getattr(task.request, "id", None)
    return task_id.replace("-", "")[:32] if task_id else None


def _flush_now(task: Task, targets: list[Target], settings: Settings) -> dict[str, Any]:
    """Flush every target; on a transient failure retry with backoff, or after the last attempt mark rows failed."""
    sent = digests = 0
    for i, (channel, recipient) in enumerate(targets):
        try:
            res = flush_recipient(recipient, settings=settings, channel=channel, token=_claim_token(task))
        except TransientDeliveryError as exc:
            if exc.attempts <= settings.alert_retry_max:
                delay = backoff(exc.attempts, base=settings.alert_retry_backoff, cap=RETRY_BACKOFF_MAX_S)
                log.warning("alert_delivery_retry", targets=targets[i:], attempt=exc.attempts, error=str(exc),
                            countdown=round(delay, 2))
                raise task.retry(exc=exc, countdown=delay) from exc
            return _give_up(targets[i:], error=f"gave up after {exc.attempts} attempts: {exc}", settings=settings)
        sent, digests = sent + res.sent, digests + res.digests
    return {"sent": sent, "digests": digests}


def _until_database_answers(task: Task, body: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``body``; while the database is unavailable, retry the task without a cap (see module doc)."""
    try:
        return body()
    except (RetryableError, OperationalError) as exc:
        if isinstance(exc, TransientDeliveryError):
            raise
        settings = get_settings()
        attempt = task.request.retries + 1
        delay = backoff(attempt, base=settings.alert_retry_backoff, cap=OUTAGE_BACKOFF_MAX_S)
        log.warning("alert_database_unavailable", task=task.name, attempt=attempt, error=str(exc),
                    countdown=round(delay, 2))
        raise task.retry(exc=exc, countdown=delay) from exc


def _give_up(targets: list[Target], *, error: str, settings: Settings) -> dict[str, Any]:
    """After the last retry: the attempted rows are failed, never dropped (``nianbao status`` shows them)."""
    with session_scope(settings) as s:
        failed = sum(fail_due(s, recipient, error=error, channel=channel) for channel, recipient in targets)
    log.error("alert_retries_exhausted", targets=targets, error=error, failed=failed)
    return {"failed": failed, "error": error}


def _schedule(rec: Recorded) -> None:
    for (channel, recipient), end in rec.new_windows.items():
        countdown = max(0.0, (end - utcnow()).total_seconds())
        alert_flush.apply_async(args=[recipient, channel], countdown=countdown)


def _kick_overdue(settings: Settings) -> None:
    """Self-healing: flushes lost with a broker restart are rescheduled by the next alert task.

    Routing by the current settings (``sendtime.prepare``) is left to the flush: done here it re-read every
    due ledger row on every alert, O(n²) over a burst of n alerts in one window (docs/throughput.md).
    """
    now = utcnow()
    with session_scope(settings) as s:
        late = overdue_targets(s, before=now - _td(OVERDUE_GRACE_S), fresh_only=True)
    for channel, recipient in late:
        alert_flush.apply_async(args=[recipient, channel])


def _td(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


def _after_record(task: Task, rec: Recorded, settings: Settings) -> dict[str, Any]:
    out: dict[str, Any] = {"due": len(rec.rows), "recipients": rec.recipients}
    if settings.digest_window_seconds <= 0:
        prepare(settings)
        with session_scope(settings) as s:
            targets = overdue_targets(s, before=utcnow())
        out.update(_flush_now(task, targets, settings))
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
        task: the bound task (for delivery retries).
        record_id: the report or quarantine record id.
        kind: "report" or "quarantine": names the log event (``alert_report_missing``,
            ``alert_quarantine_missing``) and its id field.
        load: reloads the record by id (None when the row is gone).
        record: records the alerts of the loaded record (``ledger.record_report`` / ``record_quarantine``).
    """
    settings = get_settings()
    if not settings.alerts_enabled:
        return {"skipped": "alerts disabled"}

    def body() -> dict[str, Any]:
        with session_scope(settings) as s:
            alert = load(s, record_id)
            if alert is None:
                log.warning(f"alert_{kind}_missing", **{f"{kind}_id": record_id})
                return {"missing": record_id}
            rec = record(s, alert, settings=settings)
        return _after_record(task, rec, settings)

    return _until_database_answers(task, body)


@shared_task(name=tasknames.ALERT_REPORT, base=AlertTask, bind=True, acks_late=True)  # type: ignore[untyped-decorator]
def alert_report(self: Task, report_id: int) -> dict[str, Any]:
    """Record (and, without a digest window, send) the alerts of stored report ``report_id``.

    Call it for every stored or re-checked report version: a report without error findings sends nothing,
    unless an alert about it was sent before (then the recipients get "resolved").
    """
    return _record_alert(self, report_id, kind="report", load=load_report_alert, record=record_report)


@shared_task(name=tasknames.ALERT_QUARANTINE, base=AlertTask, bind=True, acks_late=True)  # type: ignore[untyped-decorator]
def alert_quarantine(self: Task, quarantine_id: int) -> dict[str, Any]:
    """Record (and, without a digest window, send) the alert of quarantine record ``quarantine_id``."""
    return _record_alert(
        self, quarantine_id, kind="quarantine", load=load_quarantine_alert, record=record_quarantine
    )


@shared_task(name=tasknames.ALERT_FLUSH, base=AlertTask, bind=True, acks_late=True)  # type: ignore[untyped-decorator]
def alert_flush(self: Task, recipient: str, channel: str = EMAIL) -> dict[str, Any]:
    """At the end of a window: deliver the recipient's due alerts on ``channel`` (singles, or one digest).

    Due alerts are routed by the current settings first (worker/alerts/sendtime.py): rerouted ones whose
    window has ended go out with this flush, the others get a flush at their window's end.
    """
    return _until_database_answers(self, lambda: _flush_task(self, recipient, channel))


def _flush_task(task: Task, recipient: str, channel: str) -> dict[str, Any]:
    settings = get_settings()
    now = utcnow()
    rerouted = prepare(settings, now=now)
    targets: list[Target] = [(channel, recipient)]
    for target, end in list(rerouted.new_windows.items()):
        if end <= now + _td(EARLY_FIRE_S) and target not in targets:
            targets.append(target)
            del rerouted.new_windows[target]
    _schedule(rerouted)
    with session_scope(settings) as s:
        next_end = s.exec(
            select(sa.func.min(AlertLedger.due_at)).where(
                AlertLedger.channel == channel, AlertLedger.recipient == recipient, AlertLedger.status == DUE
            )
        ).one()
    if next_end is not None:
        end = next_end if next_end.tzinfo is not None else next_end.replace(tzinfo=dt.UTC)
        early = (end - utcnow()).total_seconds()
        if 0 < early <= EARLY_FIRE_S:  # clocks differ a little between hosts: wait rather than miss it
            time.sleep(early)
    return _flush_now(task, targets, settings)
