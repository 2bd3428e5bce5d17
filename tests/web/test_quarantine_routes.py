"""The quarantine page through Starlette's TestClient (SQLite and PostgreSQL), files quarantined by the
real ingest: reasons in Chinese, attempts, download only inside the quarantine folder, re-queue to the
inbox with the ingest task on a real broker, delete with confirmation, viewers refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kombu import Connection
from sqlmodel import select

from tests.web.conftest import web_settings_for
from tests.web.test_review_routes import audit, client_for, login
from worker import tasknames
from worker.ingest import ingest_file
from worker.settings import Settings
from worker.store.db import session_scope
from worker.store.models import QuarantineRecord
from worker.store.web_models import AuditAction

JUNK = b"\x00\xff" * 64


def quarantine(settings: Settings, name: str, content: bytes, **overrides: Any) -> int:
    """Drop ``content`` in the inbox and ingest it for real (with ``overrides`` of the settings)."""
    path = settings.inbox_path / name
    path.write_bytes(content)
    used = settings.model_copy(update=overrides) if overrides else settings
    result = ingest_file(path, settings=used, task_id=f"q-{name}", send_task=lambda _n, _a: None)
    assert result.quarantine_id is not None, result
    return result.quarantine_id


def _records(settings: Settings) -> list[str]:
    with session_scope(settings) as s:
        return [r.name for r in s.exec(select(QuarantineRecord).order_by(QuarantineRecord.id))]  # type: ignore[arg-type]


def test_list_download_and_delete(tmp_path: Path, database_url: str) -> None:
    settings = web_settings_for(tmp_path, database_url)
    junk = quarantine(settings, "乱码<b>.txt", JUNK)
    large = quarantine(settings, "大文件.txt", b"x" * 2048, max_file_mb=0.001)
    operator = client_for(settings)
    csrf = login(operator, "zhang")
    page = operator.get("/quarantine").text
    assert "共 2 个隔离文件" in page and "乱码&lt;b&gt;.txt" in page
    assert "文件超过允许的大小。" in page and "above max_file_mb" in page  # an English reason gets Chinese
    assert "读取文件" in page and page.count('class="requeue"') == 2

    got = operator.get(f"/quarantine/{junk}/download")
    assert got.status_code == 200 and got.content == JUNK
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    with session_scope(settings) as s:  # a path outside the quarantine folder is never served
        row = s.get(QuarantineRecord, large)
        assert row is not None
        row.quarantine_path = str(settings.inbox_path.parent / "elsewhere.txt")
        s.add(row)
    (settings.inbox_path.parent / "elsewhere.txt").write_text("secret")
    assert operator.get(f"/quarantine/{large}/download").status_code == 404

    assert "确认删除" in operator.get(f"/quarantine/{junk}/delete").text
    before = sorted(p.name for p in settings.quarantine_path.iterdir())  # a folder and a note per record
    assert len(before) == 4 and sum(n.endswith(".error.txt") for n in before) == 2
    answer = operator.post(f"/quarantine/{junk}/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert _records(settings) == ["大文件.txt"]  # the file and its note are gone, the other file stays
    left = sorted(settings.quarantine_path.iterdir())  # the other record's folder (with its file) and note
    assert [p.name for p in left] == [f"{left[0].name}", f"{left[0].name}.error.txt"]
    assert [p.name for p in left[0].iterdir()] == ["大文件.txt"]
    assert audit(settings) == [("zhang", AuditAction.QUARANTINE_DELETE, f"quarantine:{junk}", "乱码<b>.txt")]


def test_requeue_moves_the_file_back_and_sends_the_ingest(
    tmp_path: Path, database_url: str, broker_url: str
) -> None:
    settings = web_settings_for(tmp_path, database_url, broker_url=broker_url)
    rid = quarantine(settings, "大文件.txt", b"x" * 2048, max_file_mb=0.001)
    viewer = client_for(settings)
    viewer_csrf = login(viewer, "li")
    listing = viewer.get("/quarantine").text
    assert "下载" in listing and "重新处理</button>" not in listing and "删除" not in listing
    for action in ("requeue", "delete"):
        assert viewer.post(f"/quarantine/{rid}/{action}", data={"csrf_token": viewer_csrf}).status_code == 403
    assert _records(settings) == ["大文件.txt"]

    operator = client_for(settings)
    answer = operator.post(f"/quarantine/{rid}/requeue", data={"csrf_token": login(operator, "zhang")})
    assert "已重新处理：大文件.txt" in answer.text
    assert _records(settings) == [] and list(settings.quarantine_path.iterdir()) == []
    inbox_file = settings.inbox_path / "大文件.txt"
    assert inbox_file.read_bytes() == b"x" * 2048
    with Connection(broker_url) as conn:
        queue = conn.SimpleQueue(settings.task_queue)
        message = queue.get(timeout=10)
        assert message.headers["task"] == tasknames.INGEST
        assert message.decode()[0] == [str(inbox_file)]
        message.ack()
        queue.close()
    assert audit(settings) == [
        ("zhang", AuditAction.QUARANTINE_REQUEUE, f"quarantine:{rid}", f"大文件.txt -> {inbox_file}")
    ]
