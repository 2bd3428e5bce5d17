"""Backfill: ``nianbao import DIR`` stages a folder's files and sends them to the workers in batches.

The import **copies**: the folder is left as it is (like Paperless-ngx's ``document_importer``, unlike its
consume folder), so a backfill can be run again, and a failed run loses nothing. Each file is copied to
``<inbox>/.nianbao-import/<import id>/<its path below DIR>`` (hidden: the watcher never picks it up) and
recorded as arriving at ``<inbox>/<its path below DIR>``, so the sub-folders name its region as those of a
file dropped into the inbox do (docs/registry.md). One ``nianbao.ingest_batch`` task carries a batch of
files (``worker.tasks.ingest_batch``) through the ingest's steps with one transaction per step
(``worker.batch``), and every file keeps its exact outcome: archived, a duplicate, or quarantined with its
reason.

**Idempotent**: a file whose content and name were processed to the end before (the ``delivery`` table:
archived or quarantined) is not staged again, so importing the same folder twice stores nothing twice; a
file that arrives again under a new name is a duplicate as in the inbox.

**Progress** lives in the broker (Redis): a hash per import (total, done, and a count per outcome), a set of
the files counted (a redelivered batch never counts a file twice) and a list of the quarantined files with
their reasons; ``nianbao import`` draws its progress bar from it and ``nianbao status`` lists the imports
of the last day. The keys expire after ``PROGRESS_TTL_S``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from sqlmodel import col, select

from worker import names
from worker.logging import get_logger
from worker.settings import Settings

log = get_logger(__name__)

STAGING = ".nianbao-import"  # under the inbox; hidden, so the watcher ignores it
PROGRESS_TTL_S = 7 * 24 * 3600
BATCH_SIZE = 50
OUTCOMES = ("ingested", "duplicate", "quarantined", "gone", "failed")  # "gone": finished by another delivery


@dataclass(frozen=True)
class Source:
    """One file of the imported folder."""

    path: Path  # in DIR
    relative: PurePath  # below DIR
    sha256: str | None  # None for a link (never followed, never hashed: the worker quarantines it)
    name: str  # display form, as the delivery table records it


def scan(directory: Path, settings: Settings) -> list[Path]:
    """Every file below ``directory`` the watcher would take from the inbox (same ignore patterns), sorted."""
    from watcher.scanner import PathFilter
    from watcher.scanner import scan as walk

    root = Path(os.path.realpath(directory))
    ours = [Path(os.path.realpath(p)) for p in (settings.inbox_path, settings.data_dir)]  # never our own files
    return sorted(walk(PathFilter(root, settings.ignore_patterns, excluded=ours)))


def describe(paths: list[Path], directory: Path) -> Iterator[Source]:
    """Hash each file (links are not followed) and name it as the delivery table does."""
    from worker.ingest import sha256_of

    root = Path(os.path.realpath(directory))
    for path in paths:
        sha = None if path.is_symlink() else sha256_of(path)
        yield Source(path=path, relative=path.relative_to(root), sha256=sha, name=names.display_name(path.name))


def known(settings: Settings, sources: list[Source]) -> set[tuple[str, str]]:
    """The ``(sha256, name)`` pairs among ``sources`` processed to the end before (archived or quarantined)."""
    from worker.store.db import read_scope
    from worker.store.models import Delivery

    out: set[tuple[str, str]] = set()
    shas = sorted({s.sha256 for s in sources if s.sha256})
    with read_scope(settings) as session:  # no wait for SQLite's write lock while workers store
        for start in range(0, len(shas), 500):
            chunk = shas[start : start + 500]
            rows = session.exec(
                select(Delivery.sha256, Delivery.name).where(
                    col(Delivery.sha256).in_(chunk), col(Delivery.state) == "done"
                )
            )
            out.update((sha, name) for sha, name in rows)
    return out


def new_import_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]


def staging_root(settings: Settings) -> Path:
    return settings.inbox_path / STAGING


def stage(settings: Settings, import_id: str, sources: list[Source]) -> list[list[str]]:
    """Copy the files into the import's staging folder; returns ``[staged path, arrival path]`` per file."""
    from worker import spool

    base = staging_root(settings) / import_id
    items: list[list[str]] = []
    for src in sources:
        target = base / src.relative
        spool.make_dir(target.parent, settings)
        shutil.copy2(src.path, target, follow_symlinks=False)  # a link stays a link (quarantined as such)
        items.append([str(target), str(settings.inbox_path / src.relative)])
    return items


def batches(items: list[list[str]], size: int) -> list[list[list[str]]]:
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]


def prune_staging(settings: Settings, staged: list[str]) -> None:
    """Remove the staging folders the batch left empty (up to the staging root; never a file)."""
    root = staging_root(settings)
    for path in {Path(p).parent for p in staged}:
        while path != root and root in path.parents:
            try:
                path.rmdir()
            except OSError:
                break  # not empty (batch-mates still staged) or gone already
            path = path.parent


# --- progress in the broker ---------------------------------------------------------------------
_clients: dict[str, Any] = {}


def _redis(settings: Settings) -> Any:
    import redis

    from worker.app import broker_url_for

    url = broker_url_for(settings)
    if url.startswith("redis+socket://"):
        url = "unix://" + url[len("redis+socket://") :]
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return client


