"""``nianbao reports`` / ``db`` / ``worker`` as subprocesses, plus the Celery settings derived from ours."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.utils.services import make_settings, migrated, settings_env
from worker.app import celery_config
from worker.errors import ConfigError, RetryableError
from worker.ingest import ingest_file
from worker.settings import get_settings
from worker.tasks import ingest

pytestmark = pytest.mark.integration
EXE = str(Path(sys.executable).with_name("nianbao"))


def _nianbao(settings: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], env=settings_env(settings), capture_output=True, text=True, timeout=60
    )


def test_cli_reports_lists_body_year_template_counts_status(
    tmp_path: Path, default_database_url: str, seeds_dir: Path
) -> None:
    settings = migrated(make_settings(tmp_path, default_database_url))
    seeds = sorted(seeds_dir.glob("*.txt"))
    for seed in (seeds[0], seeds[2]):  # 002 has error findings (FMT_OLD_USED), 000 none
        shutil_path = settings.inbox_path / seed.name
        shutil_path.write_bytes(seed.read_bytes())
        ingest_file(shutil_path, settings=settings, task_id=seed.stem, send_task=lambda *_: None)

    out = _nianbao(settings, "reports", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["file"]: r for r in json.loads(out.stdout)}
    assert set(rows) == {seeds[0].name, seeds[2].name}
    bad, good = rows[seeds[2].name], rows[seeds[0].name]
    assert (bad["year"], bad["template"], bad["status"]) == (2024, "2019", "failed") and bad["errors"] >= 1
    assert (good["year"], good["template"], good["status"]) == (2023, "2021", "ok") and good["errors"] == 0
    assert good["organ"] and good["warnings"] >= 1

    failed = json.loads(_nianbao(settings, "reports", "--failed", "--json").stdout)
    assert [r["file"] for r in failed] == [seeds[2].name]
    table = _nianbao(settings, "reports").stdout.splitlines()
    assert table[0].split() == ["编号", "报告主体", "年度", "格式版本", "错误", "警告", "状态", "文件"]
    assert any(seeds[2].name in line and "未通过" in line and "2024" in line for line in table[1:])


def test_cli_db_upgrade_and_current(tmp_path: Path, default_database_url: str) -> None:
    settings = make_settings(tmp_path, default_database_url)
    assert _nianbao(settings, "db", "current").stdout.strip() == "(empty)"
    up = _nianbao(settings, "db", "upgrade")
    assert up.returncode == 0, up.stderr
    head = _nianbao(settings, "db", "current").stdout.strip()
    assert head and head != "(empty)" and head in up.stdout


def test_cli_worker_refuses_without_a_broker(tmp_path: Path) -> None:
    import tempfile

    settings = make_settings(
        tmp_path, f"sqlite:///{tmp_path / 'x.sqlite'}", None, data_dir=Path(tempfile.mkdtemp())
    )
    res = _nianbao(settings, "worker")
    assert res.returncode == 2
    assert "broker does not answer" in res.stderr and "nianbao run" in res.stderr


def test_celery_config_delivery_guarantees(tmp_path: Path) -> None:
    conf = celery_config(
        make_settings(tmp_path, "sqlite://", "redis://127.0.0.1:6379/0", visibility_timeout=600)
    )
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1
    assert conf["task_soft_time_limit"] < conf["task_time_limit"] < 600
    for key in ("broker_transport_options", "result_backend_transport_options"):
        assert conf[key]["visibility_timeout"] == 600
    assert conf["result_backend"] == conf["broker_url"] == "redis://127.0.0.1:6379/0"
    assert conf["worker_send_task_events"] and conf["task_send_sent_event"]
    assert conf["task_serializer"] == "json" and conf["accept_content"] == ["json"]


def test_celery_config_rejects_time_limits_above_visibility(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="visibility_timeout"):
        celery_config(make_settings(tmp_path, "sqlite://", None, time_limit=4000, visibility_timeout=3600))


def test_ingest_retries_with_backoff_from_settings() -> None:
    from worker.tasks import retry_plan

    settings = get_settings().model_copy(update={"retry_jitter": False})
    assert ingest.max_retries is None  # the cap depends on the cause (tests/faults/test_ingest_faults.py)
    base = settings.retry_backoff
    plans = [retry_plan(RetryableError("changing"), n, settings) for n in range(4)]
    assert [p.countdown for p in plans] == [base, 2 * base, 4 * base, 8 * base]
    assert all(p.max_retries == settings.retry_max for p in plans)
    capped = retry_plan(RetryableError("changing"), 30, settings).countdown
    assert capped == min(settings.retry_backoff_max, settings.visibility_timeout - settings.time_limit - 30)
    jittered = get_settings().model_copy(update={"retry_jitter": True})
    samples = {retry_plan(RetryableError("x"), 3, jittered).countdown for _ in range(50)}
    assert all(0 <= s <= 8 * base for s in samples) and len(samples) > 1


def test_cli_concurrent_upgrades_on_a_fresh_database(tmp_path: Path, database_url: str) -> None:
    # several workers starting at once must not fail with "table already exists"
    settings = make_settings(tmp_path, database_url)
    procs = [
        subprocess.Popen(
            [EXE, "db", "upgrade"], env=settings_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=90), p.stderr.read().decode() if p.stderr else "") for p in procs]
    assert all(code == 0 for code, _ in results), results
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()
