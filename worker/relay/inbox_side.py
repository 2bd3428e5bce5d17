"""The inbox side of the relay: hand settled files to the workers, then place them (see ``worker.relay``).

``submit`` (the watcher's send, ``nianbao import``): claim the file into processing/ as a disk-mode worker
would, refuse here what no worker should get (a link or special file, a file above ``max_file_mb``: it is
quarantined at once), move it to ``relayed/<token>/``, store its bytes (``blob_store``: in the same
transaction as its submission, or in the object store just before that commits), then send
``nianbao.ingest_blob``. ``place`` moves each decided file to archive/ (or ``archive/duplicates/``)
or to its quarantine folder with the note, and records where. ``sweep`` finishes what a crash interrupted:
a claimed file never moved on (processing/), a held file without its submission (relayed/).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import time
import uuid
from pathlib import Path

from worker import filecheck, names, relay, spool, tasknames
from worker.ingest import IngestResult, Job, Outcome, SendTask, refuse_here
from worker.logging import get_logger
from worker.relay import blobs
from worker.settings import Settings
from worker.store import crud, relay_store, unit
from worker.store.db import session_scope
from worker.store.models import QuarantineRecord
from worker.store.relay_models import Submission

log = get_logger(__name__)

HELD_GRACE_S = 30.0  # a held file this old without a submission was left by a crash before its commit


def submit(path: Path, settings: Settings, send_task: SendTask, *, original: str | None = None,
           alerts: bool = True, import_id: str | None = None) -> IngestResult:  # fmt: skip
    """Hand ``path`` (in the inbox, or an orphan in processing/) to the workers.

    ``original``, ``alerts`` and ``import_id`` are those of ``nianbao import`` (worker/backfill.py).

    Returns:
        ``INGESTED`` with the submission sent (``reason`` holds ``submission <id>``), ``QUARANTINED`` when refused
        here, or ``REFUSED``/``GONE``/``BUSY`` as a claim says.
    """
    token = f"relay-{uuid.uuid4().hex}"
    try:
        held = spool.claim(path, settings, token, original=original)
    except spool.ClaimRefused:
        return IngestResult(status=Outcome.REFUSED, path=names.display_name(str(path)))
    except (spool.ClaimGone, spool.ClaimBusy) as exc:
        outcome = Outcome.GONE if isinstance(exc, spool.ClaimGone) else Outcome.BUSY
        return IngestResult(status=outcome, path=names.display_name(str(path)))
    try:
        snap = filecheck.snapshot(held.path)
        arrival = unit.Arrival(sha256=snap.sha256, name=names.display_name(held.name),
                               original_path=names.display_name(held.original_path), size=snap.size,
                               name_raw=names.raw_hex(held.name))  # fmt: skip
        job = Job(claim=held, arrival=arrival, settings=settings, task_id=token, send_task=send_task,
                  snapshot=snap, alerts=alerts)  # fmt: skip
        refused = refuse_here(job)
        if refused is not None:
            return refused
        target = spool.make_dir(settings.relayed_path / token, settings) / names.fit(held.name)
        spool.archive(held, target, settings=settings)  # a move that never replaces a file
        return _hand_over(target, arrival, settings, send_task, alerts=alerts, import_id=import_id)
    finally:
        held.release()


def _hand_over(held_path: Path, arrival: unit.Arrival, settings: Settings, send_task: SendTask, *,
               alerts: bool = True, import_id: str | None = None) -> IngestResult:  # fmt: skip
    data = held_path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 != arrival.sha256:  # written to after its snapshot: the bytes handed over name themselves
        log.warning("relay_content_changed", file=arrival.name, snapshot=arrival.sha256[:12], now=sha256[:12])
        arrival = dataclasses.replace(arrival, sha256=sha256, size=len(data))
    with session_scope(settings) as session:
        relay_store.lock_content(session, arrival.sha256)  # no delete of this content until the commit
        blobs.store_for(settings, session).put(arrival.sha256, data)  # an object store: stored now, before it
        submission_id = relay_store.add_submission(
            session, sha256=arrival.sha256, name=arrival.name, name_raw=arrival.name_raw,
            original_path=arrival.original_path, size=arrival.size, origin=relay.origin(settings),
            held_path=str(held_path),
        )  # fmt: skip
    try:
        send_task(tasknames.INGEST_BLOB, [submission_id, alerts, import_id] if import_id or not alerts else [submission_id])
    except Exception as exc:  # broker outage: marked for the workers' sweep, which sends it
        log.warning("submission_send_deferred", submission=submission_id, error=f"{type(exc).__name__}: {exc}")
        with session_scope(settings) as session:
            relay_store.mark_unsent(session, submission_id)
    log.info("file_submitted", file=arrival.name, sha256=arrival.sha256, submission=submission_id, size=arrival.size)
    return IngestResult(status=Outcome.INGESTED, path=arrival.original_path, name=arrival.name,
                        sha256=arrival.sha256, reason=f"submission {submission_id}")  # fmt: skip


PLACE_BATCH = 200  # decided files read per query when placing


def place(settings: Settings, *, limit: int = PLACE_BATCH) -> int:
    """Move every decided file this side holds to where its outcome sends it; returns how many moved."""
    with session_scope(settings) as session:  # rows stay readable after it (expire_on_commit=False)
        rows = relay_store.decided(session, origin=relay.origin(settings), limit=limit)
    for row in rows:
        try:
            _place_one(row, settings)
        except Exception as exc:  # one file's trouble must not hold up the others; tried again next time
            log.exception("placement_failed", submission=row.id, error=f"{type(exc).__name__}: {exc}")
    return len(rows)


def _place_one(row: Submission, settings: Settings) -> None:
    assert row.id is not None
    held = spool.Claim(path=Path(row.held_path), name=row.name, original_path=row.original_path)
    if row.outcome == Outcome.QUARANTINED.value:
        target = Path(row.destination) if row.destination else spool.reserve_quarantine(settings, row.name,
                                                                                           row.sha256[:8])  # fmt: skip
        _intend(settings, row.id, target)
        spool.quarantine(held, target, reason=row.reason or "", stage=row.stage or "", sha256=row.sha256,
                         settings=settings)  # fmt: skip
    else:
        archive = settings.archive_path
        directory = archive / "duplicates" if row.outcome == Outcome.DUPLICATE.value else archive
        target = Path(row.destination) if row.destination else spool.free_name(directory, row.name, row.sha256[:8],
                                                                                  settings=settings)  # fmt: skip
        _intend(settings, row.id, target)
        if os.path.lexists(held.path):
            spool.archive(held, target, settings=settings)
    with session_scope(settings) as session:
        if row.outcome == Outcome.QUARANTINED.value and row.quarantine_id is not None:
            record = session.get(QuarantineRecord, row.quarantine_id)
            if record is not None:
                record.quarantine_path = str(target)
                session.add(record)
        elif row.outcome != Outcome.QUARANTINED.value:
            crud.set_archived(session, sha256=row.sha256, name=row.name, archived_path=str(target))
        relay_store.placed(session, row.id, destination=str(target))
        store = blobs.store_for(settings, session)
        if store.in_transaction:  # the bytes go with the placement, or neither
            blobs.release(session, store, row.sha256)
    if not store.in_transaction:  # an object store: only after the placement committed
        try:
            with session_scope(settings) as session:
                blobs.release(session, store, row.sha256)
        except blobs.BlobStoreUnavailable as exc:  # the object is left over: garbage for the sweep
            log.warning("blob_delete_deferred", submission=row.id, sha256=row.sha256, error=str(exc))
    with contextlib.suppress(OSError):
        held.path.parent.rmdir()
    log.info("file_placed", submission=row.id, file=row.name, outcome=row.outcome, destination=str(target))


def _intend(settings: Settings, submission_id: int, target: Path) -> None:
    """Record the destination before the move, so a crash in between is completed to the same place."""
    with session_scope(settings) as session:
        row = session.get(Submission, submission_id)
        if row is not None and row.destination != str(target):
            row.destination = str(target)
            session.add(row)


def sweep(settings: Settings, send_task: SendTask) -> int:
    """Finish what a crash of this side interrupted; returns how many files it handed over again."""
    again = 0
    for orphan in spool.orphans(settings):  # claimed into processing/ and never moved on
        if submit(orphan, settings, send_task).status is Outcome.INGESTED:
            again += 1
    root = settings.relayed_path
    if root.is_dir():
        with session_scope(settings) as session:
            known = relay_store.held_paths(session, origin=relay.origin(settings))
        for folder in root.iterdir():
            for held_path in folder.iterdir() if folder.is_dir() else ():
                if str(held_path) in known or time.time() - held_path.lstat().st_mtime < HELD_GRACE_S:
                    continue
                snap = filecheck.snapshot(held_path)
                arrival = unit.Arrival(sha256=snap.sha256, name=names.display_name(held_path.name),
                                       original_path=names.display_name(str(held_path)), size=snap.size,
                                       name_raw=names.raw_hex(held_path.name))  # fmt: skip
                _hand_over(held_path, arrival, settings, send_task)
                again += 1
    if again:
        log.warning("relay_sweep_handed_over", files=again)
    try:
        blobs.collect_garbage(settings)  # objects a crash left behind (blob_store = "s3")
    except blobs.BlobStoreUnavailable as exc:
        log.warning("blob_garbage_collection_failed", error=str(exc))
    return again


class Placer:
    """The watcher loop's tick: place decided files every ``every`` s, sweep every ``rescan_interval``."""

    def __init__(self, settings: Settings, send_task: SendTask, *, every: float = 0.5) -> None:
        self.settings, self.send_task, self.every = settings, send_task, every
        self._next_place = 0.0
        self._next_sweep = 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.settings.rescan_interval
            sweep(self.settings, self.send_task)
        if now >= self._next_place:
            self._next_place = now + self.every
            while place(self.settings) >= PLACE_BATCH:  # a backlog: keep going until it is placed
                pass
