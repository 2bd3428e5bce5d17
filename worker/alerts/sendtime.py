"""Decisions taken when alerts are sent, not when they were recorded: routing, stale claims, every due target.

Recipients are resolved from the settings in force when a flush runs: an alert recorded for a recipient that
the current ``alert_recipients`` / ``alert_routes`` no longer route it to (the configuration changed and the
worker restarted while it waited) is superseded, and recorded for the current recipients instead, through
the ledger (``record_one``), so each of them is still told at most once per channel. Update and resolved
messages stay with the recipient who got the first message; a rerouted alert reaches a new recipient as new.

Routing to the body itself: for a report matched to a registered body (worker/registry) that lies in one of
the ``body_contact_regions``, the body's own contact emails are recipients too, besides the office's. They
are worked out here, when the alert is about to be sent (``add_body_contacts``), from the registry as it is
then, and recorded through the ledger like any recipient (never twice). Reminder rows (worker/alerts/remind.py)
carry their own recipients and are never rerouted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from worker.alerts.channels import EMAIL, Channel, registered
from worker.alerts.digest import FlushResult, flush_recipient
from worker.alerts.ledger import (
    STALE_CLAIM_S,
    Recorded,
    overdue_targets,
    record_one,
    release_stale_claims,
)
from worker.alerts.models import QuarantineAlert, ReportAlert
from worker.alerts.routing import recipients_for_quarantine, recipients_for_report
from worker.logging import get_logger
from worker.rules.base import Finding
from worker.settings import Settings
from worker.store.db import lock_identity, session_scope
from worker.store.ops_models import DUE, SUPERSEDED, AlertLedger, utcnow
from worker.store.queries.contacts import body_contacts

REMINDER_KINDS = ("reminder", "reminder-sum")  # ledger kinds of worker/alerts/remind.py: not routed here

log = get_logger(__name__)


def contacts_of(session: Session, row: AlertLedger, channel: str, settings: Settings) -> list[str]:
    """The contact emails of the body ``row``'s report is matched to, when its region opted in (email only)."""
    if row.kind != "report" or channel != EMAIL or row.ref_id is None or not settings.body_contact_regions:
        return []
    return body_contacts(session, row.ref_id, regions=settings.body_contact_regions)


def current_recipients(
    row: AlertLedger, channel: Channel, settings: Settings, *, session: Session | None = None
) -> list[str]:
    """Who the current settings route ``row``'s alert to on ``channel`` (with ``session``: the body's contacts too)."""
    default = channel.default_recipients(settings)
    if row.kind == "quarantine":
        alert = QuarantineAlert.model_validate(row.payload["quarantine"])
        return recipients_for_quarantine(alert, routes=settings.alert_routes, default=default, channel=channel.name)
    report = ReportAlert.model_validate(row.payload["alert"])
    findings = [Finding.model_validate(f) for f in row.payload.get("findings", [])]
    office = recipients_for_report(
        report, findings, routes=settings.alert_routes, default=default, channel=channel.name
    )
    contacts = contacts_of(session, row, channel.name, settings) if session is not None else []
    return sorted(set(office) | set(contacts))


def add_body_contacts(session: Session, *, settings: Settings, now: dt.datetime, out: Recorded) -> None:
    """Record each due report alert for its body's contacts too (opt-in regions), in the same window."""
    if not settings.body_contact_regions:
        return
    waiting = session.exec(
        select(AlertLedger).where(
            AlertLedger.status == DUE, AlertLedger.kind == "report", AlertLedger.channel == EMAIL,
            AlertLedger.message_kind != "resolved",
        )
    ).all()
    for row in waiting:
        for recipient in contacts_of(session, row, EMAIL, settings):
            if recipient == row.recipient:
                continue
            start = len(out.rows)
            payload = {k: v for k, v in row.payload.items() if k != "previous"}
            template = AlertLedger(
                kind=row.kind, ref_id=row.ref_id, content_sha256=row.content_sha256, fingerprint=row.fingerprint,
                recipient="", name=row.name, year=row.year, file_name=row.file_name, error_count=row.error_count,
                payload=payload, message_kind="new",
            )
            record_one(session, template=template, channel=EMAIL, recipient=recipient, now=now, settings=settings,
                       out=out)
            _keep_window(out, out.rows[start:], not_after=max(_utc(row.due_at), now))
            if len(out.rows) > start:
                log.info("alert_to_body_contact", recipient=recipient, report_id=row.ref_id, ledger_id=row.id)


