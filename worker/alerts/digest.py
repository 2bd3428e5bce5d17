"""Flush a recipient's due alerts: single messages, or one digest when more than ``digest_threshold`` are due.

Transactions are short and never span an SMTP conversation (SQLite takes its write lock at BEGIN): claim the
rows, send, record the outcome. A transient SMTP failure puts the unsent rows back to due and re-raises
``SmtpTransientError`` for the task to retry; a permanent one marks them failed and carries on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlmodel import Session

from worker.alerts.compose import DigestEntry, compose_digest, compose_quarantine, compose_report
from worker.alerts.models import QuarantineAlert, ReportAlert
from worker.alerts.smtp import SmtpPermanentError, SmtpTransientError, send_message
from worker.logging import get_logger
from worker.rules.base import Finding
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.ops_models import DIGESTED, DUE, FAILED, SENT, AlertDelivery, AlertLedger, utcnow

log = get_logger(__name__)


@dataclass
class FlushResult:
    """What one flush did for one recipient."""

    recipient: str
    sent: int = 0  # single messages
    digests: int = 0
    items: int = 0  # ledger rows delivered (singles + digest lines)
    failed: int = 0  # rows failed permanently
    delivery_ids: list[int] = field(default_factory=list)


def message_for(row: AlertLedger, *, settings: Settings) -> EmailMessage:
    """Compose the single message of a ledger row from its payload."""
    to = [row.recipient]
    if row.kind == "quarantine":
        return compose_quarantine(QuarantineAlert.model_validate(row.payload["quarantine"]), to=to, settings=settings)
    alert = ReportAlert.model_validate(row.payload["alert"])
    findings = [Finding.model_validate(f) for f in row.payload.get("findings", [])]
    previous = row.payload.get("previous")
    prev = [Finding.model_validate(f) for f in previous] if previous is not None else None
    return compose_report(alert, findings=findings, to=to, settings=settings, kind=row.message_kind, previous=prev)  # type: ignore[arg-type]


def digest_for(rows: list[AlertLedger], *, settings: Settings, now: dt.datetime) -> EmailMessage:
    """Compose the digest of ``rows`` (all for one recipient)."""
    entries = [
        DigestEntry(
            kind=r.kind,
            name=r.name,
            year=r.year,
            file_name=r.file_name,
            error_count=r.error_count,
            message_kind=r.message_kind,
            reason=r.payload.get("quarantine", {}).get("reason"),
        )
        for r in rows
    ]
    return compose_digest(entries, to=[rows[0].recipient], settings=settings, window_end=now)


def _deliver(msg: EmailMessage, rows: list[AlertLedger], *, kind: str, settings: Settings) -> AlertDelivery:
    """Send one message carrying ``rows``; record the delivery and the rows' outcome."""
    recipient = rows[0].recipient
    with session_scope(settings) as s:
        delivery = AlertDelivery(
            kind=kind, recipient=recipient, subject=str(msg["Subject"]), items=len(rows),
            message_id=str(msg["Message-ID"]), attempts=max(r.attempts for r in rows) + 1,
        )
        s.add(delivery)
        s.flush()
        delivery_id = delivery.id
    try:
        reply = send_message(msg, to=[recipient], settings=settings)
    except SmtpTransientError as exc:
        _finish(delivery_id, rows, settings=settings, delivery_status="retrying", row_status=DUE, error=str(exc))
        raise
    except SmtpPermanentError as exc:
        log.error("alert_delivery_failed", recipient=recipient, error=str(exc), items=len(rows))
        return _finish(delivery_id, rows, settings=settings, delivery_status=FAILED, row_status=FAILED, error=str(exc))
    done = DIGESTED if kind == "digest" else SENT
    return _finish(delivery_id, rows, settings=settings, delivery_status=SENT, row_status=done, reply=str(reply))


def _finish(
    delivery_id: int | None,
    rows: list[AlertLedger],
    *,
    settings: Settings,
    delivery_status: str,
    row_status: str,
    error: str | None = None,
    reply: str | None = None,
) -> AlertDelivery:
    now = utcnow()
    with session_scope(settings) as s:
        delivery = s.get(AlertDelivery, delivery_id)
        assert delivery is not None
        delivery.status, delivery.error, delivery.smtp_reply = delivery_status, error, reply
        if delivery_status == SENT:
            delivery.sent_at = now
        s.add(delivery)
        for r in rows:
            row = s.get(AlertLedger, r.id)
            if row is None:
                continue
            row.status, row.claim = row_status, None
            row.attempts += 1
            row.last_error = error
            if row_status in (SENT, DIGESTED, FAILED):
                row.delivery_id = delivery_id
            s.add(row)
        return delivery


def flush_recipient(recipient: str, *, settings: Settings, now: dt.datetime | None = None) -> FlushResult:
    """Send the recipient's due alerts whose window has ended.

    Raises:
        SmtpTransientError: the relay is unavailable; the unsent rows are due again (retry the flush).
    """
    from worker.alerts.ledger import claim_due

    now = now or utcnow()
    token = uuid.uuid4().hex
    with session_scope(settings) as s:
        rows = claim_due(s, recipient, token=token, now=now)
        _refresh_locations(s, rows)
        for r in rows:
            s.expunge(r)
    result = FlushResult(recipient=recipient)
    if not rows:
        return result
    if len(rows) > settings.digest_threshold:
        delivery = _deliver(digest_for(rows, settings=settings, now=now), rows, kind="digest", settings=settings)
        result.delivery_ids.append(delivery.id or 0)
        if delivery.status == SENT:
            result.digests, result.items = 1, len(rows)
        else:
            result.failed = len(rows)
        log.info("alert_digest_flushed", recipient=recipient, items=len(rows), status=delivery.status)
        return result
    for i, row in enumerate(rows):
        try:
            delivery = _deliver(message_for(row, settings=settings), [row], kind=f"{row.kind}-{row.message_kind}"
                                if row.kind == "report" else row.kind, settings=settings)
        except SmtpTransientError:
            _release(rows[i + 1 :], settings=settings)
            raise
        result.delivery_ids.append(delivery.id or 0)
        if delivery.status == SENT:
            result.sent += 1
            result.items += 1
        else:
            result.failed += 1
    log.info("alerts_flushed", recipient=recipient, sent=result.sent, failed=result.failed)
    return result


def _refresh_locations(session: Session, rows: list[AlertLedger]) -> None:
    """The file may have been archived after the alert fell due: say where it lies now."""
    from worker.alerts.source import archived_path

    for row in rows:
        alert = row.payload.get("alert")
        if row.kind == "report" and row.ref_id is not None and alert is not None and not alert.get("stored_at"):
            where = archived_path(session, row.ref_id)
            if where:
                row.payload = {**row.payload, "alert": {**alert, "stored_at": where}}


def _release(rows: list[AlertLedger], *, settings: Settings) -> None:
    """Put claimed but unsent rows back to due (the retry of the flush picks them up)."""
    if not rows:
        return
    with session_scope(settings) as s:
        for r in rows:
            row = s.get(AlertLedger, r.id)
            if row is not None and row.claim == r.claim:
                row.status, row.claim = DUE, None
                s.add(row)


def pending_for(session: Session, recipient: str) -> int:
    """How many alerts are due for ``recipient`` (waiting for their window or a retry)."""
    from sqlmodel import func, select

    return int(
        session.exec(
            select(func.count()).where(AlertLedger.recipient == recipient, AlertLedger.status == DUE)
        ).one()
    )
