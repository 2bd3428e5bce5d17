"""Issue 10, items 15 and 21: memory bombs go through ``ingest_file`` to quarantine with a zh-CN reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.bombs import docx_with_huge_xml, pdf_flate_bomb, pdf_nested_arrays
from tests.utils.services import default_database_url, make_settings, migrated  # noqa: F401
from worker import spool
from worker.ingest import ingest_file

pytestmark = [pytest.mark.faults, pytest.mark.integration]


@pytest.mark.timeout(60)
def test_bombs_are_quarantined_with_a_chinese_reason(tmp_path: Path, default_database_url: str) -> None:  # noqa: F811
    settings = migrated(make_settings(tmp_path, default_database_url))
    inbox = settings.inbox_path
    bombs = {
        docx_with_huge_xml(inbox / "bomb.docx", xml_mb=190): "拒绝处理：word/document.xml 解压后 190 MB",
        pdf_nested_arrays(inbox / "nested.pdf", depth=100_000): "拒绝处理 PDF：对象嵌套过深",
        pdf_flate_bomb(inbox / "flate.pdf", inflated_mb=300): "拒绝处理疑似压缩炸弹 PDF",
    }
    for i, (path, reason) in enumerate(bombs.items()):
        result = ingest_file(path, settings=settings, task_id=f"b{i}", send_task=lambda n, a: None)
        assert result.status == "quarantined", (path.name, result.reason)
        assert (result.reason or "").startswith(reason), result.reason
        note = spool.note_path(Path(result.destination or "")).read_text(encoding="utf-8")
        assert reason in note
