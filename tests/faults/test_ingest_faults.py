"""Issue 10, worker side: hostile names, links, foreign paths, outages, kills between steps, slow writers.

Each test runs ``worker.ingest.ingest_file`` and the recovery sweep (``worker.sweep``) on real files and a
real database (SQLite and PostgreSQL through the ``database_url`` fixture); the follow-up tasks go to a
plain list, or to a function that fails like a broker that is down.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.utils.services import make_settings, migrated, wait_until
from tests.utils.variants import with_t3_error
from worker import names, spool, sweep, tasks
from worker.errors import RetryableError
from worker.ingest import ingest_file
from worker.parse import read_report
from worker.store import crud, outbox
from worker.store.db import get_engine, session_scope
from worker.store.models import CellValue, Delivery, OutboxTask, QuarantineRecord, SourceFile
from worker.store.ops_models import TaskRun, utcnow

pytestmark = pytest.mark.faults


class Sent(list[tuple[str, list[Any]]]):
    def __call__(self, name: str, args: list[Any]) -> None:
        self.append((name, args))


def broker_down(name: str, args: list[Any]) -> None:
    raise ConnectionError("Error 111 connecting to broker")


@pytest.fixture
def settings(tmp_path: Path, database_url: str):  # noqa: ANN201
    s = migrated(make_settings(tmp_path, database_url))
    s.inbox_path.mkdir(parents=True, exist_ok=True)
    return s


@pytest.fixture
def seed(seeds_dir: Path) -> bytes:
    return sorted(seeds_dir.glob("*.txt"))[0].read_bytes()


def _drop(settings: Any, name: str | bytes, data: bytes) -> Path:
    raw = name if isinstance(name, bytes) else os.fsencode(name)
    path = Path(os.fsdecode(os.path.join(os.fsencode(str(settings.inbox_path)), raw)))
    path.write_bytes(data)
    return path


def _rows(settings: Any, model: Any) -> list[Any]:
    with session_scope(settings) as s:
        return list(s.exec(select(model)))


# --- item 3: names the file system allows ------------------------------------------------------
def test_latin1_name_of_a_valid_report_is_stored_and_archived(settings: Any, seed: bytes) -> None:
    res = ingest_file(_drop(settings, b"caf\xe9.txt", seed), settings=settings, task_id="t", send_task=Sent())
    assert res.status == "ingested", res.reason
    (row,) = _rows(settings, SourceFile)
    assert row.name == "caf\\xe9.txt" and row.name_raw == b"caf\xe9.txt".hex()
    assert names.from_raw(row.name, row.name_raw) == os.fsdecode(b"caf\xe9.txt")
    assert Path(row.archived_path).exists()  # archived under the display form: storable, readable
    assert os.listdir(settings.archive_path) == ["caf\\xe9.txt"]


def test_latin1_junk_is_quarantined_with_row_file_and_note(settings: Any) -> None:
    res = ingest_file(_drop(settings, b"k17_caf\xe9.txt", b"\x00\xff" * 40), settings=settings, task_id="t",
                      send_task=Sent())
    assert res.status == "quarantined"
    (q,) = _rows(settings, QuarantineRecord)
    assert q.name_raw == b"k17_caf\xe9.txt".hex() and os.path.lexists(q.quarantine_path)
    assert spool.note_path(Path(q.quarantine_path)).exists()


def test_a_255_byte_name_ends_quarantined_and_archived_under_clashes(settings: Any, seed: bytes) -> None:
    long = "长" * 83 + ".txt"  # 253 bytes
    assert len(os.fsencode(long)) <= 255
    res = ingest_file(_drop(settings, long, b"\x00\xff" * 40), settings=settings, task_id="a", send_task=Sent())
    assert res.status == "quarantined"
    (q,) = _rows(settings, QuarantineRecord)
    assert os.path.lexists(q.quarantine_path)  # the row never points at nothing
    for i, data in enumerate((seed, seed.replace(b"2023", b"2021"))):  # the second needs a derived name
        out = ingest_file(_drop(settings, long, data), settings=settings, task_id=f"s{i}", send_task=Sent())
        assert out.status in ("ingested", "duplicate"), out.reason
    archived = [p for p in settings.archive_path.rglob("*") if p.is_file()]
    assert len(archived) == 2 and all(len(os.fsencode(p.name)) <= 255 for p in archived)
    assert not any(settings.processing_path.rglob("*.txt"))


def test_fit_shortens_with_a_hash_and_keeps_short_names() -> None:
    assert names.fit("a.txt") == "a.txt"
    a, b = names.fit("x" * 300 + "a.txt"), names.fit("x" * 300 + "b.txt")
    assert a != b and a.endswith(".txt") and len(a.encode()) == 255


# --- item 4: quarantined files and notes never collide -----------------------------------------
def test_a_note_never_overwrites_an_earlier_quarantined_file(settings: Any) -> None:
    first = ingest_file(_drop(settings, "r.txt.error.txt", b"\x00\x01" * 40), settings=settings, task_id="a",
                        send_task=Sent())
    second = ingest_file(_drop(settings, "r.txt", b"\x00\x02" * 40), settings=settings, task_id="b",
                         send_task=Sent())
    assert first.status == second.status == "quarantined"
    assert Path(first.destination or "").read_bytes() == b"\x00\x01" * 40
    assert Path(second.destination or "").read_bytes() == b"\x00\x02" * 40
    for res in (first, second):
        assert "reason:" in spool.note_path(Path(res.destination or "")).read_text(encoding="utf-8")


# --- item 5: broker outage during a task --------------------------------------------------------
def test_broker_outage_archives_and_the_sweep_sends_the_alert(settings: Any, seed: bytes) -> None:
    failing = with_t3_error(seed.decode("utf-8")).encode("utf-8")  # an error finding: an alert is due
    res = ingest_file(_drop(settings, "r.txt", failing), settings=settings, task_id="t", send_task=broker_down)
    assert res.status == "ingested" and res.errors > 0 and (settings.archive_path / "r.txt").exists()
    assert not any(settings.processing_path.rglob("r.txt"))
    (row,) = _rows(settings, OutboxTask)
    assert row.sent_at is None and (row.task, row.ref_id) == ("nianbao.alert_report", res.report_id)
    sent = Sent()
    later = utcnow() + dt.timedelta(seconds=settings.outbox_grace_seconds + 1)
    assert sweep.run(settings, sent, now=later).outbox_sent == 1
    assert sent == [("nianbao.alert_report", [res.report_id])]
    assert sweep.run(settings, sent, now=later).outbox_sent == 0  # once


# --- item 6: database outage: no fixed cap, and the sweep picks up what retries left --------------
def test_database_unavailable_retries_without_cap(settings: Any) -> None:
    from sqlalchemy.exc import OperationalError

    try:
        try:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        except OperationalError as exc:
            raise RetryableError("database unavailable: connection refused") from exc
    except RetryableError as down:
        plan = tasks.retry_plan(down, retries=500, settings=settings)
    assert plan.max_retries is None and plan.countdown <= tasks.OUTAGE_BACKOFF_MAX_S
    other = tasks.retry_plan(RetryableError("file still changing"), retries=1, settings=settings)
    assert other.max_retries == settings.retry_max
    assert tasks.ingest.max_retries is None


def test_sweep_requeues_a_file_whose_retries_ended(settings: Any, seed: bytes) -> None:
    held = spool.claim(_drop(settings, "o.txt", seed), settings, "gave-up")
    held.release()  # retries exhausted: the file waits in processing/ with a free lock
    sent = Sent()
    assert sweep.run(settings, sent).orphans == 1
    assert sent == [("nianbao.ingest", [str(held.path)])]
    assert ingest_file(held.path, settings=settings, task_id="n", send_task=Sent()).status == "ingested"


# --- item 7: a kill between the move and the last update ----------------------------------------
def test_sweep_completes_an_archive_whose_last_update_was_cut(settings: Any, seed: bytes) -> None:
    res = ingest_file(_drop(settings, "k.txt", seed), settings=settings, task_id="t", send_task=Sent())
    target = settings.archive_path / "k.txt"
    with session_scope(settings) as s:  # what a kill right after the move leaves behind
        row = s.exec(select(Delivery)).one()
        row.state, row.destination = "started", str(target)
        row.updated_at = utcnow() - dt.timedelta(minutes=5)
        s.add(row)
    (src,) = _rows(settings, SourceFile)
    assert src.archived_path == str(target)  # the intent was written before the move
    assert sweep.run(settings, Sent()).moves_completed == 1
    (row,) = _rows(settings, Delivery)
    assert (row.state, row.destination) == ("done", None) and res.report_id is not None
    # a move its own worker completed meanwhile (after the sweep looked) is left as that worker wrote it
    late = outbox.HalfDone(row.id, row.sha256, row.name, str(settings.archive_path / "elsewhere.txt"))
    with session_scope(settings) as s:
        assert outbox.complete_move(s, late, archived=True) is False
    (src,) = _rows(settings, SourceFile)
    assert src.archived_path == str(target)


def test_a_redelivery_moves_to_the_recorded_destination(settings: Any, seed: bytes) -> None:
    path = _drop(settings, "d.txt", seed)
    held = spool.claim(path, settings, "dead")
    held.release()
    with session_scope(settings) as s:  # the dead attempt chose a destination and died before moving
        crud.start_delivery(s, sha256=crud_sha(held.path), name="d.txt", task_id="dead")
        crud.set_destination(s, sha256=crud_sha(held.path), name="d.txt",
                             destination=str(settings.archive_path / "chosen.txt"))
    res = ingest_file(held.path, settings=settings, task_id="next", send_task=Sent())
    assert res.status == "ingested" and (settings.archive_path / "chosen.txt").exists()


def crud_sha(path: Path) -> str:
    from worker.ingest import sha256_of

    return sha256_of(path)


# --- item 8: a writer still at work after the claim -----------------------------------------------
def test_content_changed_after_claim_is_not_stored(settings: Any, seed: bytes) -> None:
    """A file still being written into after the claim (an uploader keeps it open) is read again later,
    never stored as it was. Deterministic: the ingest is held at its delivery count, between its claim and
    its read, while the writer appends; nothing of the ingest is replaced."""
    half = seed[: seed.rindex(b"\n", 0, len(seed) // 2) + 1]  # whole lines: it reads as a (short) report
    path = _drop(settings, "w.txt", half)
    writer = open(path, "ab")  # noqa: SIM115 - the writer keeps its file open, as a slow uploader does
    outcome: dict[str, BaseException] = {}

    def ingest() -> None:
        try:
            ingest_file(path, settings=settings, task_id="w", send_task=Sent())
        except BaseException as exc:  # noqa: BLE001 - what the ingest raised is what the test asserts
            outcome["error"] = exc

    def append() -> None:
        writer.write(b" ")
        writer.flush()
        time.sleep(0.01)

    thread = threading.Thread(target=ingest)
    try:
        with _deliveries_held(settings):
            thread.start()
            wait_until(lambda: not os.path.lexists(path), 30, "the claim (the file moved into processing/)")
            until = time.monotonic() + 0.5  # the claim's look at the file is taken right after the move
            while time.monotonic() < until:
                append()
        until = time.monotonic() + 60
        while thread.is_alive() and time.monotonic() < until:  # still writing while the ingest reads
            append()
        thread.join(10)
    finally:
        writer.close()
    assert not thread.is_alive()
    error = outcome.get("error")
    assert isinstance(error, RetryableError) and "changed after it was claimed" in str(error), error
    assert _rows(settings, SourceFile) == [] and any(settings.processing_path.rglob("w.txt"))


@contextlib.contextmanager
def _deliveries_held(settings: Any) -> Iterator[None]:
    """Another connection holds what an ingest's delivery count writes: SQLite's write lock (``BEGIN
    IMMEDIATE``, worker.store.db), PostgreSQL's ``delivery`` table."""
    engine = get_engine(settings)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("LOCK TABLE delivery IN EXCLUSIVE MODE")
        else:
            conn.exec_driver_sql("SELECT 1")
        yield
        conn.rollback()


