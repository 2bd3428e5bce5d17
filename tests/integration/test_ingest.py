"""``worker.ingest.ingest_file`` on real files and real databases (SQLite and PostgreSQL), without Celery.

The follow-up tasks it would enqueue are collected by a plain list (the Celery side is covered end to end).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.utils import store
from tests.utils.services import make_settings, migrated
from tests.utils.variants import with_t3_error, year_variant
from worker import spool
from worker.errors import RetryableError
from worker.ingest import ingest_file
from worker.store import crud
from worker.store.db import session_scope

pytestmark = pytest.mark.integration


class Sent(list[tuple[str, list[Any]]]):
    def __call__(self, name: str, args: list[Any]) -> None:
        self.append((name, args))


@pytest.fixture
def settings(tmp_path: Path, database_url: str):  # noqa: ANN201
    return migrated(make_settings(tmp_path, database_url))


def _drop(settings: Any, name: str, data: bytes | str) -> Path:
    path = settings.inbox_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_ingest_junk_quarantined_once_with_reason(settings) -> None:
    sent = Sent()
    res = ingest_file(
        _drop(settings, "junk.txt", b"\x00\xff" * 50), settings=settings, task_id="t1", send_task=sent
    )
    assert res.status == "quarantined" and res.quarantine_id is not None
    qfile = settings.quarantine_path / res.sha256[:8] / "junk.txt"  # one folder per quarantine record
    assert qfile.exists() and res.destination == str(qfile)
    note = (settings.quarantine_path / f"{res.sha256[:8]}.error.txt").read_text(encoding="utf-8")
    assert f"reason: {res.reason}" in note and "stage: extract" in note
    assert sent == [("nianbao.alert_quarantine", [res.quarantine_id])]
    again = ingest_file(
        _drop(settings, "junk.txt", b"\x00\xff" * 50), settings=settings, task_id="t2", send_task=sent
    )
    assert again.status == "quarantined" and again.quarantine_id == res.quarantine_id
    assert len(sent) == 1  # the same arrival twice: one record, one alert
    assert (settings.quarantine_path / f"{res.sha256[:8]}-1" / "junk.txt").exists()  # never over the first
    assert qfile.exists()
    with session_scope(settings) as s:
        assert len(store.list_quarantine(s)) == 1


def test_ingest_seed_then_duplicates(settings, seeds_dir: Path) -> None:
    seed = with_t3_error(sorted(seeds_dir.glob("*.txt"))[0].read_text(encoding="utf-8")).encode("utf-8")
    sent = Sent()
    res = ingest_file(_drop(settings, "a.txt", seed), settings=settings, task_id="t1", send_task=sent)
    assert res.status == "ingested" and res.report_id is not None and res.errors > 0
    assert (settings.archive_path / "a.txt").read_bytes() == seed
    assert sent == [("nianbao.alert_report", [res.report_id])]

    dup = ingest_file(_drop(settings, "b.txt", seed), settings=settings, task_id="t2", send_task=sent)
    assert (dup.status, dup.report_id) == ("duplicate", res.report_id)
    assert (settings.archive_path / "duplicates" / "b.txt").exists()
    same = ingest_file(_drop(settings, "a.txt", seed), settings=settings, task_id="t3", send_task=sent)
    assert same.status == "duplicate"
    assert len(sent) == 1  # no second alert either way
    with session_scope(settings) as s:
        assert len(store.list_reports(s)) == 1
        assert sorted((f.name, f.status) for f in _source_files(s)) == [
            ("a.txt", "ingested"),
            ("b.txt", "duplicate"),
        ]


def _source_files(session: Any) -> list[Any]:
    from sqlmodel import select

    from worker.store.models import SourceFile

    return list(session.exec(select(SourceFile)))


def test_ingest_resumes_a_delivery_that_died_after_storing(settings, seeds_dir: Path) -> None:
    seed = sorted(seeds_dir.glob("*.txt"))[2]
    path = _drop(settings, "r.txt", seed.read_bytes())
    held = spool.claim(path, settings, "t1")  # a first delivery claimed it and stored it, then died
    held.release()
    from worker.ingest import ingest_file as again

    sent = Sent()
    res = again(held.path, settings=settings, task_id="t2", send_task=sent)
    assert res.status == "ingested"
    assert sent == [("nianbao.alert_report", [res.report_id])]
    assert (settings.archive_path / "r.txt").exists() and not (settings.processing_path / "t1").exists()
    with pytest.raises(RetryableError):  # RetryableError stays the retry signal of the task
        raise RetryableError("x")


def test_ingest_redelivery_cap_quarantines(settings, seeds_dir: Path) -> None:
    seed = sorted(seeds_dir.glob("*.txt"))[0]
    from worker.ingest import sha256_of

    sha = sha256_of(seed)
    for n in range(settings.max_deliveries):  # earlier deliveries that died mid-way
        with session_scope(settings) as s:
            crud.start_delivery(s, sha256=sha, name="k.txt", task_id=f"dead{n}")
    res = ingest_file(
        _drop(settings, "k.txt", seed.read_bytes()), settings=settings, task_id="t", send_task=Sent()
    )
    assert res.status == "quarantined" and "without finishing" in (res.reason or "")
    with session_scope(settings) as s:
        (q,) = store.list_quarantine(s)
        assert q.stage == "deliveries"
        assert store.list_reports(s) == []


def test_ingest_busy_and_gone(settings, seeds_dir: Path) -> None:
    seed = sorted(seeds_dir.glob("*.txt"))[0]
    path = _drop(settings, "x.txt", seed.read_bytes())
    held = spool.claim(path, settings, "other-worker")  # a live process holds it
    try:
        res = ingest_file(held.path, settings=settings, task_id="t2", send_task=Sent())
        assert res.status == "busy" and held.path.exists()
    finally:
        held.release()
    assert spool.orphans(settings) == [held.path]  # nobody holds it now: a worker start re-enqueues it
    res = ingest_file(held.path, settings=settings, task_id="t3", send_task=Sent())
    assert res.status == "ingested" and res.path == str(path)  # the original inbox path is kept
    assert ingest_file(path, settings=settings, task_id="t4", send_task=Sent()).status == "gone"
    assert spool.orphans(settings) == []


def test_ingest_late_previous_year_rechecks_stored_next_year(settings, seeds_dir: Path) -> None:
    seed = sorted(seeds_dir.glob("*.txt"))[0].read_text(encoding="utf-8")  # 2023, all zeros
    sent = Sent()
    y2023 = ingest_file(_drop(settings, "2023.txt", seed), settings=settings, task_id="a", send_task=sent)
    assert y2023.status == "ingested"
    with session_scope(settings) as s:
        assert not [f for f in store.findings_of(s, y2023.report_id or 0) if f.rule == "XY_CARRYOVER"]

    # 2022 arrives late and carried 2 applications forward; 2023 says it carried over 0
    late = _drop(settings, "2022.txt", year_variant(seed, 2022, carried_forward=2))
    y2022 = ingest_file(late, settings=settings, task_id="b", send_task=sent)
    assert y2022.status == "ingested" and y2022.rechecked_report_id == y2023.report_id
    assert ("nianbao.alert_report", [y2023.report_id]) in sent
    with session_scope(settings) as s:
        carry = [f for f in store.findings_of(s, y2023.report_id or 0) if f.rule == "XY_CARRYOVER"]
        assert carry, "the stored 2023 report was not re-checked against the late 2022 one"
        assert all(f.compared_report_id == y2022.report_id for f in carry)
        assert all(f.compared_with == y2022.sha256 for f in carry)
        row = crud.report_by_sha(s, y2023.sha256 or "")
        assert row is not None and row.status == "failed" and row.error_count >= 1
