"""Finding reviews in the read layer (SQLite and PostgreSQL): kept across re-checks, carried to later
versions, the report list's review filter, the false-finding rate; and not alerted again (real SMTP)."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.alerts.conftest import configure, smtp_overrides
from tests.utils.smtp import SmtpSink
from tests.utils.stored import CORRECTED, SEEDS_DIR, store_seeds
from worker.alerts.task import alert_report
from worker.ingest import ingest_file
from worker.parse import read_report
from worker.rules import run_checks
from worker.rules.base import RuleContext
from worker.settings import Settings, get_settings
from worker.store import crud, queries
from worker.store.db import session_scope
from worker.store.models import StoredReport
from worker.store.queries import ReportFilter, ReviewState
from worker.store.review_models import ReviewVerdict
from worker.store.reviews import FindingNotFound, review_finding
from worker.store.unit import recheck_stored

SEED_002 = next(
    SEEDS_DIR.glob("002_*.txt")
)  # three errors: FMT_2019_INCOMPLETE, FMT_OLD_USED, STRUCT_CELL_COUNT


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, database_url: str
) -> Iterator[Settings]:
    yield configure(monkeypatch, tmp_path, database_url, **smtp_overrides(smtp_sink))
    get_settings.cache_clear()


def _finding_id(settings: Settings, report_id: int, rule: str) -> int:
    with session_scope(settings) as s:
        return next(f.id for f in queries.report_findings(s, report_id) if f.rule == rule)


def _review(
    settings: Settings, report_id: int, rule: str, verdict: ReviewVerdict, reason: str = "人工核对无误"
) -> None:
    with session_scope(settings) as s:
        review_finding(s, report_id, _finding_id(settings, report_id, rule), verdict=verdict, reason=reason,
                       user_name="zhang")  # fmt: skip


def _reviews_by_rule(settings: Settings, report_id: int) -> dict[str, tuple[str, bool, str]]:
    with session_scope(settings) as s:
        reviews = queries.finding_reviews(s, report_id)
        rules = {f.id: f.rule for f in queries.report_findings(s, report_id)}
    return {rules[fid]: (r.verdict.value, r.carried, r.user_name) for fid, r in reviews.items()}


def _ids(settings: Settings, state: ReviewState) -> set[int]:
    with session_scope(settings) as s:
        page = queries.list_reports(s, filters=ReportFilter(review=state), per_page=100)
    return {r.id for r in page.items}


def test_review_survives_recheck_and_is_carried_to_a_new_version(settings: Settings) -> None:
    ids = store_seeds(settings)
    first, second = ids["000"], ids[CORRECTED]  # two versions of 将乐县/南口镇 2023
    _review(settings, first, "SEC6_FEE", ReviewVerdict.NOT_ERROR)
    _review(settings, first, "TITLE_MISSING", ReviewVerdict.CONFIRMED, reason="确实缺少标题")
    assert _reviews_by_rule(settings, first) == {
        "SEC6_FEE": ("not_error", False, "zhang"), "TITLE_MISSING": ("confirmed", False, "zhang"),
    }  # fmt: skip
    # the later version has TITLE_MISSING at the same place (SEC6_FEE was fixed): the review is carried
    assert _reviews_by_rule(settings, second) == {"TITLE_MISSING": ("confirmed", True, "zhang")}

    with session_scope(settings) as s:  # a re-check replaces every finding row
        before = {f.id for f in queries.report_findings(s, first)}
        row = s.get(StoredReport, first)
        assert row is not None
        recheck_stored(s, row, severity_overrides={})
        assert before.isdisjoint({f.id for f in queries.report_findings(s, first)})
    assert _reviews_by_rule(settings, first)["SEC6_FEE"] == ("not_error", False, "zhang")

    _review(settings, second, "TITLE_MISSING", ReviewVerdict.NOT_ERROR)  # its own review wins
    assert _reviews_by_rule(settings, second) == {"TITLE_MISSING": ("not_error", False, "zhang")}
    assert _reviews_by_rule(settings, first)["TITLE_MISSING"] == (
        "confirmed",
        False,
        "zhang",
    )  # never backwards

    with session_scope(settings) as s:
        other = ids["001"]
        with pytest.raises(FindingNotFound):
            review_finding(s, other, _finding_id(settings, first, "SEC6_FEE"), verdict=ReviewVerdict.CONFIRMED,
                           reason="", user_name="zhang")  # fmt: skip
        rates = {r.rule: (r.reviewed, r.not_error, r.rate) for r in queries.false_finding_rates(s)}
    assert rates == {"TITLE_MISSING": (2, 1, 0.5), "SEC6_FEE": (1, 1, 1.0)}


def test_report_list_filters_by_review_state(settings: Settings) -> None:
    ids = store_seeds(settings)
    failing = {ids[k] for k in ("000", "001", "002", "003", "004", CORRECTED)}  # all but the clean one
    assert _ids(settings, ReviewState.UNREVIEWED) == failing
    assert _ids(settings, ReviewState.REVIEWED) == set()

    for rule in ("BLANK_CELL", "FMT_LABEL_MIXED"):  # 001 has two failing findings; BLANK_CELL is one of them
        _review(settings, ids["001"], rule, ReviewVerdict.NOT_ERROR)
    _review(settings, ids["000"], "TITLE_MISSING", ReviewVerdict.CONFIRMED)
    assert ids["001"] not in _ids(settings, ReviewState.UNREVIEWED)
    assert ids["000"] in _ids(settings, ReviewState.UNREVIEWED)  # more findings than the one reviewed
    assert _ids(settings, ReviewState.REVIEWED) == {ids["000"], ids["001"], ids[CORRECTED]}  # carried too
    assert _ids(settings, ReviewState.CONFIRMED) == {ids["000"], ids[CORRECTED]}
    assert _ids(settings, ReviewState.NOT_ERROR) == {ids["001"]}

    _review(settings, ids[CORRECTED], "TITLE_MISSING", ReviewVerdict.NOT_ERROR)  # overrides the carried one
    assert _ids(settings, ReviewState.CONFIRMED) == {ids["000"]}
    assert _ids(settings, ReviewState.NOT_ERROR) == {ids["001"], ids[CORRECTED]}
    with session_scope(settings) as s:  # combined with the other filters
        page = queries.list_reports(
            s, filters=ReportFilter(review=ReviewState.NOT_ERROR, year=2023, body="石门")
        )
    assert [r.id for r in page.items] == [ids["001"]]


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def _ingest(settings: Settings, name: str, content: bytes) -> int:
    path = settings.inbox_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    result = ingest_file(path, settings=settings, task_id=f"t-{name}", send_task=lambda _n, _a: None)
    assert result.report_id is not None, result
    alert_report.apply(args=[result.report_id])  # the alert task decides whether to mail
    return result.report_id


def test_a_finding_marked_not_an_error_is_not_alerted_again(settings: Settings, smtp_sink: SmtpSink) -> None:
    seed = SEED_002.read_bytes()
    v1 = _ingest(settings, "南岭镇年报.txt", seed)
    first = _text(smtp_sink.wait_for(1)[0])
    assert "STRUCT_CELL_COUNT" in first and "FMT_OLD_USED" in first

    _review(
        settings, v1, "STRUCT_CELL_COUNT", ReviewVerdict.NOT_ERROR, reason="表格为合并单元格，人工核对无误"
    )
    v2 = _ingest(settings, "南岭镇年报（第二版）.txt", seed + b"\n")  # the same findings at the same places
    second = _text(smtp_sink.wait_for(2)[1])
    assert "FMT_OLD_USED" in second and "STRUCT_CELL_COUNT" not in second
    assert _reviews_by_rule(settings, v2)["STRUCT_CELL_COUNT"] == ("not_error", True, "zhang")

    for rule in ("FMT_2019_INCOMPLETE", "FMT_OLD_USED"):
        _review(settings, v2, rule, ReviewVerdict.NOT_ERROR)
    _ingest(settings, "南岭镇年报（第三版）.txt", seed + b"\n\n")
    assert len(smtp_sink.messages) == 2  # every error was reviewed "not an error": no third mail


def test_migration_0006_matches_the_models_and_downgrades(tmp_path: Path, database_url: str) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from tests.utils.services import make_settings, migrated
    from worker.store.db import alembic_config, get_engine
    from worker.store.review_models import REVIEW_TABLES

    settings = migrated(make_settings(tmp_path, database_url))
    engine = get_engine(settings)
    assert set(REVIEW_TABLES) <= set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        diffs = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    assert [d for d in diffs if any(t in repr(d) for t in REVIEW_TABLES)] == []
    with engine.begin() as conn:
        cfg = alembic_config(settings.sqlalchemy_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    assert not set(REVIEW_TABLES) & set(sa.inspect(engine).get_table_names())


def test_review_filter_for_reports_without_a_year_or_body_identity(settings: Settings) -> None:
    """The filter's quick "any review of this body and year" probe must not hide the review of a report that has
    no year or no administrative path (such a review is found by its report alone)."""
    report = read_report(SEED_002)
    findings = list(run_checks(report, RuleContext()))
    assert findings
    ids = {}
    with session_scope(settings) as s:
        for key, update in (("no-year", {"year": None}), ("no-path", {"organ_path": [], "organ": None})):
            stored = crud.insert_report(s, report.model_copy(update=update), findings, sha256=key.ljust(64, "0"),
                                        file_name=f"{key}.txt")  # fmt: skip
            assert stored.id is not None
            ids[key] = stored.id
    with session_scope(settings) as s:
        keys = {k: (r.identity_key, r.year) for k, r in ((k, s.get(StoredReport, i)) for k, i in ids.items()) if r}
    assert keys["no-year"][1] is None and keys["no-path"][0] is None
    assert _ids(settings, ReviewState.UNREVIEWED) == set(ids.values())
    for rid in ids.values():
        _review(settings, rid, findings[0].rule, ReviewVerdict.NOT_ERROR)
    assert _ids(settings, ReviewState.NOT_ERROR) == set(ids.values())
    assert _ids(settings, ReviewState.REVIEWED) == set(ids.values())
    assert _ids(settings, ReviewState.CONFIRMED) == set()
    assert _ids(settings, ReviewState.UNREVIEWED) == set(ids.values())  # two more errors nobody reviewed
