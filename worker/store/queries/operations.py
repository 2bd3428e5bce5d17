"""Operational queries: the quarantine, and the database half of ``nianbao status``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from worker import tasknames
from worker.store.models import Delivery, QuarantineRecord, StoredReport, utcnow
from worker.store.ops_models import DUE, FAILED, SENDING, AlertDelivery, AlertLedger, TaskRun
from worker.store.queries.views import (
    AlertDeliveryView,
    AlertSummary,
    LastHour,
    QuarantineItem,
    QuarantinePage,
    StatusSnapshot,
)


def _quarantine_select() -> Any:  # sa.Select of (record, attempts)
    return sa.select(QuarantineRecord, col(Delivery.attempts)).outerjoin(
        Delivery, sa.and_(col(Delivery.sha256) == col(QuarantineRecord.sha256),
                          col(Delivery.name) == col(QuarantineRecord.name))
    )  # fmt: skip


def _item(rec: QuarantineRecord, attempts: int | None) -> QuarantineItem:
    return QuarantineItem.model_validate({**rec.model_dump(), "attempts": attempts or 0})


def list_quarantine(session: Session, *, page: int = 1, per_page: int = 50) -> QuarantinePage:
    """Quarantined files, newest first, one page of them and the total."""
    page, per_page = max(1, page), max(1, per_page)
    total = session.exec(select(func.count()).select_from(QuarantineRecord)).one()
    stmt = _quarantine_select().order_by(col(QuarantineRecord.id).desc())
    rows = session.execute(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return QuarantinePage(items=[_item(r, a) for r, a in rows], total=int(total), page=page, per_page=per_page)


def get_quarantine(session: Session, quarantine_id: int) -> QuarantineItem | None:
    """One quarantine record, or None when the row is gone."""
    row = session.execute(_quarantine_select().where(col(QuarantineRecord.id) == quarantine_id)).first()
    return None if row is None else _item(row[0], row[1])


def _last_hour(session: Session, since: dt.datetime) -> LastHour:
    runs = session.exec(
        select(TaskRun.state, func.count())
        .where(col(TaskRun.name).in_((tasknames.INGEST, tasknames.INGEST_BATCH, tasknames.INGEST_BLOB)), TaskRun.updated_at >= since)
        .group_by(TaskRun.state)
    ).all()
    reports = session.exec(
        select(StoredReport.status, func.count()).where(StoredReport.created_at >= since).group_by(StoredReport.status)
    ).all()
    quarantined = session.exec(select(func.count()).where(QuarantineRecord.created_at >= since)).one()
    by_state = {state: int(n) for state, n in runs}
    by_status = {status: int(n) for status, n in reports}
    return LastHour(
        ingest_succeeded=by_state.get("succeeded", 0),
        ingest_failed=by_state.get("failed", 0),
        ingest_retried=by_state.get("retried", 0),
        reports_ok=by_status.get("ok", 0),
        reports_failed_checks=by_status.get("failed", 0),
        reports_needs_review=by_status.get("needs_review", 0),
        quarantined=int(quarantined),
    )


def _alerts(session: Session, recent: int) -> AlertSummary:
    rows = session.exec(select(AlertLedger.status, func.count()).group_by(AlertLedger.status)).all()
    by_status = {status: int(n) for status, n in rows}
    deliveries = session.exec(select(AlertDelivery).order_by(col(AlertDelivery.id).desc()).limit(recent)).all()
    return AlertSummary(
        due=by_status.get(DUE, 0) + by_status.get(SENDING, 0),
        failed=by_status.get(FAILED, 0),
        recent=[
            AlertDeliveryView(id=d.id or 0, kind=d.kind, to=d.recipient, subject=d.subject, status=d.status,
                              items=d.items, reply=d.smtp_reply, error=d.error, at=d.sent_at or d.created_at)
            for d in deliveries
        ],
    )  # fmt: skip


def status_snapshot(
    session: Session, *, window: dt.timedelta = dt.timedelta(hours=1), recent_alerts: int = 10
) -> StatusSnapshot:
    """Work of the last ``window``, quarantine records, alert ledger counts, the last ``recent_alerts`` emails
    and how many stored reports need review (待人工复核)."""
    since = utcnow() - window
    return StatusSnapshot(
        last_hour=_last_hour(session, since),
        quarantine_records=int(session.exec(select(func.count()).select_from(QuarantineRecord)).one()),
        alerts=_alerts(session, recent_alerts),
        needs_review=int(
            session.exec(select(func.count()).where(col(StoredReport.status) == "needs_review")).one()
        ),
    )


def relay_counts(session: Session) -> dict[str, int]:
    """Files handed to workers through the database (``file_store = "database"``), per submission state."""
    from worker.store import relay_store

    return relay_store.counts(session)
