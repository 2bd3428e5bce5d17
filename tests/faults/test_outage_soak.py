"""Issue 10, "done when": a database outage and then a broker outage in the same run of ``nianbao run``, with
no restart: every file ends archived or quarantined, exactly one stored report per content, every alert sent.

Real everything: ``nianbao run`` (watcher, worker, beat) as a subprocess, a real Valkey on TCP behind a gate
the test closes (the broker outage), PostgreSQL behind a gate or SQLite under an exclusive lock (the database
outage), a real SMTP sink. CI runs short outages; the documented run of the issue's figures is

    NIANBAO_SOAK_DB_OUTAGE_S=120 NIANBAO_SOAK_BROKER_OUTAGE_S=20 .venv/bin/python -m pytest tests/faults/test_outage_soak.py

(docs/reliability.md has its result).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from bench.pipeline_corpus import report_texts
from tests.alerts.conftest import smtp_overrides
from tests.utils.outage import Outage, TcpGate, TcpValkey
from tests.utils.services import make_settings, migrated, settings_env, wait_until
from tests.utils.smtp import SmtpSink
from worker.errors import RetryableError
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.models import QuarantineRecord, SourceFile, StoredReport
from worker.store.ops_models import AlertLedger
from worker.store.outbox import pending_count

DB_OUTAGE_S = float(os.environ.get("NIANBAO_SOAK_DB_OUTAGE_S", "8"))
BROKER_OUTAGE_S = float(os.environ.get("NIANBAO_SOAK_BROKER_OUTAGE_S", "5"))
SETTLE_S = 180 + DB_OUTAGE_S + BROKER_OUTAGE_S  # what the run may take to catch up after both outages

pytestmark = [pytest.mark.faults, pytest.mark.integration, pytest.mark.timeout(int(SETTLE_S + 240))]


@pytest.fixture
def valkey(tmp_path: Path) -> Iterator[TcpValkey]:
    server = TcpValkey(tmp_path / "valkey")
    yield server
    server.stop()


def _drop(inbox: Path, texts: list[str], prefix: str) -> list[str]:
    """Write the texts into the inbox as the office would (written beside, then renamed in); plus a junk file."""
    names = []
    for i, text in enumerate(texts):
        staged = inbox.parent / f".{prefix}_{i}.txt"
        staged.write_text(text, encoding="utf-8")
        staged.rename(inbox / f"{prefix}_{i}.txt")
        names.append(f"{prefix}_{i}.txt")
    (inbox / f"{prefix}_junk.txt").write_bytes(b"\x00\x01\x02\x03 not a report " + prefix.encode())
    return [*names, f"{prefix}_junk.txt"]


def _settled(settings: Settings, expected: int) -> bool:
    """Every dropped file is recorded as archived or quarantined, every quarantined file and every failing
    report has its alert, and every alert was sent (alone or in a digest)."""
    if any(settings.inbox_path.iterdir()) or any(settings.processing_path.rglob("*.txt")):
        return False
    try:
        with session_scope(settings) as s:
            archived = s.exec(select(func.count()).where(col(SourceFile.archived_path).is_not(None))).one()
            quarantined = set(s.exec(select(QuarantineRecord.id)).all())
            failing = set(s.exec(select(StoredReport.id).where(StoredReport.error_count > 0)).all())
            ledger = s.exec(select(AlertLedger.kind, AlertLedger.ref_id, AlertLedger.status)).all()
            pending = pending_count(s)
    except RetryableError:  # the run is writing (SQLite: this test waits db_busy_timeout=0.5 s too): not yet
        return False
    alerted = {(kind, ref) for kind, ref, _ in ledger}
    return (
        archived + len(quarantined) == expected
        and {("quarantine", q) for q in quarantined} <= alerted
        and {("report", r) for r in failing} <= alerted
        and all(status in ("sent", "digested", "superseded") for _, _, status in ledger)
        and pending == 0
    )


def test_database_then_broker_outage_in_one_run_loses_nothing(
    tmp_path: Path, database_url: str, valkey: TcpValkey
) -> None:
    outage = Outage(database_url)
    broker_gate = TcpGate("127.0.0.1", valkey.port)
    broker_gate.open()
    with SmtpSink() as sink:
        settings = migrated(
            make_settings(
                tmp_path, outage.url, f"redis://127.0.0.1:{broker_gate.port}/0",
                **smtp_overrides(sink), stable_seconds=0.5, rescan_interval=3, sweep_interval=2,
                retry_backoff=1, retry_backoff_max=5, db_busy_timeout=0.5, web_enabled=False,
                reminders_enabled=False, visibility_timeout=60, soft_time_limit=20, time_limit=30,
                outbox_grace_seconds=3,
            )
        )  # fmt: skip
        texts = report_texts(12, seed=10)
        log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("nianbao")), "run"],
            env=settings_env(settings), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            dropped = _drop(settings.inbox_path, texts[:4], "before")
            wait_until(lambda: _settled(settings, len(dropped)), 120, "the first files before any outage")

            outage.begin()  # the database goes away while files arrive and are being read
            dropped += _drop(settings.inbox_path, texts[4:8], "db_down")
            time.sleep(DB_OUTAGE_S)
            outage.end()

            broker_gate.close()  # then the broker goes away, with work still in flight
            dropped += _drop(settings.inbox_path, texts[8:], "broker_down")
            time.sleep(BROKER_OUTAGE_S)
            broker_gate.open()

            wait_until(lambda: _settled(settings, len(dropped)), SETTLE_S, "every file archived or quarantined")
            assert proc.poll() is None, "nianbao run must survive both outages without a restart"
        except BaseException:
            print((tmp_path / "run.log").read_text(errors="replace")[-8000:])
            raise
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            log.close()
            broker_gate.close()

        try:
            with session_scope(settings) as s:
                stored = s.exec(select(StoredReport.sha256)).all()
                quarantined = s.exec(select(QuarantineRecord.name)).all()
                alerted = s.exec(select(AlertLedger.kind, AlertLedger.ref_id)).all()
                failing = s.exec(select(StoredReport.id).where(StoredReport.error_count > 0)).all()
        finally:
            outage.close()
        assert len(stored) == len(set(stored)) == len(texts)  # exactly one stored report per content
        assert sorted(quarantined) == sorted(n for n in dropped if n.endswith("_junk.txt"))
        # every quarantined file and every failing report was alerted (and _settled saw every alert sent)
        assert len({r for k, r in alerted if k == "quarantine"}) == len(quarantined) == 3
        assert {r for k, r in alerted if k == "report"} >= set(failing)
        assert len(sink.messages) >= 3  # digests may carry several alerts in one message
