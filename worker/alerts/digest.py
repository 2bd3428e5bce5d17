"""Flush a recipient's due alerts on one channel: single messages, or one digest above ``digest_threshold``.

Transactions are short and never span a delivery (SQLite takes its write lock at BEGIN): claim the rows,
deliver through the channel (worker/alerts/channels), record the outcome. A transient failure puts the unsent
rows back to due and raises ``TransientDeliveryError`` for the task to retry; a permanent one marks them
failed and carries on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session

from worker.alerts.channels import EMAIL, Channel, Outcome, TransientDeliveryError, get_channel
from worker.alerts.compose import DigestEntry, digest_message, quarantine_message, report_message
from worker.alerts.message import AlertMessage, MessageType
from worker.alerts.models import QuarantineAlert, ReportAlert
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
    channel: str = EMAIL
    sent: int = 0  # single messages
    digests: int = 0
    items: int = 0  # ledger rows delivered (singles + digest lines)
    failed: int = 0  # rows failed permanently
    delivery_ids: list[int] = field(default_factory=list)


def message_for(row: AlertLedger) -> AlertMessage:
    """Compose the single message of a ledger row from its payload."""
    if row.kind == "quarantine":
        return quarantine_message(QuarantineAlert.model_validate(row.payload["quarantine"]))
    alert = ReportAlert.model_validate(row.payload["alert"])
    findings = [Finding.model_validate(f) for f in row.payload.get("findings", [])]
    previous = row.payload.get("previous")
    prev = [Finding.model_validate(f) for f in previous] if previous is not None else None
    return report_message(alert, findings=findings, kind=row.message_kind, previous=prev)  # type: ignore[arg-type]


def digest_for(rows: list[AlertLedger], *, now: dt.datetime) -> AlertMessage:
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
    return digest_message(entries, window_end=now)


def _deliver(
    message: AlertMessage, rows: list[AlertLedger], *, channel: Channel, settings: Settings
) -> AlertDelivery:
    """Deliver one message carrying ``rows``; record the delivery and the rows' outcome.

    Raises:
        TransientDeliveryError: the channel failed for now; the rows are due again.
    """
    recipient = rows[0].recipient
    with session_scope(settings) as s:
        delivery = AlertDelivery(
            kind=message.type.value,
            channel=channel.name,
            recipient=recipient,
            subject=message.subject,
            items=len(rows),
            attempts=max(r.attempts for r in rows) + 1,
        )
        s.add(delivery)
        s.flush()
        delivery_id = delivery.id
    result = channel.deliver(message, [recipient], settings=settings)
    if result.outcome is Outcome.TRANSIENT:
        _finish(
            delivery_id,
            rows,
            settings=settings,
            delivery_status="retrying",
            row_status=DUE,
            message_id=result.message_id,
            error=result.detail,
        )
        raise TransientDeliveryError(result.detail, channel=channel.name)
    if result.outcome is Outcome.PERMANENT:
        log.error(
            "alert_delivery_failed",
            channel=channel.name,
            recipient=recipient,
            error=result.detail,
            items=len(rows),
        )
        return _finish(
            delivery_id,
            rows,
            settings=settings,
            delivery_status=FAILED,
            row_status=FAILED,
            message_id=result.message_id,
            error=result.detail,
        )
    done = DIGESTED if message.type is MessageType.DIGEST else SENT
    return _finish(
        delivery_id,
        rows,
        settings=settings,
        delivery_status=SENT,
        row_status=done,
        message_id=result.message_id,
        reply=result.detail,
    )


def _finish(
    delivery_id: int | None,
    rows: list[AlertLedger],
    *,
    settings: Settings,
    delivery_status: str,
    row_status: str,
    message_id: str | None = None,
    error: str | None = None,
    reply: str | None = None,
) -> AlertDelivery:
    now = utcnow()
    with session_scope(settings) as s:
        delivery = s.get(AlertDelivery, delivery_id)
        assert delivery is not None
        delivery.status, delivery.error, delivery.smtp_reply = delivery_status, error, reply
        delivery.message_id = message_id
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


def flush_recipient(
    recipient: str, *, settings: Settings, now: dt.datetime | None = None, channel: str = EMAIL
) -> FlushResult:
    """Deliver the recipient's due alerts on ``channel`` whose window has ended.

    Raises:
        TransientDeliveryError: the channel is unavailable; the unsent rows are due again (retry the flush).
    """
    from worker.alerts.ledger import claim_due

    now = now or utcnow()
    token = uuid.uuid4().hex
    target = get_channel(channel)
    with session_scope(settings) as s:
        rows = claim_due(s, recipient, token=token, now=now, channel=channel)
        _refresh_locations(s, rows)
        for r in rows:
            s.expunge(r)
    result = FlushResult(recipient=recipient, channel=channel)
    if not rows:
        return result
    if len(rows) > settings.digest_threshold:
        delivery = _deliver(digest_for(rows, now=now), rows, channel=target, settings=settings)
        result.delivery_ids.append(delivery.id or 0)
        if delivery.status == SENT:
            result.digests, result.items = 1, len(rows)
        else:
            result.failed = len(rows)
        log.info(
            "alert_digest_flushed",
            channel=channel,
            recipient=recipient,
            items=len(rows),
            status=delivery.status,
        )
        return result
    for i, row in enumerate(rows):
        try:
            delivery = _deliver(message_for(row), [row], channel=target, settings=settings)
        except TransientDeliveryError:
            _release(rows[i + 1 :], settings=settings)
            raise
        result.delivery_ids.append(delivery.id or 0)
        if delivery.status == SENT:
            result.sent += 1
            result.items += 1
        else:
            result.failed += 1
    log.info("alerts_flushed", channel=channel, recipient=recipient, sent=result.sent, failed=result.failed)
    return result


def _refresh_locations(session: Session, rows: list[AlertLedger]) -> None:
    """The file may have been archived after the alert fell due: say where it lies now."""
    from worker.alerts.source import archived_path

    for row in rows:
        alert = row.payload.get("alert")
        if (
            row.kind == "report"
            and row.ref_id is not None
            and alert is not None
            and not alert.get("stored_at")
        ):
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
