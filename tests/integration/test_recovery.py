"""Crash recovery on real processes: kill -9 the worker mid-task; the file is processed exactly once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from celery import Celery

from tests.utils import store
from tests.utils.services import WorkerProcess, make_settings, migrated, wait_until
from worker.store.db import session_scope

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(120)]


def test_recovery_worker_killed_mid_task_processed_exactly_once(
    tmp_path: Path, database_url: str, broker_url: str, seeds_dir: Path
) -> None:
    settings = migrated(
        make_settings(
            tmp_path,
            database_url,
            broker_url,
            visibility_timeout=8,
            soft_time_limit=5,
            time_limit=6,
            alerts_enabled=False,
        )
    )
    seed = sorted(seeds_dir.glob("*.txt"))[1]
    dropped = settings.inbox_path / seed.name
    shutil.copy(seed, dropped)
    producer = Celery(broker=broker_url, backend=broker_url)
    first = producer.send_task("nianbao.ingest", args=[str(dropped)], queue=settings.task_queue)

    a = WorkerProcess(settings, tmp_path / "worker-a.log", slow_seconds=2.5)
    claimed = settings.processing_path / first.id / seed.name
    try:
        wait_until(claimed.exists, 30, "the first worker to claim the file")
    except AssertionError:
        print(a.output())
        raise
    finally:
        a.kill()  # SIGKILL while it sleeps (slow_seconds): no ack, no result, file in processing/
    assert claimed.exists() and not dropped.exists()
    with session_scope(settings) as s:
        assert store.list_reports(s) == []

    b = WorkerProcess(settings, tmp_path / "worker-b.log")
    try:
        archived = settings.archive_path / seed.name
        wait_until(archived.exists, 40, "the new worker to recover and archive the file")
        # the killed delivery comes back after the visibility timeout; by then the orphan recovery has
        # usually done the work ("gone"), else this delivery does it: either way exactly once
        assert first.get(timeout=40)["status"] in ("gone", "ingested")
    except AssertionError:
        print(b.output())
        raise
    finally:
        b.stop()
    with session_scope(settings) as s:
        reports = store.list_reports(s)
        assert [r.file_name for r in reports] == [seed.name]
        assert len(store.cells_of(s, reports[0].id or 0)) > 0
    assert archived.read_bytes() == seed.read_bytes()
    assert not any(settings.processing_path.iterdir())
    assert not (settings.archive_path / "duplicates").exists()


def test_recovery_locked_database_is_retried_with_backoff(
    tmp_path: Path, broker_url: str, seeds_dir: Path
) -> None:
    import sqlite3
    import time

    db = tmp_path / "locked.sqlite"
    settings = migrated(
        make_settings(tmp_path, f"sqlite:///{db}", broker_url, db_busy_timeout=0.3, alerts_enabled=False)
    )
    seed = sorted(seeds_dir.glob("*.txt"))[4]
    dropped = settings.inbox_path / seed.name
    shutil.copy(seed, dropped)
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    locker = sqlite3.connect(db, isolation_level=None, timeout=10)
    try:
        wait_until(lambda: " ready." in worker.output(), 40, "the worker (it migrates first)")
        locker.execute("BEGIN EXCLUSIVE")  # another writer holds the database: every write is refused
        producer = Celery(broker=broker_url, backend=broker_url)
        result = producer.send_task("nianbao.ingest", args=[str(dropped)], queue=settings.task_queue)
        wait_until(lambda: "ingest_retry" in worker.output(), 40, "the task to retry on the locked database")
        assert (settings.processing_path / result.id / seed.name).exists()  # kept, not lost
        time.sleep(0.5)
        locker.execute("ROLLBACK")
        outcome = result.get(timeout=40)
        assert outcome["status"] == "ingested"
    except AssertionError:
        print(worker.output())
        raise
    finally:
        locker.close()
        worker.stop()
    assert (settings.archive_path / seed.name).exists()
    with session_scope(settings) as s:
        assert [r.file_name for r in store.list_reports(s)] == [seed.name]


def test_recovery_soft_time_limit_quarantines_with_reason(
    tmp_path: Path, default_database_url: str, broker_url: str, seeds_dir: Path
) -> None:
    settings = migrated(
        make_settings(
            tmp_path,
            default_database_url,
            broker_url,
            soft_time_limit=1,
            time_limit=5,
            visibility_timeout=10,
            alerts_enabled=False,
        )
    )
    seed = sorted(seeds_dir.glob("*.txt"))[3]
    dropped = settings.inbox_path / seed.name
    shutil.copy(seed, dropped)
    worker = WorkerProcess(settings, tmp_path / "worker.log", slow_seconds=3)
    producer = Celery(broker=broker_url, backend=broker_url)
    try:
        outcome = producer.send_task("nianbao.ingest", args=[str(dropped)], queue=settings.task_queue).get(
            timeout=40
        )
    except Exception:
        print(worker.output())
        raise
    finally:
        worker.stop()
    assert outcome["status"] == "quarantined" and "soft_time_limit" in outcome["reason"]
    held = store.quarantined(settings.quarantine_path, seed.name)
    assert held is not None and held[0].read_bytes() == seed.read_bytes()
    with session_scope(settings) as s:
        (q,) = store.list_quarantine(s)
        assert q.stage == "time_limit"
        assert store.list_reports(s) == []
