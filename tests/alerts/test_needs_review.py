"""Issue 11 "done when": the status 'needs review' end to end, through the real ingest, real databases (SQLite
and PostgreSQL), the CLI in-process and a real SMTP sink: stored as ``needs_review``, listed by
``nianbao reports --status needs_review``, counted by ``nianbao status``, mailed as a request for the original
(not as an error report), once per version, and kept by the year+1 re-check and ``nianbao recheck``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.alerts.conftest import configure, smtp_overrides
from tests.rules.build_fixtures import PREV
from tests.rules.conftest import FIXTURES
from tests.rules.render import render
from tests.utils.smtp import SmtpSink
from tests.utils.stored import SEEDS_DIR
from worker.cli import main
from worker.ingest import ingest_file
from worker.settings import Settings, get_settings
from worker.store import queries
from worker.store.db import session_scope
from worker.store.models import StoredReport

pytestmark = pytest.mark.integration

UNREADABLE = (FIXTURES / "TABLE_UNREADABLE" / "bad.txt").read_bytes()  # 三 with run-together digits, 南山镇 2023
SEED_002 = next(SEEDS_DIR.glob("002_*.txt")).read_bytes()  # another body, with errors
TABLE_3 = "三、收到和处理政府信息公开申请情况表"
RCPT = "zwgk@example.gov.cn"


@pytest.fixture
def settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, broker_url: str, smtp_sink: SmtpSink
) -> Iterator[Settings]:
    from worker.store.db import dispose_engines

    yield configure(monkeypatch, tmp_path, database_url, broker_url, **smtp_overrides(smtp_sink))
    dispose_engines()
    get_settings.cache_clear()


def _ingest(settings: Settings, name: str, content: bytes, *, alert: bool = True) -> int:
    from worker.alerts.task import alert_report

    path = settings.inbox_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    sent: list[tuple[str, list[Any]]] = []
    result = ingest_file(path, settings=settings, task_id=f"t-{name}", send_task=lambda n, a: sent.append((n, a)))
    assert result.report_id is not None, result
    if alert:  # the follow-ups the ingest recorded, run here instead of on a worker
        for task, args in sent:
            if task == "nianbao.alert_report":
                alert_report.apply(args=args).get()
    return result.report_id


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


def _listed(*args: str) -> list[int]:
    code, out = _cli("reports", "--json", *args)
    assert code == 0, out
    return [r["id"] for r in json.loads(out)]


def _status(settings: Settings, report_id: int) -> str:
    with session_scope(settings) as s:
        row = s.get(StoredReport, report_id)
        assert row is not None
        return row.status


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def _html(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def test_unreadable_table_is_stored_listed_counted_and_mailed_as_a_request(
    settings: Settings, smtp_sink: SmtpSink
) -> None:
    review_id = _ingest(settings, "南山镇2023年报.txt", UNREADABLE)
    error_id = _ingest(settings, "南岭镇年报.txt", SEED_002)
    assert _status(settings, review_id) == "needs_review" and _status(settings, error_id) == "failed"

    # listed: the four status filters partition the reports, and the facets count it
    assert _listed("--status", "needs_review") == [review_id]
    assert _listed("--status", "errors") == [error_id]
    assert review_id not in _listed("--status", "warnings") + _listed("--status", "ok")
    code, out = _cli("reports", "--status", "needs_review")
    assert code == 0 and "待人工复核" in out and "南山镇" in out and "南岭镇" not in out
    with session_scope(settings) as s:
        facets = queries.report_facets(s)
    assert facets.count_of("status", "needs_review") == 1 and facets.count_of("status", "errors") == 1
    code, out = _cli("show", str(review_id))
    assert code == 0 and "状态：待人工复核（错误 0，警告 1）" in out and "TABLE_UNREADABLE" in out

    # counted: in the last hour and in all
    code, out = _cli("status", "--json")
    assert code == 0, out
    st = json.loads(out)
    assert st["last_hour"]["reports_needs_review"] == 1 and st["last_hour"]["reports_failed_checks"] == 1
    assert st["needs_review"] == 1
    code, out = _cli("status")
    assert "未通过 1，待人工复核 1" in out and "待人工复核  1 份报告" in out

    # mailed: the request for the original, not the error wording; the error report keeps the error wording
    mails = smtp_sink.wait_for(2)
    by_kind = {str(m["X-Nianbao-Kind"]): m for m in mails}
    assert set(by_kind) == {"report-review", "report-new"}
    request, error = by_kind["report-review"], by_kind["report-new"]
    subject = str(request["Subject"])
    assert subject == "【年报待人工复核】南山镇人民政府 2023年度报告：1 张表格无法可靠读取，请提供原件或人工核对"
    assert "错误" not in subject and str(error["Subject"]).startswith("【年报校验】") and "项错误" in str(error["Subject"])
    text = _text(request)
    assert f"有 1 张表格无法可靠读取：{TABLE_3}" in text  # which table
    assert "“（一）予以公开”行数字之间缺少分隔" in text  # why
    assert "这不是错误通报" in text and ".docx/.pdf 原件" in text and "人工核对" in text  # the ask
    assert "一、无法可靠读取的表格（1 项）" in text
    assert "校验发现" not in text and "项错误" not in text and "应为" not in text and "ambiguous" not in text
    assert TABLE_3 in _html(request) and "这不是错误通报" in _html(request)

    # once per version: the alert task again, or the same content under another name, sends nothing more
    from worker.alerts.task import alert_report

    alert_report.apply(args=[review_id]).get()
    _ingest(settings, "南山镇2023年报（重发）.txt", UNREADABLE)
    assert len(smtp_sink.messages) == 2


def test_rechecks_keep_needs_review(settings: Settings, smtp_sink: SmtpSink) -> None:
    from worker.recheck import recheck_one, start_recheck

    review_id = _ingest(settings, "南山镇2023年报.txt", UNREADABLE, alert=False)
    # the year before arrives late: the stored 2023 report is re-checked against it and still needs review
    _ingest(settings, "南山镇2022年报.txt", render(PREV).encode("utf-8"), alert=False)
    assert _status(settings, review_id) == "needs_review"
    with session_scope(settings) as s:  # a status stored by an older release
        row = s.get(StoredReport, review_id)
        assert row is not None
        row.status = "ok"
        s.add(row)
    queued: list[tuple[str, list[Any]]] = []
    run_id = start_recheck(settings, lambda n, a: queued.append((n, a)), year=2023, requested_by="cli")
    assert queued == [("nianbao.recheck", [run_id, [review_id]])]
    assert recheck_one(settings, run_id, review_id)
    assert _status(settings, review_id) == "needs_review"
    assert _listed("--status", "needs_review") == [review_id]


def test_digest_lists_reports_needing_review_in_their_own_group(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, smtp_sink: SmtpSink
) -> None:
    from worker.alerts.digest import flush_recipient
    from worker.alerts.ledger import record_report
    from worker.alerts.source import load_report_alert
    from worker.store.db import dispose_engines
    from worker.store.ops_models import utcnow

    settings = configure(
        monkeypatch, tmp_path, database_url, **smtp_overrides(smtp_sink, digest_window_seconds=60, digest_threshold=1)
    )
    try:
        ids = [
            _ingest(settings, "南山镇2023年报.txt", UNREADABLE, alert=False),
            _ingest(settings, "南岭镇年报.txt", SEED_002, alert=False),
        ]
        with session_scope(settings) as s:
            for rid in ids:
                alert = load_report_alert(s, rid)
                assert alert is not None
                assert len(record_report(s, alert, settings=settings).rows) == 1
            errors = queries.get_report(s, ids[1], with_cells=False)
        assert flush_recipient(RCPT, settings=settings, now=utcnow() + dt.timedelta(seconds=61)).digests == 1
    finally:
        dispose_engines()
        get_settings.cache_clear()
    (digest,) = smtp_sink.wait_for(1)
    assert errors is not None and errors.error_count > 0
    subject = str(digest["Subject"])
    assert subject == f"【年报校验汇总】1 份报告共 {errors.error_count} 项错误，1 份报告待人工复核"
    text = _text(digest)
    assert "一、报告（1 份）" in text and "二、待人工复核的报告（1 份，请提供原件或人工核对）" in text
    review_part = text.split("二、待人工复核的报告", 1)[1]
    assert "南山镇人民政府" in review_part and f"无法可靠读取：{TABLE_3}" in review_part
    assert "南山镇人民政府" not in text.split("二、待人工复核的报告", 1)[0].split("一、报告", 1)[1]
    assert "无法可靠读取的表格" in _html(digest)


def _review_finding(table: str = "applications") -> Any:
    from worker.parse.models import Location
    from worker.rules.base import Finding, Severity

    return Finding(rule="TABLE_UNREADABLE", severity=Severity.WARNING, title="表格无法可靠读取",
                   message="表格无法可靠读取：数字之间缺少分隔。请提供 .docx/.pdf 原件或人工核对",
                   location=Location(table=table, line=35), expected="可确定的表格数据", actual="ambiguous")  # fmt: skip


def test_request_wording_follows_the_verdict() -> None:
    from tests.alerts.factories import finding, sha, warning
    from worker.alerts.compose import report_message
    from worker.alerts.message import MessageType
    from worker.alerts.models import ReportAlert

    review, error = _review_finding(), finding()
    alert = ReportAlert(organ="南山镇人民政府", year=2023, file_name="r.txt", sha256=sha(),
                        findings=[review, _review_finding("disclosure.art20_1"), warning()])  # fmt: skip
    listed = alert.alertable(include_warnings=False)
    assert [f.rule for f in listed] == ["TABLE_UNREADABLE", "TABLE_UNREADABLE"]  # asked for, warnings off

    # errors gone, the table still unreadable: an update that asks for the original and lists what was resolved
    update = report_message(alert, findings=listed, kind="update", previous=[error])
    assert update.type is MessageType.REPORT_REVIEW
    assert update.subject.startswith("【年报待人工复核（更新）】南山镇人民政府 2023年度报告：2 张表格无法可靠读取")
    assert f"{TABLE_3}、二、主动公开政府信息情况表第二十条第（一）项" in update.lead
    assert "另有 1 项警告未列出" in update.lead
    assert update.resolved is not None and any("T3_BALANCE" in line for line in update.resolved.lines)

    # a request answered (the review dismissed, say): "no original needed any more", never "errors gone"
    done = report_message(alert.model_copy(update={"findings": []}), findings=[], kind="resolved", previous=listed)
    assert done.subject == "【年报待人工复核（已处理）】南山镇人民政府 2023年度报告：无需再提供原件"
    assert "错误" not in done.subject + done.lead

    # an error stands even when a table could not be read: the error wording, the table listed as a warning
    failed = alert.model_copy(update={"findings": [error, review]})
    both = report_message(failed, findings=failed.alertable(include_warnings=False))
    assert both.type is MessageType.REPORT_NEW and both.subject.endswith("1 项错误")
    assert [g.title for g in both.groups] == ["一、错误（1 项）", "二、警告（1 项）"]
