"""Quarantine re-queue and a re-check run in a real browser against a real worker (``nianbao worker``):
a file quarantined as too large goes back to the inbox and is stored; a re-check of every stored report
shows its progress complete on the operations page (static/ops.js polling)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import func, select

from tests.utils.services import WorkerProcess, wait_until
from tests.utils.stored import SEEDS_DIR
from tests.web.conftest import Visit, web_settings_for
from tests.web.test_quarantine_routes import quarantine
from tests.web.test_review_browser import ingest_seed
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.models import QuarantineRecord, StoredReport


@pytest.fixture
def web_settings(tmp_path: Path, default_database_url: str, broker_url: str) -> Settings:
    return web_settings_for(tmp_path, default_database_url, broker_url=broker_url, alerts_enabled=False)


@pytest.fixture
def worker(web_settings: Settings, tmp_path: Path) -> Iterator[WorkerProcess]:
    process = WorkerProcess(web_settings, tmp_path / "worker.log", concurrency=1)
    yield process
    process.stop()


def _count(settings: Settings, table: type) -> int:
    with session_scope(settings) as s:
        return int(s.exec(select(func.count()).select_from(table)).one())


def test_requeue_and_recheck_with_a_real_worker(
    visit: Visit, web_settings: Settings, worker: WorkerProcess
) -> None:
    ingest_seed(web_settings, "000", "南口镇年报.txt")
    ingest_seed(web_settings, "001", "石门镇年报.txt")
    seed = next(SEEDS_DIR.glob("004_*.txt")).read_bytes()
    quarantine(web_settings, "马山口镇年报.txt", seed, max_file_mb=0.001)  # the limit was raised since

    visit.login("zhang")
    visit.goto("/quarantine")
    assert "文件超过允许的大小" in visit.page.inner_text("main")
    visit.screenshot("quarantine-list")
    visit.page.click("button.requeue")
    visit.page.wait_for_url(visit.base + "/quarantine")
    assert "已重新处理：马山口镇年报.txt" in visit.page.inner_text("main")
    try:
        wait_until(lambda: _count(web_settings, StoredReport) == 3, 60, "the re-queued file stored")
    except AssertionError:
        print(worker.output())
        raise
    assert _count(web_settings, QuarantineRecord) == 0
    visit.goto("/quarantine")
    assert "隔离区为空" in visit.page.inner_text("main")

    visit.goto("/ops")
    visit.page.click("button.recheck-start")
    visit.page.wait_for_url(visit.base + "/ops")
    assert "已开始重新校验" in visit.page.inner_text("main")
    try:
        visit.page.wait_for_selector("#recheck-1[data-state='done']", timeout=60_000)  # updated by ops.js
    except Exception:
        print(worker.output())
        raise
    row = visit.page.inner_text("#recheck-1")
    assert "3 / 3" in row and "已完成" in row
    visit.screenshot("ops")
