"""Flush a recipient's due alerts on one channel: single messages, or one digest above ``digest_threshold``.

Transactions are short and never span a delivery (SQLite takes its write lock at BEGIN): claim the rows,
deliver through the channel (worker/alerts/channels), record the outcome. A transient failure puts the unsent
rows back to due and raises ``TransientDeliveryError`` for the task to retry; a permanent one marks them
failed and carries on. One bad message never poisons its window: a digest refused for good is retried as
single messages, so only the rows that fail on their own are marked failed. A flush first takes back rows
left ``sending`` by a flush that died (``STALE_CLAIM_S``) and rows its own earlier attempt had claimed
(same ``token``: a task retried after a database outage resumes its claim).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session

from worker.alerts.channels import (
    EMAIL,
    Channel,
    DeliveryResult,
    Outcome,
    TransientDeliveryError,
    get_channel,
)
from worker.alerts.compose import (
    DEFAULT_ZONE,
    DigestEntry,
    digest_message,
    quarantine_message,
    report_message,
    review_tables,
)
from worker.alerts.message import AlertMessage, MessageType
from worker.alerts.models import QuarantineAlert, ReportAlert, is_review_request
from worker.logging import get_logger
from worker.rules.base import Finding
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.ops_models import DIGESTED, DUE, FAILED, SENDING, SENT, AlertDelivery, AlertLedger, utcnow

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


def message_for(row: AlertLedger, *, settings: Settings | None = None) -> AlertMessage:
    """Compose the single message of a ledger row from its payload (``settings``: links to the report page)."""
    if row.kind == "quarantine":
        return quarantine_message(QuarantineAlert.model_validate(row.payload["quarantine"]))
    alert = ReportAlert.model_validate(row.payload["alert"])
    findings = [Finding.model_validate(f) for f in row.payload.get("findings", [])]
    previous = row.payload.get("previous")
    prev = [Finding.model_validate(f) for f in previous] if previous is not None else None
    return report_message(
        alert, findings=findings, kind=row.message_kind, previous=prev,  # type: ignore[arg-type]
        base_url=settings.public_base_url if settings else "",
    )


def _entry(row: AlertLedger) -> DigestEntry:
    alert = row.payload.get("alert", {})
    rules = Counter(f["rule"] for f in row.payload.get("findings", []) if _is_failed_error(f))
    findings = [Finding.model_validate(f) for f in row.payload.get("findings", [])] if row.kind == "report" else []
    return DigestEntry(
        kind=row.kind,
        name=row.name,
        year=row.year,
        file_name=row.file_name,
        error_count=row.error_count,
        message_kind=row.message_kind,
        reason=row.payload.get("quarantine", {}).get("reason"),
        report_id=row.ref_id if row.kind == "report" else None,
        version=int(alert.get("version") or 1),
        rules=dict(rules),
        at=row.created_at,
        review_tables=review_tables(findings) if is_review_request(findings) else [],
    )


def _is_failed_error(finding: dict[str, object]) -> bool:
    return finding.get("severity") == "error" and finding.get("status", "fail") == "fail"


def digest_for(rows: list[AlertLedger], *, now: dt.datetime, settings: Settings | None = None) -> AlertMessage:
    """Compose the digest of ``rows`` (all for one recipient), times in ``settings.timezone``."""
    zone = settings.timezone if settings else DEFAULT_ZONE
    base_url = settings.public_base_url if settings else ""
    return digest_message([_entry(r) for r in rows], window_end=now, zone=zone, base_url=base_url)


def _deliver(
    message: AlertMessage,
    rows: list[AlertLedger],
    *,
    channel: Channel,
    settings: Settings,
    row_status_on_failure: str = FAILED,
) -> AlertDelivery:
    """Deliver one message carrying ``rows``; record the delivery and the rows' outcome.

    A permanent failure marks the rows ``row_status_on_failure`` (``DUE`` when the caller tries them again
    another way). A channel that raises instead of reporting is treated as a permanent failure of this message.

    Raises:
        TransientDeliveryError: the channel failed for now; the rows are due again.
    """
    recipient = rows[0].recipient
    with session_scope(settings) as s:
        delivery = AlertDelivery(
            kind=message.type.value, channel=channel.name, recipient=recipient, subject=message.subject,
            items=len(rows), attempts=max(r.attempts for r in rows) + 1,
        )
        s.add(delivery)
        s.flush()
        delivery_id = delivery.id
    try:
        result = channel.deliver(message, [recipient], settings=settings)
    except Exception as exc:  # noqa: BLE001 - a broken message must not strand its window in "sending"
        log.exception("alert_channel_raised", channel=channel.name, recipient=recipient)
        result = DeliveryResult(Outcome.PERMANENT, f"{type(exc).__name__}: {exc}")
    if result.outcome is Outcome.TRANSIENT:
        _finish(delivery_id, rows, settings=settings, delivery_status="retrying", row_status=DUE,
                message_id=result.message_id, error=result.detail)
        raise TransientDeliveryError(result.detail, channel=channel.name, attempts=max(r.attempts for r in rows) + 1)
    if result.outcome is Outcome.PERMANENT:
        log.error("alert_delivery_failed", channel=channel.name, recipient=recipient, error=result.detail,
                  items=len(rows))
        return _finish(delivery_id, rows, settings=settings, delivery_status=FAILED,
                       row_status=row_status_on_failure, message_id=result.message_id, error=result.detail)
    done = DIGESTED if message.type is MessageType.DIGEST else SENT
    return _finish(delivery_id, rows, settings=settings, delivery_status=SENT, row_status=done,
                   message_id=result.message_id, reply=result.detail)


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
            row.status, row.claim = row_status, (row.claim if row_status == SENDING else None)
            row.attempts += 1
            row.last_error = error
            if row_status in (SENT, DIGESTED, FAILED):
                row.delivery_id = delivery_id
            s.add(row)
        return delivery


def flush_recipient(
    recipient: str,
    *,
    settings: Settings,
    now: dt.datetime | None = None,
    channel: str = EMAIL,
    token: str | None = None,
) -> FlushResult:
    """Deliver the recipient's due alerts on ``channel`` whose window has ended.

    Args:
        recipient: who.
        settings: delivery settings.
        now: the clock (tests).
        channel: the channel's name.
        token: claim token (at most 32 characters); rows still ``sending`` under it (an earlier attempt of
            the same task that stopped on a database error) are taken again. Random when omitted.

    Raises:
        TransientDeliveryError: the channel is unavailable; the unsent rows are due again (retry the flush).
    """
    from worker.alerts.ledger import STALE_CLAIM_S, claim_due, release_stale_claims

    now = now or utcnow()
    token = token or uuid.uuid4().hex
    target = get_channel(channel)
    with session_scope(settings) as s:
        release_stale_claims(s, older_than=now - dt.timedelta(seconds=STALE_CLAIM_S), channel=channel,
                             recipient=recipient)
        rows = claim_due(s, recipient, token=token, now=now, channel=channel)
        _refresh_locations(s, rows)
        for r in rows:
            s.expunge(r)
    result = FlushResult(recipient=recipient, channel=channel)
    if not rows:
        return result
    done: set[int | None] = set()
    try:
        if len(rows) > settings.digest_threshold:
            _flush_digest(rows, now=now, channel=target, settings=settings, result=result, done=done)
        else:
            _flush_singles(rows, channel=target, settings=settings, result=result, done=done)
    except BaseException:
        _release([r for r in rows if r.id not in done], settings=settings, quiet=True)
        raise
    log.info("alerts_flushed", channel=channel, recipient=recipient, sent=result.sent, digests=result.digests,
             failed=result.failed)
    return result


def _flush_digest(
    rows: list[AlertLedger], *, now: dt.datetime, channel: Channel, settings: Settings, result: FlushResult,
    done: set[int | None],
) -> None:
    """One digest; refused for good, the rows go out as single messages (only the bad ones then fail)."""
    delivery = _deliver(digest_for(rows, now=now, settings=settings), rows, channel=channel, settings=settings,
                        row_status_on_failure=SENDING)
    result.delivery_ids.append(delivery.id or 0)
    if delivery.status == SENT:
        done.update(r.id for r in rows)
        result.digests, result.items = 1, len(rows)
        return
    log.warning("alert_digest_refused_sending_singles", channel=channel.name, recipient=rows[0].recipient,
                items=len(rows), error=delivery.error)
    _flush_singles(rows, channel=channel, settings=settings, result=result, done=done)


def _flush_singles(
    rows: list[AlertLedger], *, channel: Channel, settings: Settings, result: FlushResult, done: set[int | None]
) -> None:
    for row in rows:
        delivery = _deliver(message_for(row, settings=settings), [row], channel=channel, settings=settings)
        done.add(row.id)
        result.delivery_ids.append(delivery.id or 0)
        if delivery.status == SENT:
            result.sent += 1
            result.items += 1
        else:
            result.failed += 1


def _refresh_locations(session: Session, rows: list[AlertLedger]) -> None:
    """The file may have been archived after the alert fell due: say where it lies now."""
    from worker.alerts.source import archived_path

    for row in rows:
        alert = row.payload.get("alert")
        if row.kind == "report" and row.ref_id is not None and alert is not None and not alert.get("stored_at"):
            where = archived_path(session, row.ref_id)
            if where:
                row.payload = {**row.payload, "alert": {**alert, "stored_at": where}}


def _release(rows: list[AlertLedger], *, settings: Settings, quiet: bool = False) -> None:
    """Put claimed but unsent rows back to due (the retry of the flush picks them up).

    ``quiet``: on the way out of a failed flush; when the database is down too, the rows stay ``sending``
    and the next flush takes them back once the claim is stale (or the retried task, by its token).
    """
    if not rows:
        return
    try:
        with session_scope(settings) as s:
            for r in rows:
                row = s.get(AlertLedger, r.id)
                if row is not None and row.claim == r.claim and row.status == SENDING:
                    row.status, row.claim = DUE, None
                    s.add(row)
    except Exception:  # noqa: BLE001
        if not quiet:
            raise
        log.warning("alert_release_failed", rows=[r.id for r in rows])