# --- item 9: stale task_run rows ----------------------------------------------------------------
def test_sweep_marks_started_task_runs_of_dead_workers_lost(settings: Any) -> None:
    old = utcnow() - dt.timedelta(seconds=settings.time_limit + 120)
    with session_scope(settings) as s:
        s.add(TaskRun(task_id="dead", name="nianbao.ingest", state="started", started_at=old))
        s.add(TaskRun(task_id="live", name="nianbao.ingest", state="started", started_at=utcnow()))
    assert sweep.run(settings, Sent()).runs_lost == 1
    states = {r.task_id: r.state for r in _rows(settings, TaskRun)}
    assert states == {"dead": "lost", "live": "started"}
    assert settings.time_limit < settings.visibility_timeout <= 900


# --- item 12: symlinks are never followed -------------------------------------------------------
def test_a_symlink_in_the_inbox_is_quarantined_as_the_link(settings: Any, tmp_path: Path, seed: bytes) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(seed)
    link = settings.inbox_path / "s.txt"
    link.symlink_to(secret)
    res = ingest_file(link, settings=settings, task_id="l", send_task=Sent())
    assert res.status == "quarantined" and "符号链接" in (res.reason or "")
    moved = Path(res.destination or "")
    assert moved.is_symlink() and secret.read_bytes() == seed
    assert _rows(settings, SourceFile) == []  # the target was never read or stored


