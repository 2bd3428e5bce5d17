"""A batch's files: their last writes committed together (``finals``), and ``worker.batch.ingest_files``
(delivery counts and store units of the whole batch in one transaction each).

Real files and databases (SQLite and PostgreSQL), no Celery: what ``nianbao.ingest_batch`` does, and the
recovery when the batch dies before committing.
"""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.utils import store
from tests.utils.services import make_settings, migrated
from tests.utils.variants import year_variant
from worker import sweep
from worker.batch import ingest_files
from worker.ingest import LastWrite, commit_last_writes, ingest_file, sha256_of
from worker.parse import parse_text
from worker.store import crud, unit
from worker.store.db import get_engine, read_scope, session_scope
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


# --- worker.batch.ingest_files: a batch in three transactions ----------------------------------
def _refuse_reports_of(settings: Any, organ_part: str) -> None:
    """A trigger in the database that refuses to store a report whose organ contains ``organ_part``."""
    engine = get_engine(settings)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse_report() RETURNS trigger AS $$ BEGIN "
                f"IF position('{organ_part}' in NEW.organ) > 0 THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_report BEFORE INSERT ON report FOR EACH ROW EXECUTE FUNCTION refuse_report()"
            )
        else:
            conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_report BEFORE INSERT ON report WHEN instr(NEW.organ, '{organ_part}') > 0 "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
            )


def _batch(settings: Any, files: list[Path], finals: list[LastWrite]) -> list[Any]:
    return ingest_files([(p, str(p)) for p in files], settings=settings, token=lambda p: f"tok-{p.name}",
                        send_task=lambda *_: None, alerts=True, finals=finals)  # fmt: skip


def _batch_counting_commits(settings: Any, files: list[Path]) -> tuple[list[Any], list[LastWrite], int]:
    """The batch's outcomes, its files' last writes (not committed yet) and how many commits it made."""
    finals: list[LastWrite] = []
    commits: list[int] = []
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(get_engine(settings), "commit", listener)
    try:
        outcomes = _batch(settings, files, finals)
    finally:
        event.remove(get_engine(settings), "commit", listener)
    return outcomes, finals, len(commits)


def test_a_batch_keeps_every_files_outcome_in_three_transactions(settings: Any, seeds_dir: Path) -> None:
    seeds = sorted(seeds_dir.glob("*.txt"))
    y2023 = seeds[0].read_text(encoding="utf-8")
    _refuse_reports_of(settings, "马山口")  # seed 004's body: its store unit fails, its batch-mates go on
    files = [
        _drop(settings, "2023.txt", y2023.encode()),
        _drop(settings, "2022.txt", year_variant(y2023, 2022, carried_forward=2).encode()),  # same body, year-1
        _drop(settings, "a.txt", seeds[1].read_bytes()),
        _drop(settings, "a-copy.txt", seeds[1].read_bytes()),  # the same content under another name
        _drop(settings, "junk.txt", b"\x00\xff" * 40),
        _drop(settings, "refused.txt", seeds[4].read_bytes()),
    ]
    outcomes, finals, commits = _batch_counting_commits(settings, files)
    assert gc.isenabled()  # the batch paused the cyclic collector (worker.collector) and resumed it
    status = {o.name: o.status.value for o in outcomes}
    assert status == {"2023.txt": "ingested", "2022.txt": "ingested", "a.txt": "ingested",
                      "a-copy.txt": "duplicate", "junk.txt": "quarantined", "refused.txt": "quarantined"}  # fmt: skip
    by_name = {o.name: o for o in outcomes}
    assert (by_name["refused.txt"].reason or "").startswith("cannot check or store the report")
    # the delivery counts, the store, and each quarantine's record (the quarantines' last writes, like the
    # archived files', are the caller's to commit)
    assert commits == 2 + 2
    assert len(finals) == len(files)
    assert commit_last_writes(settings, finals)
    assert all(state == "done" for state, _ in _deliveries(settings).values())
    assert all(Path(o.destination or "").exists() for o in outcomes) and not list(settings.inbox_path.iterdir())
    # adjacent years in one batch see each other: the 2022 report re-checked the 2023 one stored before it
    assert by_name["2022.txt"].rechecked_report_id == by_name["2023.txt"].report_id
    with session_scope(settings) as s:
        carry = [f for f in store.findings_of(s, by_name["2023.txt"].report_id or 0) if f.rule == "XY_CARRYOVER"]
        assert carry and all(f.compared_report_id == by_name["2022.txt"].report_id for f in carry)
        assert [r.file_name for r in store.list_reports(s)].count("refused.txt") == 0


