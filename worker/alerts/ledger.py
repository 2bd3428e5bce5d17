"""The alert ledger: record alerts as due (never twice), decide new / update / resolved, manage digest windows.

Keyed by (report content sha256, findings fingerprint, channel, recipient): every channel
(worker/alerts/channels) keeps its own rows, so a recipient is told once per channel:

* the same version with the same findings again (a re-ingest, a redelivered task) records nothing;
* the same version with a different verdict (rule change, cross-year re-check) records an ``update`` that
  lists what is new and what was resolved; a verdict without alertable findings after an alert was sent
  records ``resolved``;
* a verdict that falls due while an older one for the same version and recipient is still waiting
  supersedes it (the recipient gets only the latest).

Each recipient of a channel has at most one open window: the first alert that falls due opens it
(``due_at = now + digest_window_seconds``) and the caller schedules a flush at its end
(worker/alerts/digest.py decides single messages or one digest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from worker.alerts.channels import EMAIL, registered
from worker.alerts.models import (
    MessageKind,
    QuarantineAlert,
    ReportAlert,
    findings_fingerprint,
    quarantine_fingerprint,
)
from worker.alerts.routing import recipients_for_quarantine, recipients_for_report
from worker.logging import get_logger
from worker.settings import Settings
from worker.store.db import lock_identity
from worker.store.ops_models import (
    DIGESTED,
    DUE,
    FAILED,
    SENDING,
    SENT,
    SUPERSEDED,
    AlertDelivery,
    AlertLedger,
    utcnow,
)

log = get_logger(__name__)

DELIVERED = (SENT, DIGESTED, SENDING)
CLAIM_SLACK_S = 2.0  # a flush also takes rows whose window ends this soon (no lone mail right after a digest)


@dataclass
class Recorded:
    """What ``record_*`` did: the rows that fell due and the windows the caller must schedule a flush for."""

    rows: list[AlertLedger] = field(default_factory=list)
    new_windows: dict[tuple[str, str], dt.datetime] = field(
        default_factory=dict
    )  # (channel, recipient) -> end

    @property
    def recipients(self) -> list[str]:
        return sorted({r.recipient for r in self.rows})


def window_end(
    session: Session, recipient: str, *, now: dt.datetime, settings: Settings, channel: str = EMAIL
) -> tuple[dt.datetime, bool]:
    """The end of the recipient's open window, or of a new one (``True`` when it was just opened)."""
    if settings.digest_window_seconds <= 0:
        return now, True
    open_end = session.exec(
        select(sa.func.min(AlertLedger.due_at)).where(
            AlertLedger.channel == channel,
            AlertLedger.recipient == recipient,
            AlertLedger.status == DUE,
            AlertLedger.due_at > now,
        )
    ).one()
    if open_end is not None:
        return open_end, False
    return now + dt.timedelta(seconds=settings.digest_window_seconds), True


def _latest(
    session: Session, sha: str, channel: str, recipient: str, statuses: tuple[str, ...]
) -> AlertLedger | None:
    return session.exec(
        select(AlertLedger)
        .where(
            AlertLedger.content_sha256 == sha,
            AlertLedger.channel == channel,
            AlertLedger.recipient == recipient,
            col(AlertLedger.status).in_(statuses),
        )
        .order_by(col(AlertLedger.id).desc())
        .limit(1)
    ).first()