# --- item 13: only the inbox and processing/ ------------------------------------------------------
def test_a_path_outside_the_roots_is_refused_and_untouched(settings: Any, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "secret.txt"
    outside.parent.mkdir()
    outside.write_bytes(b"\x00\xff" * 10)
    for path in (outside, settings.inbox_path / ".." / "elsewhere" / "secret.txt"):
        res = ingest_file(path, settings=settings, task_id="x", send_task=Sent())
        assert res.status == "refused"
    assert outside.exists() and not any(settings.quarantine_path.rglob("*")) if settings.quarantine_path.exists() else True
    assert _rows(settings, QuarantineRecord) == []


# --- item 14: owner-only data ---------------------------------------------------------------------
def test_data_is_created_owner_only(settings: Any, seed: bytes) -> None:
    ingest_file(_drop(settings, "a.txt", seed), settings=settings, task_id="a", send_task=Sent())
    ingest_file(_drop(settings, "b.txt", b"\x00\xff" * 40), settings=settings, task_id="b", send_task=Sent())
    for d in (settings.archive_path, settings.quarantine_path, settings.processing_path):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    for f in [p for p in settings.archive_path.rglob("*") if p.is_file()] + [
        p for p in settings.quarantine_path.rglob("*") if p.is_file()
    ]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    if settings.sqlalchemy_url.startswith("sqlite"):
        db = Path(settings.sqlalchemy_url.removeprefix("sqlite:///"))
        assert stat.S_IMODE(db.stat().st_mode) == 0o600


# --- item 24: exact integers -------------------------------------------------------------------
def test_a_20_digit_cell_is_stored_exactly(settings: Any, seed: bytes, tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(seed)
    report = read_report(path)
    table = report.tables.applications
    row = next(iter(table.values()))
    cell = next(iter(row.values()))
    cell.value = 12345678901234567890
    with session_scope(settings) as s:
        stored = crud.insert_report(s, report, [], sha256="e" * 64, file_name="r.txt")
        values = [c.value_exact for c in s.exec(select(CellValue).where(CellValue.report_id == stored.id))]
    assert "12345678901234567890" in values