def test_a_batch_after_a_killed_delivery_goes_file_by_file(settings: Any, seeds_dir: Path) -> None:
    seeds = sorted(seeds_dir.glob("*.txt"))[:3]
    files = [_drop(settings, f"f{i}.txt", s.read_bytes()) for i, s in enumerate(seeds)]
    with session_scope(settings) as s:  # an earlier delivery of f1 started and its worker died
        crud.start_delivery(s, sha256=sha256_of(files[1]), name="f1.txt", task_id="dead")
    outcomes, finals, commits = _batch_counting_commits(settings, files)
    assert [o.status.value for o in outcomes] == ["ingested"] * 3
    assert commits == 2 * 3  # the batch's counts rolled back, then each file's own count and store
    with session_scope(settings) as s:
        attempts = {d.name: (d.attempts, d.unfinished) for d in s.exec(select(Delivery))}
    assert attempts == {"f0.txt": (1, 1), "f1.txt": (2, 2), "f2.txt": (1, 1)}  # until the last writes commit
    assert commit_last_writes(settings, finals)


def test_checks_made_before_the_store_are_made_again_when_a_neighbour_arrived(settings: Any, seeds_dir: Path) -> None:
    """The batch checks its reports before its store transaction (``unit.check_ahead``); the 2023 report's
    previous year is stored by the same transaction, just before it: it is checked again, against it."""
    y2023 = sorted(seeds_dir.glob("*.txt"))[0].read_text(encoding="utf-8")
    files = [
        _drop(settings, "2022.txt", year_variant(y2023, 2022, carried_forward=2).encode()),
        _drop(settings, "2023.txt", y2023.encode()),
    ]
    outcomes, finals, _ = _batch_counting_commits(settings, files)
    by_name = {o.name: o for o in outcomes}
    assert {o.status.value for o in outcomes} == {"ingested"}
    assert by_name["2022.txt"].rechecked_report_id is None  # stored first: nothing of 2023 to re-check yet
    with session_scope(settings) as s:
        carry = [f for f in store.findings_of(s, by_name["2023.txt"].report_id or 0) if f.rule == "XY_CARRYOVER"]
    assert carry and all(f.compared_report_id == by_name["2022.txt"].report_id for f in carry)
    assert commit_last_writes(settings, finals)


def test_checks_made_before_the_store_are_kept_when_the_neighbours_are_the_same(
    settings: Any, seeds_dir: Path
) -> None:
    y2023 = sorted(seeds_dir.glob("*.txt"))[0].read_text(encoding="utf-8")
    first = ingest_file(_drop(settings, "2022.txt", year_variant(y2023, 2022, carried_forward=2).encode()),
                        settings=settings, task_id="y22", send_task=lambda *_: None)  # fmt: skip
    report = parse_text(y2023)
    arrival = unit.Arrival(sha256="ab" * 32, name="2023.txt", original_path="2023.txt", size=len(y2023))
    with read_scope(settings) as s:
        ahead = unit.check_ahead(s, report, severity_overrides={})
    assert ahead.neighbours and ahead.neighbours[0][1] == first.report_id
    assert any(f.rule == "XY_CARRYOVER" for f in ahead.findings)
    # the same neighbours under the lock: the findings made ahead are what is stored (here: a chosen few)
    kept = [f for f in ahead.findings if f.rule == "XY_CARRYOVER"]
    with session_scope(settings) as s:
        result = unit.store_report(s, arrival, report, seen_before=False, severity_overrides={},
                                   checked=unit.Checked(ahead.neighbours, kept))  # fmt: skip
    with session_scope(settings) as s:
        assert [f.rule for f in store.findings_of(s, result.report_id)] == [f.rule for f in kept]
    # other neighbours than the ones checked against: checked again (every rule's findings)
    stale = unit.Checked((), [])
    with session_scope(settings) as s:
        again = unit.store_report(s, unit.Arrival(sha256="cd" * 32, name="b.txt", original_path="b.txt", size=1),
                                  report, seen_before=False, severity_overrides={}, checked=stale)  # fmt: skip
    with session_scope(settings) as s:
        rules = [f.rule for f in store.findings_of(s, again.report_id)]
    assert rules == [f.rule for f in ahead.findings]
