"""The outbox (follow-up tasks recorded with the change that calls for them) and half-done moves.

An alert task is recorded as an ``outbox`` row in the same transaction as the report or quarantine record,
sent after the commit and marked sent; a row left unsent (the broker was down, the worker died) is sent by
the recovery sweep (``worker.sweep``). The alert tasks are idempotent (the alert ledger records an alert
once), so sending a row twice is harmless, while never sending it would lose an alert.

A ``delivery`` row still ``started`` with a ``destination`` is a move the worker meant to make: when the
file is at the destination (the same content), only the last update is missing and the sweep completes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from worker.store.models import Delivery, OutboxTask, SourceFile, utcnow


def add(session: Session, task: str, ref_id: int) -> OutboxTask:
    """Record that ``task(ref_id)`` must be sent (flushed, so the row has its id)."""
    row = OutboxTask(task=task, ref_id=ref_id)
    session.add(row)
    session.flush()
    return row


def mark_sent(session: Session, ids: list[int]) -> None:
    """The rows ``ids`` were handed to the broker."""
    if ids:
        session.execute(sa.update(OutboxTask).where(col(OutboxTask.id).in_(ids)).values(sent_at=utcnow()))


def unsent(session: Session, *, older_than: dt.datetime, limit: int = 500) -> list[OutboxTask]:
    """Rows not sent and recorded before ``older_than`` (younger ones are still being sent by their task)."""
    return list(
        session.exec(
            select(OutboxTask)
            .where(col(OutboxTask.sent_at).is_(None), col(OutboxTask.created_at) < older_than)
            .order_by(col(OutboxTask.id))
            .limit(limit)
        )
    )


def pending_count(session: Session) -> int:
    """How many outbox rows are not sent yet."""
    return int(session.exec(select(sa.func.count()).where(col(OutboxTask.sent_at).is_(None))).one())


def half_done(session: Session, *, older_than: dt.datetime) -> list[HalfDone]:
    """Deliveries still ``started`` that named a destination before ``older_than`` (a move maybe done)."""
    rows = session.exec(
        select(Delivery.id, Delivery.sha256, Delivery.name, Delivery.destination).where(
            Delivery.state == "started",
            col(Delivery.destination).is_not(None),
            col(Delivery.updated_at) < older_than,
        )
    )
    return [HalfDone(id, sha256, name, dest) for id, sha256, name, dest in rows if id is not None and dest]


@dataclass(frozen=True)
class HalfDone:
    """A delivery whose move may have been made: its row, file and intended destination."""

    id: int
    sha256: str
    name: str
    destination: str


def complete_move(session: Session, move: HalfDone, *, archived: bool) -> bool:
    """The file of ``move`` is at its destination: record it (``archived``: its archived path) and end the
    delivery; False when another process ended it meanwhile (nothing is written then)."""
    ended = session.execute(
        sa.update(Delivery)
        .where(col(Delivery.id) == move.id, col(Delivery.state) == "started")
        .values(state="done", unfinished=0, destination=None, updated_at=utcnow())
    )
    if not ended.rowcount:  # type: ignore[attr-defined]
        return False
    if archived:
        session.execute(
            sa.update(SourceFile)
            .where(col(SourceFile.sha256) == move.sha256, col(SourceFile.name) == move.name)
            .values(archived_path=move.destination)
        )
    return True