def _key(settings: Settings, import_id: str, part: str = "") -> str:
    return f"nianbao:import{part}:{settings.task_queue}:{import_id}"


def start_progress(settings: Settings, import_id: str, *, source: str, total: int, skipped: int) -> None:
    """Record an import's plan (before its batches are sent)."""
    client = _redis(settings)
    key = _key(settings, import_id)
    now = time.time()
    fields = {"source": source, "total": total, "skipped": skipped, "done": 0, "started": now, "updated": now}
    fields.update({outcome: 0 for outcome in OUTCOMES})
    client.hset(key, mapping=fields)
    client.expire(key, PROGRESS_TTL_S)


def count_file(settings: Settings, import_id: str | None, original: str, outcome: str, reason: str | None) -> None:
    """Count one file of an import as finished with ``outcome`` (once per file; never raises)."""
    count_files(settings, import_id, [(original, outcome, reason)])


def count_files(settings: Settings, import_id: str | None, files: list[tuple[str, str, str | None]]) -> None:
    """Count files of an import as finished: ``(original, outcome, reason)`` each, once per file; never raises.

    Two round trips for a whole batch: which files are new to the count (``SADD`` per file), then their
    outcomes added up. A file counted by an earlier delivery of its batch is not counted again.
    """
    if not import_id or not files:
        return
    try:
        client = _redis(settings)
        seen = client.pipeline(transaction=False)
        for original, _, _ in files:
            seen.sadd(_key(settings, import_id, "-files"), original)
        new = [file for file, added in zip(files, seen.execute(), strict=True) if added]
        if not new:
            return  # counted by an earlier delivery of the batch
        key = _key(settings, import_id)
        pipe = client.pipeline()
        pipe.hincrby(key, "done", len(new))
        for outcome, count in Counter(o if o in OUTCOMES else "failed" for _, o, _ in new).items():
            pipe.hincrby(key, outcome, count)
        pipe.hset(key, "updated", time.time())
        for original, outcome, reason in new:
            if outcome in ("quarantined", "failed"):
                shown = names.display_name(str(PurePath(original).name))
                pipe.rpush(_key(settings, import_id, "-problems"), f"{outcome}\t{shown}\t{reason or ''}")
        for part in ("", "-files", "-problems"):
            pipe.expire(_key(settings, import_id, part), PROGRESS_TTL_S)
        pipe.execute()
    except Exception as exc:  # noqa: BLE001 - progress must never fail the work
        log.warning("import_progress_not_counted", import_id=import_id, error=f"{type(exc).__name__}: {exc}")


@dataclass
class Progress:
    """One import as the broker records it."""

    import_id: str
    source: str
    total: int
    skipped: int
    done: int
    counts: dict[str, int]
    started: float
    updated: float

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.import_id, "source": self.source, "total": self.total, "skipped": self.skipped,
            "done": self.done, **self.counts, "finished": self.finished,
            "started": dt.datetime.fromtimestamp(self.started, dt.UTC).isoformat(),
            "updated": dt.datetime.fromtimestamp(self.updated, dt.UTC).isoformat(),
        }  # fmt: skip


def _progress(import_id: str, raw: dict[bytes, bytes]) -> Progress:
    values = {k.decode(): v.decode() for k, v in raw.items()}

    def number(name: str) -> int:
        return int(float(values.get(name, "0") or 0))

    return Progress(
        import_id=import_id,
        source=values.get("source", ""),
        total=number("total"),
        skipped=number("skipped"),
        done=number("done"),
        counts={outcome: number(outcome) for outcome in OUTCOMES},
        started=float(values.get("started", "0") or 0),
        updated=float(values.get("updated", "0") or 0),
    )


def get_progress(settings: Settings, import_id: str) -> Progress | None:
    raw = _redis(settings).hgetall(_key(settings, import_id))
    return _progress(import_id, raw) if raw else None


def problems(settings: Settings, import_id: str) -> list[tuple[str, str, str]]:
    """The import's quarantined and failed files: ``(outcome, name, reason)``."""
    rows = _redis(settings).lrange(_key(settings, import_id, "-problems"), 0, -1)
    out = []
    for row in rows:
        outcome, name, reason = (row.decode("utf-8", "replace").split("\t", 2) + ["", ""])[:3]
        out.append((outcome, name, reason))
    return out


def recent_imports(settings: Settings, *, within_s: float = 24 * 3600) -> list[Progress]:
    """Imports still running, or updated within ``within_s`` (``nianbao status``), oldest first."""
    client = _redis(settings)
    prefix = _key(settings, "")
    found = []
    for key in client.scan_iter(match=prefix + "*", count=200):
        import_id = key.decode()[len(prefix) :]
        progress = get_progress(settings, import_id)
        if progress is not None and (not progress.finished or time.time() - progress.updated < within_s):
            found.append(progress)
    return sorted(found, key=lambda p: p.started)


def forget(settings: Settings, import_id: str) -> None:
    """Drop an import's progress keys (tests)."""
    _redis(settings).delete(*(_key(settings, import_id, part) for part in ("", "-files", "-problems")))


__all__ = [
    "BATCH_SIZE",
    "STAGING",
    "Progress",
    "Source",
    "batches",
    "count_file",
    "count_files",
    "describe",
    "get_progress",
    "known",
    "new_import_id",
    "problems",
    "prune_staging",
    "recent_imports",
    "stage",
    "start_progress",
]
