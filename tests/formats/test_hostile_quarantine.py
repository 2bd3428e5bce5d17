"""Issue 4 "done means": every hostile file goes through ``ingest_file`` to quarantine with its reason,
and the worker carries on with the next file (real database: DATABASE_URL when set, else SQLite)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.unit.extract.test_safety import HOSTILE, expected_reason
from tests.utils.services import default_database_url, make_settings, migrated  # noqa: F401
from tests.utils.store import quarantined
from worker.ingest import ingest_file

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "formats"


@pytest.mark.integration
def test_hostile_files_are_quarantined_with_their_reason_and_ingest_carries_on(
    tmp_path: Path, default_database_url: str  # noqa: F811
) -> None:
    settings = migrated(make_settings(tmp_path, default_database_url))
    sent: list[tuple[str, list[Any]]] = []
    names = sorted(HOSTILE)
    for i, name in enumerate(names):
        dropped = settings.inbox_path / name
        shutil.copyfile(SAMPLES / name, dropped)
        result = ingest_file(dropped, settings=settings, task_id=f"t{i}", send_task=lambda n, a: sent.append((n, a)))
        assert result.status == "quarantined", name
        assert expected_reason(name) in (result.reason or ""), (name, result.reason)
        held = quarantined(settings.quarantine_path, name)
        assert held is not None, name
        assert expected_reason(name) in held[1].read_text(encoding="utf-8")
    assert [n for n, _ in sent] == ["nianbao.alert_quarantine"] * len(names)
    good = settings.inbox_path / "report.docx"
    shutil.copyfile(SAMPLES / "report_word_textbox.docx", good)
    assert ingest_file(good, settings=settings, task_id="good", send_task=lambda n, a: None).status == "ingested"
