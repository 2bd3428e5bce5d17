"""A burst of failing reports through the whole pipeline (watcher, ``nianbao worker`` subprocess, real SMTP)
yields one digest per recipient, not one mail per report; ``nianbao status`` counts what ran."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.utils.services import WorkerProcess, make_settings, migrated, wait_until
from tests.utils.smtp import SmtpSink

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(180)]
N = 12


def failing_variant(seed_000: Path, k: int) -> str:
    """Seed 000 with ``k`` new applications from natural persons (and in the total): T3_BALANCE breaks."""
    lines = seed_000.read_text(encoding="utf-8").splitlines()
    label = next(i for i, line in enumerate(lines) if "本年新收政府信息公开申请数量" in line)
    values = [i for i in range(label + 1, label + 12) if lines[i].strip().isdigit()][:7]
    assert len(values) == 7, "seed 000 layout changed"
    for i in (values[0], values[6]):
        lines[i] = lines[i].replace("0", str(k))
    return "\n".join(lines) + "\n"


def _settled(settings: object, count: int) -> bool:
    from sqlmodel import select

    from worker.store.db import session_scope
    from worker.store.ops_models import AlertLedger

    with session_scope(settings) as s:  # type: ignore[arg-type]
        rows = s.exec(select(AlertLedger)).all()
    return len(rows) == count and all(r.status in ("sent", "digested") for r in rows)


def test_burst_through_pipeline_yields_digests(
    tmp_path: Path, default_database_url: str, broker_url: str, smtp_sink: SmtpSink, seeds_dir: Path
) -> None:
    from watcher import run_watcher
    from worker.cli.ops import collect_status

    rcpts = ["zwgk@example.gov.cn", "lead@example.gov.cn"]
    settings = migrated(
        make_settings(
            tmp_path,
            default_database_url,
            broker_url,
            stable_seconds=0.3,
            rescan_interval=2.0,
            smtp_port=smtp_sink.port,
            digest_window_seconds=8,
            digest_threshold=5,
            alert_recipients=rcpts,
        )
    )
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    stop = threading.Event()
    watcher = threading.Thread(target=run_watcher, args=(settings, stop), daemon=True)
    watcher.start()
    seed = sorted(seeds_dir.glob("000_*.txt"))[0]
    try:
        for k in range(1, N + 1):
            (settings.inbox_path / f"乡镇{k:02d}.txt").write_text(failing_variant(seed, k), encoding="utf-8")
        wait_until(lambda: _settled(settings, 2 * N), 90, f"{2 * N} alerts delivered")
        time.sleep(1.0)  # nothing else may follow
        msgs = list(smtp_sink.messages)
    except AssertionError:
        print(worker.output())
        raise
    finally:
        stop.set()
        watcher.join(timeout=10)
        worker.stop()

    # normally one digest per recipient; on a slow machine the burst may straddle two windows, but each
    # report is still named exactly once per recipient, and far fewer mails than reports go out
    for rcpt in rcpts:
        mine = [m for m, e in zip(msgs, smtp_sink.envelopes, strict=True) if e["to"] == [rcpt]]
        subjects = [str(m["Subject"]) for m in mine]
        assert 1 <= len(mine) <= N // 2, subjects
        assert any(sub.startswith("【年报校验汇总】") for sub in subjects), subjects
        texts = "\n".join(m.get_body(("plain",)).get_content() for m in mine)
        assert all(texts.count(f"乡镇{k:02d}.txt") == 1 for k in range(1, N + 1)), texts

    st = wait_until(
        lambda: (s := collect_status(settings))["last_hour"]["ingest_succeeded"] >= N and s,
        20,
        "task runs of the ingests",
    )
    assert st["errors"] == {}
    assert st["last_hour"]["reports_failed_checks"] == N
    assert st["alerts"]["due"] == 0 and st["alerts"]["failed"] == 0
    assert "digest" in {d["kind"] for d in st["alerts"]["recent"]}
