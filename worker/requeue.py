"""Re-queue a quarantined file: back into the inbox, its record gone, ingested again (the quarantine page).

For a file that failed for a reason since removed (LibreOffice installed, a limit raised): the file moves
from quarantine/ to the inbox under its own name (another name when one is taken), its ``.error.txt`` note
and quarantine record are removed, its redelivery count starts again, and the caller sends
``nianbao.ingest`` for it (a running watcher would find it too; the second delivery finds it gone). If it
fails again it is quarantined again, with a new record and alert.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col

from worker.settings import Settings
from worker.spool import clear_quarantine, free_name
from worker.store.models import Delivery, QuarantineRecord


class RequeueRefused(Exception):
    """The file cannot be re-queued; ``str(exc)`` says why in Chinese."""


def quarantined_file(settings: Settings, record: QuarantineRecord) -> Path | None:
    """The record's file, only when it lies inside the quarantine folder (the path comes from the database)."""
    if not record.quarantine_path:
        return None
    path = Path(record.quarantine_path).resolve()
    return path if path.is_relative_to(settings.quarantine_path.resolve()) else None


def _move_into(src: Path, target: Path) -> None:
    """Rename ``src`` to ``target``; across devices copy to a hidden name beside ``target`` first."""
    try:
        os.rename(src, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        part = target.with_name(f".{target.name}.part")
        shutil.copy2(src, part)
        os.replace(part, target)
        src.unlink()


def requeue_quarantined(session: Session, settings: Settings, record: QuarantineRecord) -> Path:
    """Move the quarantined file of ``record`` into the inbox and forget the record (in ``session``).

    Returns:
        The file's path in the inbox (send ``nianbao.ingest`` for it after the commit).

    Raises:
        RequeueRefused: The file is gone or lies outside the quarantine folder.
    """
    path = quarantined_file(settings, record)
    if path is None:
        raise RequeueRefused("隔离文件不在隔离目录中，不能重新排队。")
    if not path.is_file():
        raise RequeueRefused("隔离文件已不存在。")
    target = free_name(settings.inbox_path, record.name, (record.sha256 or "requeued")[:8])
    _move_into(path, target)
    clear_quarantine(path, settings)
    if record.sha256:  # a fresh start for the redelivery cap (the "deliveries" quarantine)
        session.execute(
            sa.update(Delivery)
            .where(col(Delivery.sha256) == record.sha256, col(Delivery.name) == record.name)
            .values(unfinished=0)
        )
    session.delete(record)
    session.flush()
    return target
