"""The read layer (worker/store/queries) on real SQLite and PostgreSQL, over really parsed and checked seeds."""

from __future__ import annotations

import pytest

from tests.utils import store
from tests.utils.stored import CLEAN, CORRECTED
from worker.alerts.source import load_quarantine_alert, load_report_alert
from worker.rules.base import Finding
from worker.settings import Settings
from worker.store import crud, queries
from worker.store.db import session_scope
from worker.store.queries import ReportFilter, ReportSort, ReportStatus


def _keys(settings: Settings, ids: dict[str, int], **filters: object) -> set[str]:
    by_id = {v: k for k, v in ids.items()}
    with session_scope(settings) as s:
        page = queries.list_reports(s, filters=ReportFilter.model_validate(filters), per_page=100)
    assert page.total == len(page.items)
    return {by_id[r.id] for r in page.items}


def test_list_reports_all_newest_first(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    with session_scope(settings) as s:
        page = queries.list_reports(s)
    assert page.total == 7 and [r.id for r in page.items] == sorted(ids.values(), reverse=True)
    bad = next(r for r in page.items if r.id == ids["002"])
    assert (bad.identity_key, bad.year, bad.template, bad.status) == ("泽州县/南岭镇", 2024, "2019", "failed")
    assert bad.error_count >= 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"body": "南口镇"}, {"000", "003", CORRECTED}),
        ({"body": "100%"}, set()),  # LIKE wildcards in the search text are literal
        ({"path_prefix": "将乐县"}, {"000", CORRECTED}),
        ({"path_prefix": "/福建省/南平市/"}, {CLEAN}),
        ({"path_prefix": "将乐"}, set()),  # whole segments only
        ({"year": 2023}, {"000", "001", "004", CORRECTED}),
        ({"template": "2019"}, {"002", "003"}),
        ({"status": ReportStatus.ERRORS}, {"002", "003"}),
        ({"status": ReportStatus.WARNINGS}, {"000", "001", "004", CORRECTED}),
        ({"status": ReportStatus.OK}, {CLEAN}),
        ({"rule": "SEC6_FEE"}, {"000", "004"}),  # the corrected version fixed it
        ({"rule": "FMT_OLD_USED"}, {"002"}),
        ({"rule": "PUB_AFTER_JAN31"}, set()),  # only ever "not assessable": not a failing finding
        ({"body": "南口", "year": 2023, "status": ReportStatus.WARNINGS}, {"000", CORRECTED}),
    ],
)
def test_list_reports_filters(
    seeded: tuple[Settings, dict[str, int]], filters: dict[str, object], expected: set[str]
) -> None:
    assert _keys(*seeded, **filters) == expected


