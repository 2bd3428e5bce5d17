"""A batch's files hand their last write to the batch (``finals``), which commits several in one transaction.

Real files and databases (SQLite and PostgreSQL), no Celery: what ``nianbao.ingest_batch`` does with
``worker.ingest.ingest_file``, and the recovery when the batch dies before committing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.utils.services import make_settings, migrated
from worker import sweep
from worker.ingest import LastWrite, commit_last_writes, ingest_file
from worker.store.db import get_engine, session_scope
from worker.store.models import Delivery, SourceFile, utcnow

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(tmp_path: Path, database_url: str):  # noqa: ANN201
    return migrated(make_settings(tmp_path, database_url, alerts_enabled=False))


def _drop(settings: Any, name: str, data: bytes) -> Path:
    path = settings.inbox_path / name
    path.write_bytes(data)
    return path


def _deliveries(settings: Any) -> dict[str, tuple[str, str | None]]:
    with session_scope(settings) as s:
        return {d.name: (d.state, d.destination) for d in s.exec(select(Delivery))}


def _archived_paths(settings: Any) -> dict[str, str | None]:
    with session_scope(settings) as s:
        return {f.name: f.archived_path for f in s.exec(select(SourceFile))}


def test_last_writes_of_a_batch_commit_in_one_transaction(settings: Any, seeds_dir: Path) -> None:
    seeds = sorted(seeds_dir.glob("*.txt"))[:3]
    finals: list[LastWrite] = []
    results = [
        ingest_file(_drop(settings, s.name, s.read_bytes()), settings=settings, task_id=f"b-{i}",
                    send_task=lambda *_: None, finals=finals)
        for i, s in enumerate(seeds)
    ]  # fmt: skip
    junk = ingest_file(_drop(settings, "junk.txt", b"\x00\xff" * 40), settings=settings, task_id="b-j",
                       send_task=lambda *_: None, finals=finals)  # fmt: skip
    assert [r.status for r in results] == ["ingested"] * 3 and junk.status == "quarantined"
    assert len(finals) == 4
    # moved, and recorded as about to move: nothing says "done" until the batch commits
    assert all(state == "started" and dest for state, dest in _deliveries(settings).values())
    commits: list[int] = []
    engine = get_engine(settings)
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        assert commit_last_writes(settings, finals)
    finally:
        event.remove(engine, "commit", listener)
    assert len(commits) == 1 and finals == []
    assert all(state == "done" and dest is None for state, dest in _deliveries(settings).values())
    archived = _archived_paths(settings)
    assert all(archived[r.name] == r.destination for r in results)


def test_a_batch_that_dies_before_its_last_writes_is_completed_by_the_sweep(settings: Any, seeds_dir: Path) -> None:
    seed = sorted(seeds_dir.glob("*.txt"))[1]
    finals: list[LastWrite] = []
    res = ingest_file(_drop(settings, "r.txt", seed.read_bytes()), settings=settings, task_id="dead",
                      send_task=lambda *_: None, finals=finals)  # fmt: skip
    assert res.status == "ingested" and Path(res.destination or "").exists()
    del finals  # the worker died: the last write is never committed
    assert _deliveries(settings)["r.txt"] == ("started", res.destination)
    later = utcnow() + dt.timedelta(seconds=sweep.MOVE_GRACE_S + 1)
    assert sweep.run(settings, lambda *_: None, now=later).moves_completed == 1
    assert _deliveries(settings)["r.txt"] == ("done", None)
    assert _archived_paths(settings)["r.txt"] == res.destination
    again = ingest_file(_drop(settings, "r.txt", seed.read_bytes()), settings=settings, task_id="again",
                        send_task=lambda *_: None)  # fmt: skip
    assert again.status == "duplicate"  # the same file dropped again later: nothing stored twice
