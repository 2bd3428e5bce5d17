"""Issue 13 item 6, "prove it": two workers with separate data directories (nothing on disk in common with
each other or with the inbox) against one broker and one PostgreSQL, the inbox watched by ``nianbao watch``
with ``file_store = "database"``; one worker is killed with SIGKILL (its whole process group) while it holds a
file. Every file ends placed by the inbox side, each content is stored exactly once, and the file the dead
worker held is finished by the other one. Run twice: with the bytes in PostgreSQL (``blob_store = "database"``)
and in an S3-compatible object store (``"s3"``, moto's S3 server standing in for MinIO, tests/utils/s3.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bench.pipeline_corpus import report_texts
from tests.utils.s3 import object_keys, s3_settings
from tests.utils.services import (
    WorkerProcess,
    make_settings,
    migrated,
    pg_base_url,
    pg_schema,
    settings_env,
    wait_until,
)
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.models import QuarantineRecord, SourceFile, StoredReport
from worker.store.relay_models import PLACED, STARTED, Blob, Submission

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.faults, pytest.mark.timeout(300)]

FILES = 16
EXE = str(Path(sys.executable).with_name("nianbao"))


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema(pg_base_url()) as url:
        yield url


def _relay_settings(root: Path, pg_url: str, broker_url: str, **overrides: object) -> Settings:
    return make_settings(root, pg_url, broker_url, file_store="database", alerts_enabled=False, stable_seconds=0.3,
                         rescan_interval=2, sweep_interval=1, soft_time_limit=10, time_limit=15,
                         visibility_timeout=20, **overrides)  # fmt: skip


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (``nianbao worker``, its Celery main process in a session of its own,
    and the pool)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
    return found


def _kill_tree(pid: int) -> None:
    """SIGKILL the whole worker at once, as a machine that loses power would."""
    for member in _tree(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def _submissions(settings: Settings) -> list[Submission]:
    with session_scope(settings) as s:
        return list(s.exec(select(Submission)))  # readable after the session (expire_on_commit=False)


@pytest.mark.parametrize("blob_store", ["database", "s3"])
def test_a_worker_killed_on_one_machine_is_finished_by_another(request: pytest.FixtureRequest, tmp_path: Path,
                                                               pg_url: str, broker_url: str,
                                                               blob_store: str) -> None:  # fmt: skip
    extra: dict[str, object] = {}
    if blob_store == "s3":  # the bytes in a bucket of the test's S3 server (tests/utils/s3.py)
        endpoint, bucket = request.getfixturevalue("s3_endpoint"), request.getfixturevalue("s3_bucket")
        extra = s3_settings(endpoint, bucket)
    inbox = migrated(_relay_settings(tmp_path / "inbox-host", pg_url, broker_url, **extra))
    hosts = [_relay_settings(tmp_path / f"worker-host-{i}", pg_url, broker_url, task_queue=inbox.task_queue,
                             **extra) for i in range(2)]  # fmt: skip
    # the victim reads slowly, so it is killed while it holds a file, not just after
    workers = [WorkerProcess(h, tmp_path / f"worker{i}.log", concurrency=1, slow_seconds=slow)
               for i, (h, slow) in enumerate(zip(hosts, (1.5, 0.3), strict=True))]  # fmt: skip
    watch_log = open(tmp_path / "watch.log", "wb")  # noqa: SIM115
    watcher = subprocess.Popen([EXE, "watch"], env=settings_env(inbox), stdout=watch_log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    staging = tmp_path / "staging"
    staging.mkdir()
    texts = report_texts(FILES, seed=29)
    try:
        for i, text in enumerate(texts):
            (staging / f"r{i:02d}.txt").write_text(text, encoding="utf-8")
        (staging / "scan.bin").write_bytes(bytes(range(256)) * 8)
        for path in sorted(staging.iterdir()):
            path.rename(inbox.inbox_path / path.name)

        victim = workers[0]

        def victim_holds_one() -> Submission | None:
            group = set(_tree(victim.proc.pid))
            return next((s for s in _submissions(inbox) if s.state == STARTED and s.worker
                         and int(s.worker.rsplit(":", 1)[1]) in group), None)  # fmt: skip

        held = wait_until(victim_holds_one, 60, "the first worker to hold a file")
        _kill_tree(victim.proc.pid)

        def all_placed() -> list[Submission] | None:
            rows = _submissions(inbox)
            return rows if len(rows) == FILES + 1 and all(r.state == PLACED for r in rows) else None

        try:
            rows = wait_until(all_placed, 150, "every file to be placed")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{[(r.name, r.state, r.worker) for r in _submissions(inbox)]}\n"
                                 f"--- survivor ---\n{workers[1].output()}") from exc  # fmt: skip
    finally:
        watcher.send_signal(signal.SIGTERM)
        try:
            watcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(watcher.pid, signal.SIGKILL)
        watch_log.close()
        for worker in workers:
            worker.stop()

    by_id = {r.id: r for r in rows}
    again = by_id[held.id]
    assert again.attempts >= 2 and again.worker != held.worker  # finished by the survivor
    assert sorted(r.outcome or "" for r in rows).count("ingested") == FILES
    archive = inbox.archive_path
    assert sorted(p.name for p in archive.iterdir() if p.is_file()) == sorted(f"r{i:02d}.txt" for i in range(FILES))
    for i, text in enumerate(texts):
        assert (archive / f"r{i:02d}.txt").read_text("utf-8") == text
    assert [p.name for p in inbox.quarantine_path.rglob("scan.bin")] == ["scan.bin"]
    assert not any(inbox.inbox_path.iterdir())
    assert not any(p.is_file() for p in inbox.relayed_path.rglob("*"))
    for host in hosts:  # nothing of the files on the workers' disks (but the dead one's copy of its file)
        assert not host.archive_path.exists() and not host.quarantine_path.exists()
    left = [p.name for p in (hosts[0].data_dir / "work").rglob("*") if p.is_file()]
    assert left in ([], [held.name])  # its next start clears it (worker.relay.worker_side.clear_stale_work)
    assert not any(p.is_file() for p in (hosts[1].data_dir / "work").rglob("*"))
    with session_scope(inbox) as s:
        assert s.exec(select(sa.func.count()).select_from(StoredReport)).one() == FILES
        assert s.exec(select(sa.func.count(sa.distinct(StoredReport.sha256)))).one() == FILES
        assert s.exec(select(sa.func.count()).select_from(SourceFile)).one() == FILES  # one row per arrival
        assert s.exec(select(sa.func.count()).select_from(QuarantineRecord)).one() == 1
        assert s.exec(select(sa.func.count()).select_from(Blob)).one() == 0  # every content placed: no bytes kept
    if blob_store == "s3":
        assert object_keys(endpoint, bucket) == []  # deleted once placed; none ever in the table