def test_list_reports_pages_and_sorts(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    with session_scope(settings) as s:
        pages = [queries.list_reports(s, sort=ReportSort.OLDEST, page=n, per_page=3) for n in (1, 2, 3, 4)]
        by_year = queries.list_reports(s, sort=ReportSort.YEAR)
        by_body = queries.list_reports(s, sort=ReportSort.BODY)
    assert [p.total for p in pages] == [7] * 4 and pages[0].pages == 3
    assert [r.id for p in pages for r in p.items] == sorted(ids.values())
    assert pages[3].items == []
    years = [r.year or 0 for r in by_year.items]
    assert years == sorted(years, reverse=True) and by_year.items[0].id == ids["002"]
    # one body's reports are adjacent, newest first (the order between bodies is the database's collation)
    runs = [r.identity_key for r in by_body.items]
    assert len({k for k in runs}) == sum(1 for i, k in enumerate(runs) if i == 0 or runs[i - 1] != k)
    versions = [r.id for r in by_body.items if r.identity_key == "将乐县/南口镇"]
    assert versions == [ids[CORRECTED], ids["000"]]


def test_get_report_header_cells_findings_versions(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    with session_scope(settings) as s:
        first = queries.get_report(s, ids["000"])
        second = queries.get_report(s, ids[CORRECTED])
        other = queries.get_report(s, ids["002"])
        stored_cells = store.cells_of(s, ids["000"])
        assert queries.get_report(s, 999_999) is None
    assert first is not None and second is not None and other is not None
    assert (first.organ, first.organ_path, first.year, first.template) == (
        "将乐县南口镇人民政府", ["将乐县", "南口镇"], 2023, "2021")
    assert first.archived_path == "/archive/000_4689dce2e0afb553.txt" and second.archived_path is None
    assert len(first.cells) == len(stored_cells) > 50
    fee = next(f for f in first.findings if f.rule == "SEC6_FEE")
    assert fee.message and fee.location is not None and fee.id > 0
    assert "SEC6_FEE" not in {f.rule for f in second.findings}
    assert [v.id for v in first.versions] == [ids["000"], ids[CORRECTED]]
    assert (first.version_number, first.version_count) == (1, 2)
    assert (second.version_number, second.version_count) == (2, 2)
    assert (other.version_number, other.version_count) == (1, 1)
    assert {f.rule for f in other.findings if f.is_error} >= {"FMT_OLD_USED"}


def test_alert_payloads_load_through_the_read_layer(seeded: tuple[Settings, dict[str, int]]) -> None:
    settings, ids = seeded
    with session_scope(settings) as s:
        alert = load_report_alert(s, ids["002"])
        assert load_report_alert(s, 999_999) is None
        detail = queries.get_report(s, ids["002"])
    assert alert is not None and detail is not None
    assert all(type(f) is Finding for f in alert.findings)  # plain findings: what the ledger fingerprints
    assert [f.rule for f in alert.findings] == [f.rule for f in detail.findings]
    assert alert.error_count == detail.error_count and alert.organ_path == ["泽州县", "南岭镇"]
    assert alert.stored_at == "/archive/002_bb47b10e518fda8c.txt"


def test_a_report_page_reads_its_path_from_the_stored_json(settings: Settings) -> None:
    """The administrative path comes from the stored JSON without validating the whole report: a report
    without one (the JSON leaves the empty path out), and a blob that cannot be read, show an empty path."""
    from worker.parse.models import Report

    with session_scope(settings) as s:
        pathless = crud.insert_report(s, Report(organ="某单位", year=2024), [], sha256="1" * 64, file_name="a.txt")
        unreadable = crud.insert_report(s, Report(organ="某单位", year=2023), [], sha256="2" * 64, file_name="b.txt")
        assert unreadable.id is not None
        s.connection().exec_driver_sql(f"UPDATE report SET report_json = 'not json' WHERE id = {unreadable.id}")
    with session_scope(settings) as s:
        first, second = (queries.get_report(s, r.id or 0) for r in (pathless, unreadable))
    assert first is not None and first.organ_path == [] and first.organ == "某单位"
    assert second is not None and second.organ_path == [] and second.year == 2023


def test_quarantine_list_and_one_record_with_attempts(settings: Settings) -> None:
    with session_scope(settings) as s:
        for n, name in enumerate(("坏文件.doc", "空文件.pdf")):
            crud.add_quarantine(s, sha256=str(n) * 64, name=name, original_path=f"/in/{name}",
                                quarantine_path=f"/q/{name}", stage="extract", reason="无法读取")  # fmt: skip
        crud.start_delivery(s, sha256="1" * 64, name="空文件.pdf", task_id="t1")
        crud.start_delivery(s, sha256="1" * 64, name="空文件.pdf", task_id="t2")
    with session_scope(settings) as s:
        page = queries.list_quarantine(s, per_page=1)
        rest = queries.list_quarantine(s, page=2, per_page=1)
        one = queries.get_quarantine(s, page.items[0].id)
        alert = load_quarantine_alert(s, page.items[0].id)
        assert queries.get_quarantine(s, 999_999) is None
    assert page.total == 2 and [q.name for q in page.items + rest.items] == ["空文件.pdf", "坏文件.doc"]
    assert page.items[0].attempts == 2 and rest.items[0].attempts == 0
    assert one == page.items[0]
    assert alert is not None and (alert.file_name, alert.stored_at) == ("空文件.pdf", "/q/空文件.pdf")


def test_status_snapshot_counts_recent_work(settings: Settings, ids: dict[str, int]) -> None:
    with session_scope(settings) as s:
        crud.add_quarantine(s, sha256=None, name="x.bin", original_path="/in/x.bin", quarantine_path="/q/x.bin",
                            stage="extract", reason="binary")  # fmt: skip
    with session_scope(settings) as s:
        snap = queries.status_snapshot(s)
    assert (snap.last_hour.reports_ok, snap.last_hour.reports_failed_checks) == (5, 2)
    assert snap.last_hour.quarantined == 1 and snap.quarantine_records == 1
    assert (snap.alerts.due, snap.alerts.failed, snap.alerts.recent) == (0, 0, [])


def test_migration_0003_indexes_match_models_and_downgrade(settings: Settings) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from worker.store.db import alembic_config, get_engine

    engine = get_engine(settings)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    index_diffs = [d for d in diffs if isinstance(d, tuple) and d[0] in ("add_index", "remove_index")]
    assert index_diffs == []
    assert "ix_finding_rule_status_report" in {i["name"] for i in sa.inspect(engine).get_indexes("finding")}
    with engine.begin() as conn:
        cfg = alembic_config(settings.sqlalchemy_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    assert "ix_finding_rule_status_report" not in {i["name"] for i in sa.inspect(engine).get_indexes("finding")}
