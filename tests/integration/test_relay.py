"""The relay (``file_store = "database"``, worker/relay): the inbox side and the workers share only PostgreSQL.

Here in one process, with the two sides given separate data directories (nothing on disk in common): the
inbox side hands files over, a "remote" worker ingests them from the stored bytes, the inbox side places
them. tests/faults/test_relay_workers.py runs the same with real worker processes and a kill -9.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests.utils.gen import random_report
from tests.utils.render_formats import render_text
from tests.utils.s3 import object_keys, s3_settings
from tests.utils.services import make_settings, migrated, pg_base_url, pg_schema
from worker.errors import ConfigError
from worker.ingest import Outcome
from worker.relay import check, inbox_side, worker_side
from worker.settings import Settings
from worker.store import relay_store, unit
from worker.store.db import get_engine, session_scope
from worker.store.models import QuarantineRecord, SourceFile, StoredReport
from worker.store.relay_models import PLACED, Blob, Submission

pytestmark = [pytest.mark.integration]


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema(pg_base_url()) as url:
        yield url


@pytest.fixture
def sides(request: pytest.FixtureRequest, tmp_path: Path, pg_url: str) -> tuple[Settings, Settings]:
    """The inbox side and a worker on "another machine" (its own data directory and no inbox).

    Parametrised indirectly with the blob store (default "database"; "s3": a fresh bucket on the test
    process's S3 server, tests/utils/s3.py).
    """
    store = getattr(request, "param", "database")
    extra = {}
    if store == "s3":
        extra = s3_settings(request.getfixturevalue("s3_endpoint"), request.getfixturevalue("s3_bucket"))
    inbox = migrated(make_settings(tmp_path / "inbox-host", pg_url, file_store="database", alerts_enabled=False,
                                   **extra))  # fmt: skip
    remote = make_settings(tmp_path / "worker-host", pg_url, file_store="database", alerts_enabled=False,
                           task_queue=inbox.task_queue, **extra)  # fmt: skip
    return inbox, remote


def _stored_contents(settings: Settings) -> list[str]:
    """The sha256 of every content the blob store holds (the ``blob`` table, or the keys in the bucket)."""
    if settings.blob_store == "s3":
        assert settings.s3_endpoint_url and settings.s3_bucket
        keys = object_keys(settings.s3_endpoint_url, settings.s3_bucket)
        assert all(k.startswith(settings.s3_prefix) for k in keys)
        return [k.removeprefix(settings.s3_prefix) for k in keys]
    with session_scope(settings) as s:
        return sorted(s.exec(select(Blob.sha256)))


class Sent(list[tuple[str, list[Any]]]):
    def __call__(self, name: str, args: list[Any]) -> None:
        self.append((name, args))


def _reports(count: int) -> list[str]:
    rng, texts, organs = random.Random(7), [], set()
    while len(texts) < count:
        report = random_report(rng)
        if report["organ"] not in organs:
            organs.add(report["organ"])
            texts.append(render_text(report))
    return texts


def _drop(settings: Settings, name: str, data: bytes) -> Path:
    path = settings.inbox_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("sides", ["database", "s3"], indirect=True)
def test_files_travel_through_the_database_and_are_placed_by_the_inbox_side(sides: tuple[Settings, Settings]) -> None:
    inbox, remote = sides
    texts = _reports(3)
    files = {f"r{i}.txt": text.encode() for i, text in enumerate(texts)}
    files["again.txt"] = files["r0.txt"]  # the same content under another name: a duplicate
    files["scan.bin"] = bytes(range(256)) * 8  # not a report in any format: quarantined
    sent = Sent()
    for name, data in files.items():
        result = inbox_side.submit(_drop(inbox, name, data), inbox, sent)
        assert result.status is Outcome.INGESTED and result.reason and result.reason.startswith("submission ")
    assert not any(inbox.inbox_path.iterdir())  # every file left the inbox
    assert [name for name, _ in sent] == ["nianbao.ingest_blob"] * 5
    contents = sorted({hashlib.sha256(data).hexdigest() for data in files.values()})
    assert _stored_contents(inbox) == contents  # each content stored once
    if inbox.blob_store == "s3":  # only the bytes moved: none of them in PostgreSQL
        with session_scope(inbox) as s:
            assert s.exec(select(sa.func.count()).select_from(Blob)).one() == 0

    outcomes = {}
    for _, (submission_id,) in sent:
        result = worker_side.ingest_submission(submission_id, settings=remote, task_id=f"t{submission_id}",
                                               send_task=Sent())  # fmt: skip
        outcomes[result.name] = result.status
    assert outcomes == {"r0.txt": Outcome.INGESTED, "r1.txt": Outcome.INGESTED, "r2.txt": Outcome.INGESTED,
                        "again.txt": Outcome.DUPLICATE, "scan.bin": Outcome.QUARANTINED}  # fmt: skip
    # a second delivery of a decided submission does nothing
    again = worker_side.ingest_submission(sent[0][1][0], settings=remote, task_id="t-again", send_task=Sent())
    assert again.status is Outcome.GONE
    assert not (remote.data_dir / "archive").exists() and not (remote.data_dir / "quarantine").exists()

    assert inbox_side.place(inbox) == 5
    archive, quarantine = inbox.archive_path, inbox.quarantine_path
    for name in ("r0.txt", "r1.txt", "r2.txt"):
        assert (archive / name).read_bytes() == files[name]
    assert (archive / "duplicates" / "again.txt").read_bytes() == files["r0.txt"]
    [folder] = [p for p in quarantine.iterdir() if p.is_dir()]
    assert (folder / "scan.bin").read_bytes() == files["scan.bin"]
    note = folder.with_name(folder.name + ".error.txt").read_text("utf-8")
    assert "stage: extract" in note and "scan.bin" in note
    assert not any(p.is_file() for p in inbox.relayed_path.rglob("*"))
    with session_scope(inbox) as s:
        assert s.exec(select(sa.func.count()).select_from(StoredReport)).one() == 3
        archived = {r.name: r.archived_path for r in s.exec(select(SourceFile))}
        assert archived["again.txt"] == str(archive / "duplicates" / "again.txt")
        assert archived["r1.txt"] == str(archive / "r1.txt")
        [record] = s.exec(select(QuarantineRecord)).all()
        assert record.quarantine_path == str(folder / "scan.bin") and record.stage == "extract"
        assert {r.state for r in s.exec(select(Submission))} == {PLACED}
        assert s.exec(select(sa.func.count()).select_from(Blob)).one() == 0
    assert _stored_contents(inbox) == []  # placed: the bytes are not kept
    assert inbox_side.place(inbox) == 0
    from worker.cli.ops import collect_status

    status = collect_status(inbox)
    assert status["relay"] == {"placed": 5}
    if inbox.blob_store == "s3":
        assert status["blob_store"] == f"对象存储 s3://{inbox.s3_bucket}/nianbao/blobs/（{inbox.s3_endpoint_url}）"
    else:
        assert status["blob_store"] == "PostgreSQL（blob 表）"


def test_a_held_submission_is_busy_and_a_dead_workers_is_sent_again(sides: tuple[Settings, Settings]) -> None:
    inbox, remote = sides
    sent = Sent()
    inbox_side.submit(_drop(inbox, "a.txt", _reports(1)[0].encode()), inbox, sent)
    [(_, [submission_id])] = sent
    key = {"k1": relay_store.LOCK_CLASS, "k2": submission_id}
    with session_scope(inbox) as s:  # a worker took it and then died: started, its lock gone
        relay_store.start(s, submission_id, worker="elsewhere:1")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=worker_side.STALLED_AFTER_S + 1)
    with get_engine(remote).connect() as other:  # ... or is alive and holds it
        other.execute(sa.text("SELECT pg_advisory_lock(:k1, :k2)"), key)
        other.commit()
        busy = worker_side.ingest_submission(submission_id, settings=remote, task_id="t1", send_task=Sent())
        assert busy.status is Outcome.BUSY
        resent = Sent()
        assert worker_side.resend_stalled(remote, resent, now=later) == 0  # held: a live worker
        other.execute(sa.text("SELECT pg_advisory_unlock(:k1, :k2)"), key)
        other.commit()
    resent = Sent()
    assert worker_side.resend_stalled(remote, resent, now=later) == 1
    assert resent == [("nianbao.ingest_blob", [submission_id])]
    done = worker_side.ingest_submission(submission_id, settings=remote, task_id="t2", send_task=Sent())
    assert done.status is Outcome.INGESTED and done.report_id is not None
    assert worker_side.resend_stalled(remote, Sent(), now=later + dt.timedelta(hours=1)) == 0  # decided


def test_links_and_oversized_files_are_quarantined_by_the_inbox_side(sides: tuple[Settings, Settings]) -> None:
    inbox, _ = sides
    sent = Sent()
    big = _drop(inbox, "big.txt", b"x" * 2048)
    link = inbox.inbox_path / "link.txt"
    link.symlink_to("/etc/passwd")
    small = inbox.model_copy(update={"max_file_mb": 0.001})
    assert inbox_side.submit(big, small, sent).status is Outcome.QUARANTINED
    assert inbox_side.submit(link, inbox, sent).status is Outcome.QUARANTINED
    assert sent == []  # no worker is sent what must not be read
    with session_scope(inbox) as s:
        stages = sorted(r.stage for r in s.exec(select(QuarantineRecord)))
    assert stages == ["symlink", "too_large"]


def test_the_database_file_store_needs_postgresql(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}", file_store="database")
    with pytest.raises(ConfigError, match="PostgreSQL"):
        check(settings)


def test_a_killed_workers_private_copies_are_cleared_after_the_hard_time_limit(
    sides: tuple[Settings, Settings],
) -> None:
    import os

    _, remote = sides
    old, fresh = remote.data_dir / "work" / "old", remote.data_dir / "work" / "fresh"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "a.txt").write_bytes(b"x")
    past = old.stat().st_mtime - remote.time_limit - 1
    os.utime(old, (past, past))
    assert worker_side.clear_stale_work(remote) == 1
    assert not old.exists() and (fresh / "a.txt").exists()


def test_nianbao_import_hands_files_over_and_counts_them(tmp_path: Path, pg_url: str, broker_url: str) -> None:
    import subprocess
    import sys

    from tests.utils.services import settings_env
    from worker import backfill
    from worker.cli.ops import collect_status

    inbox = migrated(make_settings(tmp_path / "inbox-host", pg_url, broker_url, file_store="database",
                                   alerts_enabled=False))  # fmt: skip
    remote = make_settings(tmp_path / "worker-host", pg_url, broker_url, file_store="database",
                           alerts_enabled=False, task_queue=inbox.task_queue)  # fmt: skip
    folder = tmp_path / "old-reports" / "福建省" / "三明市"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(_reports(1)[0], encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    exe = str(Path(sys.executable).with_name("nianbao"))
    run = subprocess.run([exe, "import", "--no-wait", str(tmp_path / "old-reports")], env=settings_env(inbox),
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    import_id = run.stdout.split("导入 ", 1)[1].split("：", 1)[0]
    assert (folder / "a.txt").exists()  # the import copies
    with session_scope(inbox) as s:
        rows = list(s.exec(select(Submission).order_by(Submission.id)))  # type: ignore[arg-type]
        originals = sorted(r.original_path for r in rows)
    assert originals == [str(inbox.inbox_path / "福建省" / "三明市" / n) for n in ("a.txt", "empty.txt")]
    for row in rows:  # what the tasks the import sent do on a worker of another host; delivered twice
        for attempt in ("first", "again"):
            worker_side.ingest_submission(row.id or 0, settings=remote, task_id=f"{attempt}{row.id}",
                                          send_task=Sent(), import_id=import_id)  # fmt: skip
    progress = backfill.get_progress(inbox, import_id)
    assert progress is not None and progress.done == 2  # each file counted once
    assert (progress.counts["ingested"], progress.counts["quarantined"]) == (1, 1)
    assert inbox_side.place(inbox) == 2
    assert (inbox.archive_path / "a.txt").exists()
    assert collect_status(inbox)["relay"] == {"placed": 2}


def test_a_message_the_broker_refused_is_sent_by_the_next_sweep(sides: tuple[Settings, Settings]) -> None:
    inbox, remote = sides

    def broker_down(name: str, args: list[Any]) -> None:
        raise ConnectionError("Error 111 connecting to the broker")

    result = inbox_side.submit(_drop(inbox, "a.txt", _reports(1)[0].encode()), inbox, broker_down)
    assert result.status is Outcome.INGESTED  # held and recorded: nothing is lost
    resent = Sent()
    assert worker_side.resend_stalled(remote, resent) == 1  # now, not after the visibility timeout
    [(name, [submission_id])] = resent
    assert worker_side.ingest_submission(submission_id, settings=remote, task_id="t", send_task=Sent()).report_id
    assert worker_side.resend_stalled(remote, Sent()) == 0


def test_a_file_written_to_after_its_snapshot_is_handed_over_under_the_bytes_it_holds(
    sides: tuple[Settings, Settings],
) -> None:
    inbox, remote = sides
    first, later = _reports(2)
    held = inbox.relayed_path / "relay-t" / "a.txt"
    held.parent.mkdir(parents=True)
    held.write_bytes(later.encode())  # a writer replaced the content after the snapshot below was taken
    stale = unit.Arrival(sha256=hashlib.sha256(first.encode()).hexdigest(), name="a.txt",
                         original_path=str(inbox.inbox_path / "a.txt"), size=len(first.encode()))  # fmt: skip
    sent = Sent()
    result = inbox_side._hand_over(held, stale, inbox, sent)
    now = hashlib.sha256(later.encode()).hexdigest()
    assert result.status is Outcome.INGESTED and result.sha256 == now
    assert _stored_contents(inbox) == [now]  # stored under the hash of the bytes it holds, not the snapshot's
    [(_, [submission_id])] = sent
    done = worker_side.ingest_submission(submission_id, settings=remote, task_id="t1", send_task=Sent())
    assert done.status is Outcome.INGESTED  # the worker's check of the fetched bytes against their key passes
