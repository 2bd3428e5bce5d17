"""The store on real SQLite and PostgreSQL: migrations, the UNIQUE sha256, long-form cells, findings, the
read-only transactions (``read_scope``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from tests.utils import store
from tests.utils.services import make_settings, migrated
from worker.errors import RetryableError, StorageError
from worker.parse.models import Cell, Location, Report, Tables
from worker.rules.base import Finding, Severity
from worker.store import crud
from worker.store.db import current_revision, get_engine, read_scope, session_scope, upgrade
from worker.store.models import CORE_TABLES, Delivery
from worker.store.web_models import AuditEntry

pytestmark = pytest.mark.integration


def _report(organ: str = "将乐县南口镇人民政府", year: int = 2023, new_total: int = 5) -> Report:
    def cell(value: int | float | None, table: str, row: str, col: str, line: int) -> Cell:
        raw = "" if value is None else str(value)
        return Cell(value=value, raw=raw, location=Location(table=table, row=row, col=col, line=line))

    return Report(
        organ=organ,
        organ_path=["福建省", "三明市", "将乐县", organ],
        year=year,
        template="2021",
        tables=Tables(
            disclosure={
                "art20_8": {"fees": {"amount_wan": cell(1.5, "disclosure.art20_8", "fees", "amount_wan", 40)}}
            },
            applications={
                "new": {
                    "natural_person": cell(new_total, "applications", "new", "natural_person", 60),
                    "total": cell(new_total, "applications", "new", "total", 60),
                },
                "carried_forward": {"total": cell(None, "applications", "carried_forward", "total", 90)},
            },
            reviews={"review": {"total": cell(0, "reviews", "review", "total", 100)}},
        ),
        lines=["2023年度政府信息公开工作年度报告"],
    )


def _finding(rule: str = "T3_BALANCE", compared_with: str | None = None) -> Finding:
    return Finding(
        rule=rule,
        severity=Severity.ERROR,
        title="申请情况表勾稽关系不平",
        message="第一项加第二项之和不等于第三项加第四项之和",
        location=Location(table="applications", row="total", col="natural_person", line=77),
        expected=6,
        actual=5,
        compared_with=compared_with,
    )


@pytest.fixture
def settings(tmp_path: Path, database_url: str):  # noqa: ANN201
    return migrated(make_settings(tmp_path, database_url))


def test_store_migrations_create_tables_once(settings) -> None:
    upgrade(settings)  # a second run is a no-op, not "table already exists"
    tables = set(sa.inspect(get_engine(settings)).get_table_names())
    assert set(CORE_TABLES) <= tables
    from alembic.script import ScriptDirectory

    from worker.store.db import alembic_config

    heads = ScriptDirectory.from_config(alembic_config(settings.sqlalchemy_url)).get_heads()
    assert current_revision(settings) == ",".join(sorted(heads))


def test_store_report_cells_long_form_with_location(settings) -> None:
    report = _report()
    with session_scope(settings) as s:
        stored = crud.insert_report(s, report, [_finding()], sha256="a" * 64, file_name="r.txt")
        rid = stored.id
    with session_scope(settings) as s:
        cells = {(c.table_key, c.row_key, c.col_key): c for c in store.cells_of(s, rid)}
        row = s.get(type(stored), rid)
        assert row is not None
        assert (row.status, row.error_count, row.warning_count) == ("failed", 1, 0)
        assert row.identity_key == "福建省/三明市/将乐县/将乐县南口镇人民政府"
        assert crud.load_report(row) == report  # the stored JSON rebuilds the same Report
    assert set(cells) == {
        ("disclosure.art20_8", "fees", "amount_wan"),
        ("applications", "new", "natural_person"),
        ("applications", "new", "total"),
        ("applications", "carried_forward", "total"),
        ("reviews", "review", "total"),
    }
    assert cells[("disclosure.art20_8", "fees", "amount_wan")].value == 1.5
    assert cells[("applications", "new", "total")].value == 5
    assert cells[("applications", "new", "total")].line == 60
    assert cells[("applications", "carried_forward", "total")].value is None
    # every column in its place (the cells are written as plain tuples in CELL_COLUMNS order)
    fees, new = cells[("disclosure.art20_8", "fees", "amount_wan")], cells[("applications", "new", "total")]
    assert (fees.raw, fees.unit, fees.value_exact, fees.line, fees.page) == ("1.5", None, None, 40, None)
    assert (new.raw, new.value_exact, new.report_id) == ("5", "5", rid)
    with session_scope(settings) as s:
        (finding,) = store.findings_of(s, rid)
    assert (finding.rule, finding.severity, finding.table_key, finding.row_key, finding.col_key, finding.line) == (
        "T3_BALANCE", "error", "applications", "total", "natural_person", 77)  # fmt: skip
    assert (finding.expected, finding.actual, finding.title) == ("6", "5", "申请情况表勾稽关系不平")


def test_store_same_sha256_twice_is_rejected_by_the_database(settings) -> None:
    with session_scope(settings) as s:
        crud.insert_report(s, _report(), [], sha256="b" * 64, file_name="one.txt")
    with pytest.raises(IntegrityError):
        with session_scope(settings) as s:
            crud.insert_report(s, _report(new_total=9), [], sha256="b" * 64, file_name="two.txt")
    with session_scope(settings) as s:
        assert [r.file_name for r in store.list_reports(s)] == ["one.txt"]
        assert store.cells_of(s, store.list_reports(s)[0].id or 0)  # the failed insert left no cells behind
        total_cells = s.execute(sa.text("SELECT count(*) FROM cell")).scalar_one()
    assert total_cells == 5


def test_store_findings_resolve_compared_report_and_replace(settings) -> None:
    with session_scope(settings) as s:
        prev = crud.insert_report(s, _report(year=2022), [], sha256="c" * 64, file_name="2022.txt")
        cur = crud.insert_report(
            s, _report(), [_finding("XY_CARRYOVER", "c" * 64)], sha256="d" * 64, file_name="2023.txt"
        )
    with session_scope(settings) as s:
        (f,) = store.findings_of(s, cur.id or 0)
        assert (f.rule, f.compared_with, f.compared_report_id) == ("XY_CARRYOVER", "c" * 64, prev.id)
        assert (f.table_key, f.row_key, f.col_key, f.line) == ("applications", "total", "natural_person", 77)
        assert (f.expected, f.actual) == ("6", "5")
        latest = crud.latest_of_years(s, "福建省/三明市/将乐县/将乐县南口镇人民政府", [2021, 2022, 2023])
        assert {year: row.id for year, row in latest.items()} == {2022: prev.id, 2023: cur.id}
        resubmitted = crud.insert_report(s, _report(year=2022), [], sha256="e" * 64, file_name="2022b.txt")
        latest = crud.latest_of_years(s, "福建省/三明市/将乐县/将乐县南口镇人民政府", [2022, 2023])
        assert {year: row.id for year, row in latest.items()} == {2022: resubmitted.id, 2023: cur.id}
        assert crud.latest_of_years(s, "福建省/三明市/将乐县/其他镇人民政府", [2022, 2023]) == {}
        row = crud.report_by_sha(s, "d" * 64)
        assert row is not None
        crud.replace_findings(s, row, [])
    with session_scope(settings) as s:
        assert store.findings_of(s, cur.id or 0) == []
        row = crud.report_by_sha(s, "d" * 64)
        assert row is not None and (row.status, row.error_count) == ("ok", 0)
        assert [r.file_name for r in store.list_reports(s, failed_only=True)] == []


def test_store_delivery_counts_unfinished_starts(settings) -> None:
    for expected in (1, 2, 3):
        with session_scope(settings) as s:
            d = crud.start_delivery(s, sha256="e" * 64, name="x.txt", task_id=f"t{expected}")
            assert (d.attempts, d.unfinished, d.state) == (expected, expected, "started")
    with session_scope(settings) as s:
        crud.end_delivery(s, sha256="e" * 64, name="x.txt", done=True)
    with session_scope(settings) as s:
        d = crud.start_delivery(s, sha256="e" * 64, name="x.txt", task_id="t4")
        assert (d.attempts, d.unfinished, d.state) == (4, 1, "done")
        other = crud.start_delivery(s, sha256="e" * 64, name="y.txt", task_id="t5")
        assert (other.attempts, other.unfinished) == (1, 1)


def test_store_quarantine_recorded_once_per_arrival(settings) -> None:
    kwargs = dict(sha256="f" * 64, name="junk.bin", original_path="/in/junk.bin", stage="extract")
    with session_scope(settings) as s:
        first, created = crud.add_quarantine(s, quarantine_path="/q/junk.bin", reason="binary", **kwargs)
        assert created
    with session_scope(settings) as s:
        again, created = crud.add_quarantine(s, quarantine_path="/q/junk-ffff.bin", reason="binary", **kwargs)
        assert not created and again.id == first.id
        assert [q.reason for q in store.list_quarantine(s)] == ["binary"]


def test_store_migrations_match_the_models(settings) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with get_engine(settings).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, SQLModel.metadata) if _is_core(d)]
    assert diff == []  # a model changed without a migration (or the other way round)


def _is_core(diff: object) -> bool:
    text = repr(diff)
    return any(f"'{t}'" in text or f"table={t!r}" in text or f"Table('{t}'" in text for t in CORE_TABLES)


def test_report_json_is_compressed_with_lz4_where_the_server_has_it(settings) -> None:
    """Revision 0012: PostgreSQL with lz4 compresses new reports' JSON with it; without lz4 it keeps pglz; SQLite
    has nothing to change. The stored JSON reads back the same either way."""
    engine = get_engine(settings)
    report = _report()
    with session_scope(settings) as s:
        rid = crud.insert_report(s, report, [], sha256="c" * 64, file_name="r.txt").id
    with session_scope(settings) as s:
        row = crud.report_by_sha(s, "c" * 64)
        assert row is not None and row.id == rid and crud.load_report(row) == report
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        method = conn.exec_driver_sql(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'report'::regclass AND attname = 'report_json'"
        ).scalar_one()
    with engine.connect() as conn:
        try:
            conn.exec_driver_sql("SET LOCAL default_toast_compression = 'lz4'")
            has_lz4 = True
        except sa.exc.DBAPIError:  # "invalid value": a server built without lz4
            has_lz4 = False
    assert method == ("l" if has_lz4 else "")


def test_a_read_scope_takes_no_write_lock(tmp_path: Path) -> None:
    """On SQLite a read scope (a batch's checks ahead, the read-only commands, the web's GET requests) reads
    while another process writes (WAL): it never waits for it."""
    import sqlite3

    path = tmp_path / "own.sqlite"
    settings = migrated(make_settings(tmp_path, f"sqlite:///{path}", db_busy_timeout=0.2))
    writer = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with read_scope(settings) as s:
            assert s.exec(select(Delivery)).all() == []
        with pytest.raises(RetryableError), session_scope(settings) as s:  # a write transaction waits, then fails
            s.exec(select(Delivery)).all()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_change_in_a_read_only_session_is_refused(settings) -> None:
    with pytest.raises(StorageError, match="read-only"), read_scope(settings) as s:
        s.add(AuditEntry(user="zhang", action="login", outcome="ok", target="", ip="127.0.0.1"))
        s.flush()
    with session_scope(settings) as s:
        assert s.exec(select(AuditEntry)).all() == []