def _record_one(
    session: Session,
    *,
    template: AlertLedger,
    channel: str,
    recipient: str,
    now: dt.datetime,
    settings: Settings,
    out: Recorded,
) -> None:
    sha, fp = template.content_sha256, template.fingerprint
    # PostgreSQL: one transaction at a time per recipient, so concurrent tasks agree on the open window
    lock_identity(session, f"alert-window:{channel}:{recipient}")
    existing = session.exec(
        select(AlertLedger).where(
            AlertLedger.content_sha256 == sha,
            AlertLedger.fingerprint == fp,
            AlertLedger.channel == channel,
            AlertLedger.recipient == recipient,
        )
    ).first()
    delivered = _latest(session, sha, channel, recipient, DELIVERED)
    if existing is not None:
        if existing.status in (DUE, SENDING, FAILED):
            return  # already waiting or being sent; a permanent failure stays visible, not re-sent
        if existing.status in (SENT, DIGESTED) and (delivered is None or delivered.id == existing.id):
            return  # the recipient's latest message already carries this verdict
    if existing is None and template.message_kind == "resolved" and delivered is None:
        return
    # before superseding: same window
    due_at, opened = window_end(session, recipient, now=now, settings=settings, channel=channel)
    # a newer verdict replaces any still waiting for this version and recipient
    for waiting in session.exec(
        select(AlertLedger).where(
            AlertLedger.content_sha256 == sha,
            AlertLedger.channel == channel,
            AlertLedger.recipient == recipient,
            AlertLedger.status == DUE,
        )
    ):
        waiting.status = SUPERSEDED
        session.add(waiting)
    kind: MessageKind = template.message_kind  # type: ignore[assignment]
    if kind != "resolved":
        kind = "update" if delivered is not None else "new"
    row = existing or AlertLedger(
        content_sha256=sha, fingerprint=fp, channel=channel, recipient=recipient, kind=template.kind
    )
    row.ref_id, row.name, row.year = template.ref_id, template.name, template.year
    row.file_name, row.error_count, row.payload = (
        template.file_name,
        template.error_count,
        dict(template.payload),
    )
    row.message_kind, row.status, row.due_at, row.attempts = kind, DUE, due_at, 0
    row.previous_id = delivered.id if delivered is not None else None
    row.delivery_id = row.claim = row.claimed_at = row.last_error = None
    if delivered is not None:
        row.payload["previous"] = delivered.payload.get("findings", [])
    row.created_at = now
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent delivery of the same task recorded it first
        log.info("alert_already_recorded", sha256=sha, channel=channel, recipient=recipient)
        return
    out.rows.append(row)
    if opened:
        out.new_windows[(channel, recipient)] = due_at


def record_report(
    session: Session, alert: ReportAlert, *, settings: Settings, now: dt.datetime | None = None
) -> Recorded:
    """Record the alerts a report version calls for (see module doc); returns what fell due."""
    now = now or utcnow()
    out = Recorded()
    findings = alert.alertable(include_warnings=settings.alert_on_warnings)
    template = AlertLedger(
        kind="report",
        ref_id=alert.report_id,
        content_sha256=alert.sha256,
        fingerprint=findings_fingerprint(findings),
        recipient="",
        name=alert.display_name(),
        year=alert.year,
        file_name=alert.file_name,
        error_count=alert.error_count,
        payload={
            "alert": alert.model_dump(mode="json"),
            "findings": [f.model_dump(mode="json") for f in findings],
        },
        message_kind="new" if findings else "resolved",
    )
    for channel in registered():
        if findings:
            default = channel.default_recipients(settings)
            recipients = recipients_for_report(
                alert, findings, routes=settings.alert_routes, default=default, channel=channel.name
            )
        else:
            # nothing to report now: tell those who were told about errors in this version before
            rows = session.exec(
                select(AlertLedger).where(
                    AlertLedger.content_sha256 == alert.sha256,
                    AlertLedger.channel == channel.name,
                    col(AlertLedger.status).in_(DELIVERED),
                )
            ).all()
            recipients = sorted({r.recipient for r in rows})
        for recipient in recipients:
            last = _latest(session, alert.sha256, channel.name, recipient, DELIVERED)
            if not findings and (last is None or last.message_kind == "resolved"):
                continue
            _record_one(
                session,
                template=template,
                channel=channel.name,
                recipient=recipient,
                now=now,
                settings=settings,
                out=out,
            )
    log.info("alerts_recorded", sha256=alert.sha256, due=len(out.rows), recipients=out.recipients)
    return out


