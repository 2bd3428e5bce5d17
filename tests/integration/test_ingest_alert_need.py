"""The ingest sends an alert task only when it could mail something (worker/alerts/need.py).

Real files through ``worker.ingest.ingest_file`` on SQLite and PostgreSQL; the tasks it sends go to a list,
and the outbox (the at-least-once record of each task) must agree with what was sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.utils.services import make_settings, migrated
from tests.utils.variants import with_t3_error, year_variant
from worker.alerts.ledger import record_report
from worker.alerts.source import load_report_alert
from worker.ingest import ingest_file
from worker.store.db import session_scope
from worker.store.models import OutboxTask

pytestmark = pytest.mark.integration

JUNK = b"\x00\xff" * 50


class Sent(list[tuple[str, list[Any]]]):
    def __call__(self, name: str, args: list[Any]) -> None:
        self.append((name, args))


def _settings(tmp_path: Path, database_url: str, **overrides: Any) -> Any:
    return migrated(make_settings(tmp_path, database_url, **overrides))


def _drop(settings: Any, name: str, data: bytes | str) -> Path:
    path = settings.inbox_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _seed(seeds_dir: Path) -> str:
    return sorted(seeds_dir.glob("*.txt"))[0].read_text(encoding="utf-8")  # no error finding, some warnings


def _outbox(settings: Any) -> list[tuple[str, int, bool]]:
    with session_scope(settings) as s:
        return [(r.task, r.ref_id, r.sent_at is not None) for r in s.exec(select(OutboxTask))]


def test_report_with_errors_and_recipients_gets_its_alert_task(tmp_path: Path, database_url: str,
                                                              seeds_dir: Path) -> None:
    settings = _settings(tmp_path, database_url, alert_recipients=["zwgk@example.gov.cn"])
    sent = Sent()
    res = ingest_file(_drop(settings, "bad.txt", with_t3_error(_seed(seeds_dir))), settings=settings,
                      task_id="t", send_task=sent)
    assert res.status == "ingested" and res.errors > 0 and res.alerted
    assert sent == [("nianbao.alert_report", [res.report_id])]
    assert _outbox(settings) == [("nianbao.alert_report", res.report_id, True)]  # recorded, then marked sent


@pytest.mark.parametrize(
    "overrides",
    [
        {"alert_recipients": []},  # nobody to tell
        {"alert_recipients": ["zwgk@example.gov.cn"], "alerts_enabled": False},
        {"alert_recipients": [], "alert_routes": [{"channel": "other", "recipients": ["x@example.gov.cn"]}]},
    ],
    ids=["no-recipients", "alerts-disabled", "route-of-another-channel"],
)
def test_report_with_errors_but_nobody_to_mail_sends_nothing(tmp_path: Path, database_url: str, seeds_dir: Path,
                                                            overrides: dict[str, Any]) -> None:
    settings = _settings(tmp_path, database_url, **overrides)
    sent = Sent()
    res = ingest_file(_drop(settings, "bad.txt", with_t3_error(_seed(seeds_dir))), settings=settings,
                      task_id="t", send_task=sent)
    assert res.status == "ingested" and res.errors > 0
    assert sent == [] and _outbox(settings) == [] and not res.alerted


def test_a_route_alone_is_someone_to_mail(tmp_path: Path, database_url: str, seeds_dir: Path) -> None:
    route = {"organ_prefix": "福建省", "recipients": ["fj@example.gov.cn"]}
    settings = _settings(tmp_path, database_url, alert_recipients=[], alert_routes=[route])
    sent = Sent()
    res = ingest_file(_drop(settings, "bad.txt", with_t3_error(_seed(seeds_dir))), settings=settings,
                      task_id="t", send_task=sent)
    assert sent == [("nianbao.alert_report", [res.report_id])]
    # a quarantine can never match a route with a body condition: no task for the junk file
    junk = ingest_file(_drop(settings, "junk.txt", JUNK), settings=settings, task_id="q", send_task=sent)
    assert junk.status == "quarantined" and len(sent) == 1 and not junk.alerted


def test_clean_report_gets_no_task_unless_warnings_are_alerted(tmp_path: Path, database_url: str,
                                                               seeds_dir: Path) -> None:
    settings = _settings(tmp_path, database_url, alert_recipients=["zwgk@example.gov.cn"])
    sent = Sent()
    clean = ingest_file(_drop(settings, "ok.txt", _seed(seeds_dir)), settings=settings, task_id="a", send_task=sent)
    assert clean.status == "ingested" and clean.errors == 0 and clean.warnings > 0
    assert sent == [] and _outbox(settings) == []

    # the same database (its fixture) under other settings: other content, so it is not a duplicate
    loud = _settings(tmp_path / "loud", database_url, alert_recipients=["zwgk@example.gov.cn"],
                     alert_on_warnings=True)
    res = ingest_file(_drop(loud, "ok2.txt", _seed(seeds_dir) + "\n"), settings=loud, task_id="b", send_task=sent)
    assert res.errors == 0 and sent == [("nianbao.alert_report", [res.report_id])]


def test_quarantine_alert_only_with_someone_to_mail(tmp_path: Path, database_url: str) -> None:
    sent = Sent()
    quiet = _settings(tmp_path, database_url, alert_recipients=[])
    res = ingest_file(_drop(quiet, "junk.txt", JUNK), settings=quiet, task_id="a", send_task=sent)
    assert res.status == "quarantined" and res.quarantine_id is not None
    assert sent == [] and _outbox(quiet) == []

    route = {"kind": "quarantine", "recipients": ["ops@example.gov.cn"]}
    routed = _settings(tmp_path / "routed", database_url, alert_recipients=[], alert_routes=[route])
    res = ingest_file(_drop(routed, "junk2.txt", JUNK + b"\x00"), settings=routed, task_id="b", send_task=sent)
    assert sent == [("nianbao.alert_quarantine", [res.quarantine_id])]


def test_a_recheck_that_clears_an_alerted_report_still_sends_its_task(tmp_path: Path, database_url: str,
                                                                      seeds_dir: Path) -> None:
    """A "resolved" mail is due when a re-check clears a version whose errors were alerted."""
    settings = _settings(tmp_path, database_url, alert_recipients=["zwgk@example.gov.cn"])
    seed, sent = _seed(seeds_dir), Sent()
    # 2022 carried 2 applications forward, 2023 says 0: the 2023 report fails XY_CARRYOVER and is alerted
    ingest_file(_drop(settings, "2022.txt", year_variant(seed, 2022, carried_forward=2)), settings=settings,
                task_id="a", send_task=sent)
    y2023 = ingest_file(_drop(settings, "2023.txt", seed), settings=settings, task_id="b", send_task=sent)
    assert y2023.errors > 0 and ("nianbao.alert_report", [y2023.report_id]) in sent
    with session_scope(settings) as s:  # what the alert task does: the ledger now knows this version
        alert = load_report_alert(s, y2023.report_id or 0)
        assert alert is not None and record_report(s, alert, settings=settings).rows
    sent.clear()
    # a corrected 2022 (carried 0) arrives: 2023 is re-checked clean; only its task can send "resolved"
    fixed = ingest_file(_drop(settings, "2022-fix.txt", year_variant(seed, 2022, carried_forward=0) + "\n"),
                        settings=settings, task_id="c", send_task=sent)
    assert fixed.status == "ingested" and fixed.rechecked_report_id == y2023.report_id
    assert sent == [("nianbao.alert_report", [y2023.report_id])]  # 2022 itself is clean: no task of its own


def test_an_import_without_alerts_records_no_alert_task(tmp_path: Path, database_url: str, seeds_dir: Path) -> None:
    """``nianbao import --no-alerts``: neither the report's nor the quarantine's task, not even in the outbox."""
    settings = _settings(tmp_path, database_url, alert_recipients=["zwgk@example.gov.cn"])
    sent = Sent()
    bad = ingest_file(_drop(settings, "bad.txt", with_t3_error(_seed(seeds_dir))), settings=settings,
                      task_id="a", send_task=sent, alerts=False)
    junk = ingest_file(_drop(settings, "junk.txt", JUNK), settings=settings, task_id="b", send_task=sent,
                       alerts=False)
    assert bad.status == "ingested" and bad.errors > 0 and junk.status == "quarantined"
    assert sent == [] and _outbox(settings) == []


def test_the_sweep_resends_a_lost_digest_flush(tmp_path: Path, database_url: str) -> None:
    """Alert tasks kick overdue flushes; with fewer alert tasks, the recovery sweep does it too."""
    import datetime as dt

    from worker import sweep
    from worker.store.ops_models import AlertLedger, utcnow

    settings = _settings(tmp_path, database_url, alert_recipients=["zwgk@example.gov.cn"])
    now = utcnow()
    with session_scope(settings) as s:
        for recipient, due in (("late@example.gov.cn", now - dt.timedelta(minutes=5)),
                               ("waiting@example.gov.cn", now + dt.timedelta(minutes=4))):
            s.add(AlertLedger(kind="report", ref_id=1, content_sha256=f"sha-{recipient}", fingerprint="f",
                              recipient=recipient, due_at=due))
    sent = Sent()
    report = sweep.run(settings, sent, now=now)
    assert report.flushes_sent == 1
    assert ("nianbao.alert_flush", ["late@example.gov.cn", "email"]) in sent
    assert not any(args[0] == "waiting@example.gov.cn" for _, args in sent)


def test_a_report_needing_review_gets_its_task_for_the_request_mail(tmp_path: Path, database_url: str) -> None:
    # no error finding, but a table could not be read with certainty: mailed as a request for the original
    unreadable = (Path(__file__).parents[1] / "rules" / "fixtures" / "TABLE_UNREADABLE" / "bad.txt").read_bytes()
    settings = _settings(tmp_path, database_url, alert_recipients=["zwgk@example.gov.cn"])
    sent = Sent()
    res = ingest_file(_drop(settings, "r.txt", unreadable), settings=settings, task_id="t", send_task=sent)
    assert res.status == "ingested" and res.errors == 0
    assert sent == [("nianbao.alert_report", [res.report_id])]


def test_body_contacts_alone_are_someone_to_mail(tmp_path: Path, database_url: str, seeds_dir: Path) -> None:
    settings = _settings(tmp_path, database_url, alert_recipients=[], body_contact_regions=["福建省"])
    sent = Sent()
    res = ingest_file(_drop(settings, "bad.txt", with_t3_error(_seed(seeds_dir))), settings=settings,
                      task_id="t", send_task=sent)
    assert res.errors > 0 and sent == [("nianbao.alert_report", [res.report_id])]
