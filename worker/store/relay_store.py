"""The relay's rows (worker/store/relay_models.py): the life of a submission, and the lock that guards the
bytes of a content while they are stored or deleted (the bytes themselves: worker/relay/blobs.py).

Every function works inside the caller's session (one transaction); the caller commits.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, select

from worker.store.models import utcnow
from worker.store.relay_models import DECIDED, PLACED, QUEUED, STARTED, Submission

SUBMISSION: sa.Table = Submission.__table__  # type: ignore[attr-defined]
LOCK_CLASS = 7312  # first key of the advisory lock a worker holds on a submission id (pg_try_advisory_lock)
CONTENT_LOCK_CLASS = 7313  # first key of the transaction lock on a content while its bytes are put or deleted


def content_key(sha256: str) -> int:
    """The second key of a content's advisory lock: the first 32 bits of the sha256, as a signed int4 (two
    contents that share it only wait for each other)."""
    return int.from_bytes(bytes.fromhex(sha256[:8]), "big", signed=True)


def lock_content(session: Session, sha256: str) -> None:
    """Hold the content ``sha256`` until this transaction ends: a hand-over takes it before it stores the
    bytes and keeps it until its submission commits, a delete takes it before it asks whether any submission
    still needs them, so the bytes are never deleted under a new submission (worker/relay/blobs.py)."""
    session.execute(sa.text("SELECT pg_advisory_xact_lock(:k1, :k2)"),
                    {"k1": CONTENT_LOCK_CLASS, "k2": content_key(sha256)})  # fmt: skip


def content_needed(session: Session, sha256: str) -> bool:
    """A submission of this content is not placed yet (its bytes must stay)."""
    return bool(contents_needed(session, [sha256]))


def contents_needed(session: Session, sha256s: list[str]) -> set[str]:
    """Those of ``sha256s`` that a submission not yet placed still needs."""
    rows = session.execute(
        sa.select(SUBMISSION.c.sha256)
        .where(SUBMISSION.c.sha256.in_(sha256s), SUBMISSION.c.state != PLACED)
        .distinct()
    )
    return {str(sha256) for (sha256,) in rows}


def add_submission(
    session: Session,
    *,
    sha256: str,
    name: str,
    name_raw: str | None,
    original_path: str,
    size: int,
    origin: str,
    held_path: str,
) -> int:
    """The submission of the file held at ``held_path`` (added once: a second call returns the same id)."""
    now = utcnow()
    values = dict(sha256=sha256, name=name, name_raw=name_raw, original_path=original_path, size=size,
                  origin=origin, held_path=held_path, state=QUEUED, attempts=0, created_at=now, updated_at=now)  # fmt: skip
    stmt = postgresql.insert(SUBMISSION).values(**values)
    session.execute(stmt.on_conflict_do_nothing(constraint="uq_submission_origin_held_path"))
    found = session.execute(
        sa.select(SUBMISSION.c.id).where(SUBMISSION.c.origin == origin, SUBMISSION.c.held_path == held_path)
    ).scalar_one()
    return int(found)


UNSENT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # ``updated_at`` of a queued submission whose message never left


def mark_unsent(session: Session, submission_id: int) -> None:
    """The broker refused the message: the workers' next sweep sends it (``stalled`` takes it at once)."""
    session.execute(sa.update(SUBMISSION).where(SUBMISSION.c.id == submission_id).values(updated_at=UNSENT))


def start(session: Session, submission_id: int, *, worker: str) -> Submission | None:
    """Mark the submission started by ``worker``; None when it is unknown or already decided."""
    row = session.get(Submission, submission_id)
    if row is None or row.state in (DECIDED, PLACED):
        return None
    row.state, row.worker, row.attempts, row.updated_at = STARTED, worker, row.attempts + 1, utcnow()
    session.add(row)
    session.flush()
    return row


def decide(
    session: Session,
    submission_id: int,
    *,
    outcome: str,
    report_id: int | None = None,
    quarantine_id: int | None = None,
    stage: str | None = None,
    reason: str | None = None,
) -> None:
    """Record what became of the submission (in the transaction that stored the report or the quarantine)."""
    session.execute(
        sa.update(SUBMISSION)
        .where(SUBMISSION.c.id == submission_id)
        .values(state=DECIDED, outcome=outcome, report_id=report_id, quarantine_id=quarantine_id, stage=stage,
                reason=reason, updated_at=utcnow())  # fmt: skip
    )


def decided(session: Session, *, origin: str, limit: int = 200) -> list[Submission]:
    """Decided submissions whose file ``origin`` still holds (oldest first)."""
    query = (
        select(Submission)
        .where(SUBMISSION.c.origin == origin, SUBMISSION.c.state == DECIDED)
        .order_by(SUBMISSION.c.id)
        .limit(limit)
    )
    return list(session.exec(query))


def placed(session: Session, submission_id: int, *, destination: str) -> None:
    """The inbox side moved the file to ``destination`` (its bytes go with ``blobs.release``)."""
    row = session.get(Submission, submission_id)
    if row is None:
        return
    row.state, row.destination, row.updated_at = PLACED, destination, utcnow()
    session.add(row)
    session.flush()


def held_paths(session: Session, *, origin: str) -> set[str]:
    """The held paths ``origin`` has submissions for and has not placed yet."""
    rows = session.execute(
        sa.select(SUBMISSION.c.held_path).where(SUBMISSION.c.origin == origin, SUBMISSION.c.state != PLACED)
    )
    return {str(path) for (path,) in rows}


def stalled(session: Session, *, now: dt.datetime, started_before: dt.datetime, queued_before: dt.datetime) -> list[int]:
    """Submissions a worker started and nobody holds (its worker died), or queued so long that the message
    was lost; each is re-sent (a second message for a live one finds it busy or decided: harmless).

    The advisory lock is tried inside this transaction (released at its end): a held lock is a live worker.
    """
    candidates = session.execute(
        sa.select(SUBMISSION.c.id)
        .where(
            sa.or_(
                sa.and_(SUBMISSION.c.state == STARTED, SUBMISSION.c.updated_at < started_before),
                sa.and_(SUBMISSION.c.state == QUEUED, SUBMISSION.c.updated_at < queued_before),
            )
        )
        .order_by(SUBMISSION.c.id)
        .limit(500)
    ).scalars()
    free: list[int] = []
    for submission_id in candidates:
        got = session.execute(
            sa.text("SELECT pg_try_advisory_xact_lock(:k1, :k2)"), {"k1": LOCK_CLASS, "k2": int(submission_id)}
        ).scalar_one()
        if got:
            free.append(int(submission_id))
    if free:
        session.execute(
            sa.update(SUBMISSION).where(SUBMISSION.c.id.in_(free)).values(updated_at=now)
        )
    return free


def counts(session: Session) -> dict[str, int]:
    """Submissions per state (``nianbao status``)."""
    rows = session.execute(sa.select(SUBMISSION.c.state, sa.func.count()).group_by(SUBMISSION.c.state))
    return {str(state): int(n) for state, n in rows}
