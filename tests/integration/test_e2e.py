"""End to end on real parts: broker, a ``nianbao worker`` subprocess, the watcher, a real SMTP server.

Depends on the parser (worker.parse.parse_extracted), the rules (worker.rules.run_checks, T3_BALANCE) and
the alert tasks (worker/alerts/task.py): the report/email assertions go green when those land.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.utils import store
from tests.utils.services import WorkerProcess, make_settings, migrated, wait_until
from tests.utils.smtp import SmtpSink
from tests.utils.variants import with_t3_error
from worker import spool
from worker.settings import Settings
from worker.store import crud
from worker.store.db import session_scope
from worker.store.models import SourceFile

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(150)]

JUNK = bytes(range(256)) * 8  # NUL bytes and all: not a report in any format


@dataclass
class Pipeline:
    settings: Settings
    sink: SmtpSink
    worker: WorkerProcess
    stop: threading.Event

    def reports(self) -> list[Any]:
        with session_scope(self.settings) as s:
            return store.list_reports(s)

    def quarantined(self) -> list[Any]:
        with session_scope(self.settings) as s:
            return store.list_quarantine(s)

    def archived(self) -> list[Path]:
        root = self.settings.archive_path
        return sorted(p for p in root.iterdir() if p.is_file()) if root.is_dir() else []

    def processing_empty(self) -> bool:
        root = self.settings.processing_path
        return not root.is_dir() or not any(root.iterdir())


@pytest.fixture
def pipeline(
    tmp_path: Path, database_url: str, broker_url: str, smtp_sink: SmtpSink
) -> Iterator[Pipeline]:
    from watcher import run_watcher

    settings = migrated(
        make_settings(
            tmp_path,
            database_url,
            broker_url,
            stable_seconds=0.4,
            rescan_interval=2.0,
            smtp_port=smtp_sink.port,
            digest_window_seconds=0,
            alert_recipients=["zwgk@example.gov.cn"],
        )
    )
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    stop = threading.Event()
    thread = threading.Thread(target=run_watcher, args=(settings, stop), daemon=True)
    thread.start()
    pipe = Pipeline(settings, smtp_sink, worker, stop)
    try:
        yield pipe
    finally:
        stop.set()
        thread.join(timeout=10)
        worker.stop()


def _wait_quiet(sink: SmtpSink, seconds: float = 2.0) -> int:
    """Wait until no new email arrived for ``seconds``; return the count."""
    import time

    last, since = len(sink.messages), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.2)
        if len(sink.messages) != last:
            last, since = len(sink.messages), time.monotonic()
    return last


def _body(msg: Any) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    return f"{msg['Subject']}\n{part.get_content() if part else ''}"


def test_e2e_seeds_bad_report_and_junk(pipeline: Pipeline, seeds_dir: Path) -> None:
    from worker.parse import read_report

    inbox = pipeline.settings.inbox_path
    seeds = sorted(seeds_dir.glob("*.txt"))
    assert len(seeds) == 5
    for seed in seeds:
        shutil.copy(seed, inbox / seed.name)
    (inbox / "bad_balance.txt").write_text(with_t3_error(seeds[0].read_text(encoding="utf-8")), encoding="utf-8")
    (inbox / "junk.txt").write_bytes(JUNK)

    try:
        wait_until(
            lambda: len(pipeline.reports()) == 6 and pipeline.quarantined(), 60, "6 reports + 1 quarantine"
        )
        wait_until(
            lambda: len(pipeline.archived()) == 6 and pipeline.processing_empty(), 20, "6 files archived"
        )
    except AssertionError:
        print(pipeline.worker.output())
        raise

    # every stored cell is what the parser reads from the file
    reports = {r.file_name: r for r in pipeline.reports()}
    assert set(reports) == {s.name for s in seeds} | {"bad_balance.txt"}
    with session_scope(pipeline.settings) as s:
        for name, row in reports.items():
            expected = read_report(pipeline.settings.archive_path / name).canonical()["tables"]
            got: dict[str, Any] = {"disclosure": {}, "applications": {}, "reviews": {}}
            for c in store.cells_of(s, row.id or 0):
                top, _, block = c.table_key.partition(".")
                grid = got[top].setdefault(block, {}) if block else got[top]
                grid.setdefault(c.row_key, {})[c.col_key] = c.value
            assert got == expected, name
        bad_findings = store.findings_of(s, reports["bad_balance.txt"].id or 0)
    assert reports["bad_balance.txt"].status == "failed"
    balance = [f for f in bad_findings if f.rule == "T3_BALANCE"]
    assert balance and all(f.table_key == "applications" for f in balance)

    # junk: quarantined with a reason file and a database record
    (q,) = pipeline.quarantined()
    qfile = pipeline.settings.quarantine_path / (q.sha256 or "")[:8] / "junk.txt"  # one folder per record
    assert q.name == "junk.txt" and q.stage == "extract" and q.quarantine_path == str(qfile)
    assert qfile.read_bytes() == JUNK
    assert q.reason in spool.note_path(qfile).read_text(encoding="utf-8")

    # one email per report with errors; the bad one names T3_BALANCE and where it is
    failed = [r for r in reports.values() if r.error_count]
    wait_until(lambda: len(pipeline.sink.messages) >= len(failed), 30, "alert emails")
    _wait_quiet(pipeline.sink)
    bodies = [_body(m) for m in pipeline.sink.messages]
    about_bad = [b for b in bodies if "T3_BALANCE" in b]
    assert len(about_bad) == 1
    assert "bad_balance.txt" in about_bad[0]
    for f in balance:  # each finding with its location: the column and the source line
        assert f.line and f"第 {f.line} 行" in about_bad[0]
    assert "自然人" in about_bad[0]
    report_mails = [b for b in bodies if "junk.txt" not in b]
    assert len(report_mails) == len(failed)

    # the same content again under a new name: archived as a duplicate, no report, no email
    before = len(pipeline.sink.messages)
    (inbox / "bad_balance_copy.txt").write_text(with_t3_error(seeds[0].read_text(encoding="utf-8")), encoding="utf-8")
    dup = pipeline.settings.archive_path / "duplicates" / "bad_balance_copy.txt"
    wait_until(dup.exists, 30, "duplicate archived")
    assert len(pipeline.reports()) == 6
    with session_scope(pipeline.settings) as s:
        row = crud.source_file(s, sha256=reports["bad_balance.txt"].sha256, name="bad_balance_copy.txt")
        assert isinstance(row, SourceFile) and row.status == "duplicate"
        assert row.report_id == reports["bad_balance.txt"].id
    assert _wait_quiet(pipeline.sink, 2.5) == before