def record_quarantine(
    session: Session, alert: QuarantineAlert, *, settings: Settings, now: dt.datetime | None = None
) -> Recorded:
    """Record the alert for a quarantined file (once per content and reason)."""
    now = now or utcnow()
    out = Recorded()
    ref = alert.sha256 or f"id{alert.quarantine_id}"
    template = AlertLedger(
        kind="quarantine",
        ref_id=alert.quarantine_id,
        content_sha256=f"quarantine:{ref}",
        fingerprint=quarantine_fingerprint(alert.reason),
        recipient="",
        name=alert.file_name,
        file_name=alert.file_name,
        payload={"quarantine": alert.model_dump(mode="json")},
    )
    for channel in registered():
        default = channel.default_recipients(settings)
        for recipient in recipients_for_quarantine(
            alert, routes=settings.alert_routes, default=default, channel=channel.name
        ):
            _record_one(
                session,
                template=template,
                channel=channel.name,
                recipient=recipient,
                now=now,
                settings=settings,
                out=out,
            )
    return out


# --- flush side -------------------------------------------------------------------------------
def claim_due(
    session: Session, recipient: str, *, token: str, now: dt.datetime, channel: str = EMAIL
) -> list[AlertLedger]:
    """Mark the recipient's due rows (window ended, or ending within ``CLAIM_SLACK_S``) as claimed by ``token``."""
    cutoff = now + dt.timedelta(seconds=CLAIM_SLACK_S)
    session.execute(
        sa.update(AlertLedger)
        .where(
            col(AlertLedger.channel) == channel,
            col(AlertLedger.recipient) == recipient,
            col(AlertLedger.status) == DUE,
            col(AlertLedger.due_at) <= cutoff,
        )
        .values(status=SENDING, claim=token, claimed_at=now)
    )
    return list(
        session.exec(select(AlertLedger).where(AlertLedger.claim == token).order_by(col(AlertLedger.id)))
    )


def overdue_targets(
    session: Session, *, before: dt.datetime, fresh_only: bool = False
) -> list[tuple[str, str]]:
    """(channel, recipient) pairs with due rows whose window ended before ``before`` (flush due, late or lost).

    Args:
        session: open session.
        before: window end cut-off.
        fresh_only: skip rows already attempted (a retrying task owns them and keeps its backoff).
    """
    query = select(AlertLedger.channel, AlertLedger.recipient).where(
        AlertLedger.status == DUE, AlertLedger.due_at <= before
    )
    if fresh_only:
        query = query.where(AlertLedger.attempts == 0)
    return sorted((channel, recipient) for channel, recipient in session.exec(query.distinct()))


def overdue_recipients(
    session: Session, *, before: dt.datetime, fresh_only: bool = False, channel: str = EMAIL
) -> list[str]:
    """The recipients of ``channel`` among ``overdue_targets``."""
    targets = overdue_targets(session, before=before, fresh_only=fresh_only)
    return [recipient for ch, recipient in targets if ch == channel]


def release_stale_claims(session: Session, *, older_than: dt.datetime) -> int:
    """Rows stuck in ``sending`` (the flushing worker died) fall due again."""
    result = session.execute(
        sa.update(AlertLedger)
        .where(col(AlertLedger.status) == SENDING, col(AlertLedger.claimed_at) < older_than)
        .values(status=DUE, claim=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def fail_due(session: Session, recipient: str, *, error: str, channel: str = EMAIL) -> int:
    """After the last retry: the recipient's due rows that were attempted are failed (visible in status)."""
    result = session.execute(
        sa.update(AlertLedger)
        .where(
            col(AlertLedger.channel) == channel,
            col(AlertLedger.recipient) == recipient,
            col(AlertLedger.status) == DUE,
            col(AlertLedger.attempts) > 0,
        )
        .values(status=FAILED, last_error=error)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def recent_deliveries(session: Session, *, limit: int = 10) -> list[AlertDelivery]:
    """The last deliveries (any channel, any state), newest first."""
    return list(session.exec(select(AlertDelivery).order_by(col(AlertDelivery.id).desc()).limit(limit)))


def ledger_counts(session: Session) -> dict[str, int]:
    """Ledger rows by status."""
    rows = session.exec(select(AlertLedger.status, sa.func.count()).group_by(AlertLedger.status)).all()
    return {status: int(n) for status, n in rows}
