"""Deadline reminders (issue 14, item 3): the bodies that have not sent a passing report, told before the deadline.

Each run (the Celery beat task ``nianbao.remind``, or ``nianbao remind``) reads the roster of every
``reminder_regions`` entry (empty: the whole registry) for the report year (the year before ``today``).
A body whose state is 未收到 or 已收到·未通过 is at a **step**: the smallest of ``reminder_days`` its days to the
deadline are within (``d7`` from 7 days before until ``d3`` begins), ``d0`` on the deadline day, ``overdue``
after it. It gets one mail per step and state (to its contact emails), and the office (``alert_recipients``)
one summary per run listing the bodies newly reminded. A run that missed a day still sends the step it is in.

The alert ledger keeps the reminders: kind ``reminder`` (a body's contact) and ``reminder-sum`` (an office
recipient), keyed by ``reminder:<body id>:<year>:<state>:<step>`` per recipient, so the same state and step
is never sent twice. Rows are claimed as ``reminding`` before delivery, so a concurrent run skips them; a
transient delivery failure removes the claim (the next run sends it), a permanent one leaves it ``failed``.
The digest flushes never touch reminder rows. Time is ``today``: moved by ``--today``, never by sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from celery import shared_task
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from worker import tasknames
from worker.alerts.channels import EMAIL, Outcome, get_channel
from worker.alerts.ledger import STALE_CLAIM_S
from worker.alerts.message import AlertMessage
from worker.alerts.remind_compose import DueReminder, body_reminder, office_summary
from worker.logging import get_logger
from worker.settings import Settings, get_settings
from worker.store.db import session_scope
from worker.store.ops_models import FAILED, SENT, AlertDelivery, AlertLedger, utcnow
from worker.store.queries import RosterState, roster

log = get_logger(__name__)
BODY_KIND = "reminder"
OFFICE_KIND = "reminder-sum"
REMINDING = "reminding"  # claimed by a run, being delivered
FINGERPRINT = "reminder"
REMINDED_STATES = (RosterState.NOT_RECEIVED, RosterState.FAILING, RosterState.NEEDS_REVIEW)


def reminder_step(days_left: int, days: Sequence[int]) -> str | None:
    """The step a body is at with ``days_left`` to its deadline, or None (too early for any reminder)."""
    if days_left < 0:
        return "overdue"
    if days_left == 0:
        return "d0"
    within = [n for n in days if n > 0 and days_left <= n]
    return f"d{min(within)}" if within else None


def due_reminders(session: Session, *, settings: Settings, today: dt.date, year: int) -> list[DueReminder]:
    """The bodies due a reminder today, per configured region (a body in two regions is listed once per region)."""
    out: list[DueReminder] = []
    for region in settings.reminder_regions or [""]:
        for entry in roster(session, region=region, year=year, today=today).entries:
            step = reminder_step(entry.days_left, settings.reminder_days)
            if entry.state in REMINDED_STATES and step is not None:
                out.append(DueReminder(region=region, year=year, entry=entry, step=step))
    return out


@dataclass
class RegionRun:
    """What one run did for one region."""

    region: str
    year: int
    due: list[DueReminder] = field(default_factory=list)  # at a step today
    new: list[DueReminder] = field(default_factory=list)  # not reminded at this step and state before
    body_mails: int = 0
    summaries: int = 0
    failed: int = 0
    postponed: int = 0  # transient failures: the next run sends them

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.region, "year": self.year, "due": len(self.due), "new": len(self.new),
                "body_mails": self.body_mails, "summaries": self.summaries, "failed": self.failed,
                "postponed": self.postponed}  # fmt: skip


def _claim(session: Session, *, kind: str, due: DueReminder, recipient: str, now: dt.datetime) -> AlertLedger | None:
    """A ``reminding`` ledger row for ``due`` and ``recipient``, or None when it was reminded (or is being)."""
    existing = session.exec(
        select(AlertLedger).where(
            AlertLedger.content_sha256 == due.key, AlertLedger.fingerprint == FINGERPRINT,
            AlertLedger.channel == EMAIL, AlertLedger.recipient == recipient,
        )
    ).first()
    if existing is not None:
        stale = existing.status == REMINDING and _utc(existing.claimed_at or now) < now - dt.timedelta(
            seconds=STALE_CLAIM_S)
        if not stale:
            return None
        existing.claimed_at = now
        session.add(existing)
        return existing
    row = AlertLedger(
        kind=kind, ref_id=due.entry.body.id, content_sha256=due.key, fingerprint=FINGERPRINT, channel=EMAIL,
        recipient=recipient, message_kind="new", status=REMINDING, name=due.entry.body.name, year=due.year,
        payload={"step": due.step, "state": due.entry.state.value, "region": due.region,
                 "days_left": due.entry.days_left},
        created_at=now, due_at=now, claimed_at=now,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent run claimed it first
        return None
    return row


def _utc(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _deliver(message: AlertMessage, row_ids: list[int], recipient: str, *, settings: Settings) -> Outcome:
    """Send one message for the claimed rows; record the delivery; settle the rows (see module doc)."""
    channel = get_channel(EMAIL)
    with session_scope(settings) as s:
        delivery = AlertDelivery(kind=message.type.value, channel=EMAIL, recipient=recipient,
                                 subject=message.subject, items=len(row_ids), attempts=1)  # fmt: skip
        s.add(delivery)
        s.flush()
        delivery_id = delivery.id
    try:
        result = channel.deliver(message, [recipient], settings=settings)
        outcome, detail = result.outcome, result.detail
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the other reminders
        log.exception("reminder_channel_raised", recipient=recipient)
        outcome, detail = Outcome.PERMANENT, f"{type(exc).__name__}: {exc}"
    now = utcnow()
    with session_scope(settings) as s:
        done = s.get(AlertDelivery, delivery_id)
        assert done is not None
        delivery = done
        delivery.status = {Outcome.SENT: SENT, Outcome.PERMANENT: FAILED}.get(outcome, "retrying")
        delivery.smtp_reply, delivery.error = (detail, None) if outcome is Outcome.SENT else (None, detail)
        delivery.sent_at = now if outcome is Outcome.SENT else None
        s.add(delivery)
        rows = sa.update(AlertLedger).where(col(AlertLedger.id).in_(row_ids))
        if outcome is Outcome.TRANSIENT:
            s.execute(sa.delete(AlertLedger).where(col(AlertLedger.id).in_(row_ids)))
        else:
            status = SENT if outcome is Outcome.SENT else FAILED
            s.execute(rows.values(status=status, delivery_id=delivery_id, attempts=AlertLedger.attempts + 1,
                                  last_error=None if outcome is Outcome.SENT else detail))  # fmt: skip
    log.info("reminder_delivered", kind=message.type.value, recipient=recipient, outcome=outcome.value)
    return outcome


def _count(run: RegionRun, outcome: Outcome, *, summary: bool) -> None:
    if outcome is Outcome.SENT:
        if summary:
            run.summaries += 1
        else:
            run.body_mails += 1
    elif outcome is Outcome.PERMANENT:
        run.failed += 1
    else:
        run.postponed += 1


def remind(settings: Settings, *, today: dt.date, year: int | None = None, dry_run: bool = False) -> list[RegionRun]:
    """Send the reminders due ``today`` for the report ``year`` (default: the year before ``today``).

    With ``dry_run`` nothing is written or sent: the runs list what is due and what would be new.
    """
    year = year or today.year - 1
    now = utcnow()
    runs: dict[str, RegionRun] = {}
    with session_scope(settings) as s:
        dues = due_reminders(s, settings=settings, today=today, year=year)
        for due in dues:
            runs.setdefault(due.region, RegionRun(region=due.region, year=year)).due.append(due)
        claimed_body: list[tuple[DueReminder, int, str]] = []
        claimed_office: dict[tuple[str, str], list[tuple[DueReminder, int]]] = {}
        for due in dues:
            run = runs[due.region]
            contacts = sorted(set(due.entry.body.contact_emails))
            if dry_run:
                if _is_new(s, due, [*contacts, *settings.alert_recipients]):
                    run.new.append(due)
                continue
            new = False
            for recipient in contacts:
                row = _claim(s, kind=BODY_KIND, due=due, recipient=recipient, now=now)
                if row is not None:
                    claimed_body.append((due, _id(s, row), recipient))
                    new = True
            for recipient in sorted(set(settings.alert_recipients)):
                row = _claim(s, kind=OFFICE_KIND, due=due, recipient=recipient, now=now)
                if row is not None:
                    claimed_office.setdefault((due.region, recipient), []).append((due, _id(s, row)))
                    new = True
            if new:
                run.new.append(due)
    if dry_run:
        return list(runs.values())
    for due, row_id, recipient in claimed_body:
        outcome = _deliver(body_reminder(due, base_url=settings.public_base_url), [row_id], recipient,
                           settings=settings)  # fmt: skip
        _count(runs[due.region], outcome, summary=False)
    mailed = _mailed(settings, [d for items in claimed_office.values() for d, _ in items])
    for (region, recipient), items in claimed_office.items():
        message = office_summary([d for d, _ in items], region=region, year=year, today=today, mailed=mailed)
        _count(runs[region], _deliver(message, [i for _, i in items], recipient, settings=settings), summary=True)
    for run in runs.values():
        log.info("reminders_run", today=today.isoformat(), **run.as_dict())
    return list(runs.values())


def _id(session: Session, row: AlertLedger) -> int:
    session.flush()
    assert row.id is not None
    return row.id


def _mailed(settings: Settings, dues: list[DueReminder]) -> dict[int, list[str]]:
    """Body id -> the contacts its reminder at this step and state reached (this run or an earlier one)."""
    out: dict[int, list[str]] = {}
    with session_scope(settings) as s:
        for due in dues:
            out[due.entry.body.id] = sorted(s.exec(
                select(AlertLedger.recipient).where(
                    AlertLedger.content_sha256 == due.key, AlertLedger.kind == BODY_KIND, AlertLedger.status == SENT
                )
            ).all())  # fmt: skip
    return out


def _is_new(session: Session, due: DueReminder, recipients: list[str]) -> bool:
    sent = session.exec(
        select(AlertLedger.recipient).where(AlertLedger.content_sha256 == due.key, AlertLedger.channel == EMAIL)
    ).all()
    return bool(set(recipients) - set(sent))


@shared_task(name=tasknames.REMIND)  # type: ignore[untyped-decorator]
def remind_task(today: str | None = None) -> dict[str, Any]:
    """Celery beat runs this hourly; it reminds from ``reminder_hour`` (local time) on, once per step and state."""
    settings = get_settings()
    if not (settings.alerts_enabled and settings.reminders_enabled):
        return {"skipped": "reminders disabled"}
    from zoneinfo import ZoneInfo

    if today is None and dt.datetime.now(ZoneInfo(settings.timezone)).hour < settings.reminder_hour:
        return {"skipped": "before reminder_hour"}
    from worker.registry.bodies import today_in

    day = dt.date.fromisoformat(today) if today else today_in(settings.timezone)
    return {"runs": [run.as_dict() for run in remind(settings, today=day)]}
