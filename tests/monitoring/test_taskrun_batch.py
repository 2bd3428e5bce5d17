"""The task-run writer gathers events and writes them in one transaction, not one per event (issue 13).

Real database (SQLite and PostgreSQL); the events go through the writer thread as the Celery signals put
them, and the engine's commits are counted with a SQLAlchemy event listener.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.alerts.conftest import configure
from worker import monitoring
from worker.settings import get_settings
from worker.store.db import dispose_engines, get_engine, session_scope
from worker.store.ops_models import TaskRun, utcnow


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str):  # noqa: ANN201
    dispose_engines()
    yield configure(monkeypatch, tmp_path, database_url)
    dispose_engines()
    get_settings.cache_clear()


def _rows(settings) -> dict[str, TaskRun]:  # noqa: ANN001
    with session_scope(settings) as s:
        return {r.task_id: r for r in s.exec(select(TaskRun))}


def test_a_burst_of_task_events_is_written_in_few_transactions(configured) -> None:  # noqa: ANN001
    commits: list[int] = []
    engine = get_engine(configured)
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        tasks = [f"burst-{i}" for i in range(60)]
        for task_id in tasks:  # what publish, prerun and postrun put on the queue for each task
            monitoring._write(task_id, "nianbao.ingest", state="queued", queued_at=utcnow(), args="a.txt")
            monitoring._write(task_id, "nianbao.ingest", state="started", started_at=utcnow(), worker="w1")
            monitoring._write(task_id, "nianbao.ingest", finished_at=utcnow(), runtime_s=0.01, state="succeeded")
        assert monitoring.drain()
    finally:
        event.remove(engine, "commit", listener)
    rows = _rows(configured)
    assert sorted(rows) == sorted(tasks)
    assert all(r.state == "succeeded" and r.worker == "w1" and r.runtime_s == 0.01 for r in rows.values())
    assert all(r.queued_at and r.started_at and r.finished_at and r.args == "a.txt" for r in rows.values())
    assert len(commits) <= 10, f"{len(commits)} transactions for {3 * len(tasks)} events"


def test_a_failed_batch_falls_back_to_one_event_at_a_time(configured) -> None:  # noqa: ANN001
    # an event the database refuses (a NULL in a NOT NULL column) fails its batch; every other event of the
    # batch is still written
    good = [("ok-1", "nianbao.ingest", {"state": "started"}), ("ok-2", "nianbao.ingest", {"state": "succeeded"})]
    bad = ("bad", "nianbao.ingest", {"state": "started", "name": None})
    monitoring._apply_batch([good[0], bad, good[1]])
    rows = _rows(configured)
    assert rows["ok-1"].state == "started" and rows["ok-2"].state == "succeeded"
    assert "bad" not in rows
