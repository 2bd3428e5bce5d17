"""Issue 14 items 2 and 3: alerts to a body's own contacts (opt-in per region) and the deadline reminders.

Real database (SQLite and PostgreSQL), real SMTP sink (aiosmtpd), the real alert task; time moved by
``--today`` / the task's ``today``, never by sleeping.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import select

from tests.alerts.conftest import smtp_overrides
from tests.registry.conftest import Cli, town
from tests.registry.helpers import broken, store
from tests.utils.smtp import SmtpSink
from worker.settings import Settings
from worker.store import queries
from worker.store.db import session_scope
from worker.store.ops_models import AlertLedger

pytestmark = pytest.mark.integration
OFFICE = "zwgk@example.gov.cn"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as s:
        yield s


@pytest.fixture
def settings(make_registry_settings: Callable[..., Settings], sink: SmtpSink) -> Settings:
    """The registry fixtures' settings, sending to the SMTP sink (no digest window), bodies of 将乐县 opted in."""
    return make_registry_settings(**smtp_overrides(sink, body_contact_regions=["将乐县"]))


def _report_of(settings: Settings, name: str) -> int:
    with session_scope(settings) as s:
        roster = queries.roster(s, region="将乐县", year=2024, today=dt.date(2025, 1, 1))
    rid = next(e.report_id for e in roster.entries if e.body.name == name)
    assert rid is not None
    return rid


def _mails(sink: SmtpSink) -> list[tuple[str, str]]:
    out = [(",".join(e["to"]), str(m["Subject"])) for e, m in zip(sink.envelopes, sink.messages, strict=True)]
    sink.messages.clear()
    sink.envelopes.clear()
    return sorted(out)


def test_an_alert_reaches_the_matched_body_when_its_region_opted_in(
    region: dict[str, Any], settings: Settings, sink: SmtpSink, make_registry_settings: Callable[..., Settings]
) -> None:
    from worker.alerts.task import alert_report

    failing = _report_of(settings, "将乐县万安镇人民政府")
    alert_report.apply(args=[failing]).get()
    mails = _mails(sink)
    assert [to for to, _ in mails] == ["1@jl.gov.cn", OFFICE]
    assert all(subject.startswith("【年报校验】将乐县万安镇人民政府 2024年度报告") for _, subject in mails)
    alert_report.apply(args=[failing]).get()  # never twice, for the body either
    assert _mails(sink) == []
    # the body's other failing report, once the region is no longer opted in: the office only
    make_registry_settings(**smtp_overrides(sink, body_contact_regions=["顺昌县"]))
    alert_report.apply(args=[_report_of(settings, "将乐县高唐镇人民政府")]).get()
    assert [to for to, _ in _mails(sink)] == [OFFICE]


def test_reminders_per_step_and_state_never_twice(region: dict[str, Any], settings: Settings, sink: SmtpSink,
                                                  cli: Cli) -> None:  # fmt: skip
    code, out, err = cli("remind", "--today", "2025-01-10")  # 21 days left: no step yet
    assert code == 0, err
    assert _mails(sink) == []
    code, out, err = cli("remind", "--today", "2025-01-20", "--dry-run")
    assert code == 0, err
    assert "应提醒 3 个，新提醒 3 个" in out and "将乐县光明镇人民政府  未收到  距截止还有 11 天  4@jl.gov.cn" in out
    assert _mails(sink) == []
    code, out, err = cli("remind", "--today", "2025-01-20")
    assert code == 0, err
    mails = _mails(sink)
    assert [to for to, _ in mails] == ["1@jl.gov.cn", "3@jl.gov.cn", "4@jl.gov.cn", OFFICE]
    subjects = dict(mails)
    assert subjects["4@jl.gov.cn"] == "【年报提醒】将乐县光明镇人民政府 2024年度报告未收到，距截止还有 11 天"
    assert subjects["1@jl.gov.cn"] == "【年报提醒】将乐县万安镇人民政府 2024年度报告已收到·未通过，距截止还有 11 天"
    assert subjects[OFFICE] == "【年报提醒汇总】全部已登记主体 2024年度：3 个主体未报送或未通过"
    assert "主体 3 封，汇总 1 封" in out
    for day in ("2025-01-20", "2025-01-23"):  # the same step (d14) again: nothing
        assert cli("remind", "--today", day)[0] == 0
        assert _mails(sink) == []
    # 万安镇 sends a corrected, passing report: no longer reminded
    store(settings, region["万安镇"], file_name="wa2.txt")
    assert cli("bodies", "match")[0] == 0
    assert cli("remind", "--today", "2025-01-24")[0] == 0  # 7 days left: step d7
    assert [to for to, _ in _mails(sink)] == ["3@jl.gov.cn", "4@jl.gov.cn", OFFICE]
    code, out, _ = cli("remind", "--today", "2025-02-02", "--json")  # overdue; the county government is not yet
    assert json.loads(out)["runs"][0] == {"region": "", "year": 2024, "due": 2, "new": 2, "body_mails": 2,
                                               "summaries": 1, "failed": 0, "postponed": 0}  # fmt: skip
    assert dict(_mails(sink))["4@jl.gov.cn"].endswith("已逾期 2 天")
    # 光明镇 sends a failing report after the deadline: a new state, so one more reminder at the same step
    store(settings, broken(town(random.Random(7), "光明镇")), file_name="gm.txt")
    assert cli("bodies", "match")[0] == 0
    assert cli("remind", "--today", "2025-02-03")[0] == 0
    assert [to for to, _ in _mails(sink)] == ["4@jl.gov.cn", OFFICE]
    with session_scope(settings) as s:
        rows = s.exec(select(AlertLedger).where(AlertLedger.kind == "reminder")).all()
        assert {r.status for r in rows} == {"sent"}
        keys = [r.content_sha256 for r in rows]
        assert len(keys) == len(set(keys)) == 8  # 3 at d14, 2 at d7, 2 overdue, 1 overdue in a new state


def test_summary_lists_bodies_and_the_beat_task_runs_the_same(
    region: dict[str, Any], settings: Settings, sink: SmtpSink, make_registry_settings: Callable[..., Settings]
) -> None:
    from worker.alerts.remind import remind_task

    make_registry_settings(**smtp_overrides(sink, body_contact_regions=["将乐县"], reminder_regions=["将乐县"],
                                            reminder_days=[30]))  # fmt: skip
    result = remind_task.apply(kwargs={"today": "2025-03-20"}).get()  # county government: 11 days left
    assert result["runs"][0]["region"] == "将乐县" and result["runs"][0]["new"] == 4
    by_to = {",".join(e["to"]): m for e, m in zip(sink.envelopes, sink.messages, strict=True)}
    assert set(by_to) == {"3@jl.gov.cn", "4@jl.gov.cn", "1@jl.gov.cn", OFFICE}  # the county has no email
    text = by_to[OFFICE].get_body(("plain",)).get_content()
    assert "将乐县人民政府：未收到，截止 2025-03-31，距截止还有 11 天；无联系邮箱，未能提醒" in text
    assert "将乐县光明镇人民政府：未收到，截止 2025-01-31，已逾期 48 天；已提醒 4@jl.gov.cn" in text
    assert by_to[OFFICE]["X-Nianbao-Kind"] == "reminder-summary"
    assert by_to["4@jl.gov.cn"]["X-Nianbao-Kind"] == "reminder"
    assert remind_task.apply(kwargs={"today": "2025-03-21"}).get()["runs"][0]["new"] == 0