def reroute_due(session: Session, *, settings: Settings, now: dt.datetime | None = None) -> Recorded:
    """Move due alerts to the recipients the current settings route them to (see module doc).

    A rerouted alert keeps its window end when that is later than ``now`` (it is not delayed by a new
    window). Returns the rows recorded for the new recipients and the windows they opened.
    """
    now = now or utcnow()
    out = Recorded()
    channels = {c.name: c for c in registered()}
    waiting = session.exec(
        select(AlertLedger).where(
            AlertLedger.status == DUE, AlertLedger.message_kind != "resolved",
            col(AlertLedger.kind).not_in(REMINDER_KINDS),
        )
    ).all()
    for row in waiting:
        channel = channels.get(row.channel)
        if channel is None:
            continue
        recipients = current_recipients(row, channel, settings, session=session)
        if row.recipient in recipients:
            continue
        lock_identity(session, f"alert-window:{row.channel}:{row.recipient}")
        taken = session.execute(
            sa.update(AlertLedger)
            .where(col(AlertLedger.id) == row.id, col(AlertLedger.status) == DUE)
            .values(status=SUPERSEDED, last_error=f"rerouted to {', '.join(recipients) or 'nobody'}")
        )
        if not taken.rowcount:  # type: ignore[attr-defined]
            continue  # a flush claimed it meanwhile: it is being sent to the recipient it was recorded for
        payload = {k: v for k, v in row.payload.items() if k != "previous"}
        template = AlertLedger(
            kind=row.kind, ref_id=row.ref_id, content_sha256=row.content_sha256, fingerprint=row.fingerprint,
            recipient="", name=row.name, year=row.year, file_name=row.file_name, error_count=row.error_count,
            payload=payload, message_kind="new",
        )
        for recipient in recipients:
            start = len(out.rows)
            record_one(session, template=template, channel=row.channel, recipient=recipient, now=now,
                       settings=settings, out=out)
            _keep_window(out, out.rows[start:], not_after=max(_utc(row.due_at), now))
        log.info("alert_rerouted", channel=row.channel, old=row.recipient, new=recipients, ledger_id=row.id)
    return out


def _keep_window(out: Recorded, rows: Sequence[AlertLedger], *, not_after: dt.datetime) -> None:
    for new in rows:
        if _utc(new.due_at) > _utc(not_after):
            key = (new.channel, new.recipient)
            if key in out.new_windows:
                out.new_windows[key] = min(_utc(out.new_windows[key]), _utc(not_after))
            new.due_at = not_after


def _utc(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def prepare(settings: Settings, *, now: dt.datetime | None = None) -> Recorded:
    """Before flushing: take back stale claims (every target), route due alerts by the current settings and add
    the bodies' own contacts (``body_contact_regions``)."""
    now = now or utcnow()
    with session_scope(settings) as s:
        released = release_stale_claims(s, older_than=now - dt.timedelta(seconds=STALE_CLAIM_S))
        if released:
            log.warning("alert_stale_claims_released", rows=released)
        out = reroute_due(s, settings=settings, now=now)
        add_body_contacts(s, settings=settings, now=now, out=out)
        return out


def flush_due(settings: Settings, *, now: dt.datetime | None = None) -> list[FlushResult]:
    """Send everything whose window has ended, on every channel, in this process (``nianbao alerts flush``).

    Raises:
        TransientDeliveryError: a channel is unavailable; what was not sent is due again.
    """
    now = now or utcnow()
    prepare(settings, now=now)
    with session_scope(settings) as s:
        targets = overdue_targets(s, before=now)
    return [flush_recipient(recipient, settings=settings, now=now, channel=channel) for channel, recipient in targets]
