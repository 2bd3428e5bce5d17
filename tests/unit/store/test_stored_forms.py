"""``crud.stored_forms``: the stored JSON leaves fields at their defaults out, and ``load_report`` rebuilds
exactly the parsed report from it (the same model, the same full JSON), for every committed sample and for
generated reports of every outcome."""

from __future__ import annotations

import random
from pathlib import Path

from tests.utils.gen import consistent, random_report
from tests.utils.render_formats import render_text
from worker.parse import parse_text, read_report
from worker.parse.models import Report
from worker.store.crud import CELL_COLUMNS, stored_forms
from worker.store.models import StoredReport

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _reports() -> list[tuple[str, Report]]:
    files = sorted((SAMPLES / "seeds").glob("*.txt")) + sorted(SAMPLES.glob("*.txt"))  # the reports among them
    out = [(str(p.relative_to(SAMPLES)), read_report(p)) for p in files]
    rng = random.Random(7)
    for i in range(30):
        data = random_report(rng)
        out.append((f"generated-{i}", parse_text(render_text(consistent(data) if i % 2 else data))))
    return out


def test_the_stored_json_rebuilds_the_same_report() -> None:
    reports = _reports()
    assert len(reports) > 40
    smaller = 0
    for name, report in reports:
        forms = stored_forms(report)
        back = Report.model_validate_json(forms.report_json)
        assert back == report, name
        assert back.model_dump_json() == report.model_dump_json(), name  # the same types too (0 is not 0.0)
        smaller += len(forms.report_json) < len(report.model_dump_json())
    assert smaller == len(reports)  # every report has fields at their defaults to leave out


def test_the_cell_rows_follow_the_cell_columns() -> None:
    _, report = _reports()[0]
    rows = stored_forms(report).cells
    assert rows and all(len(row) == len(CELL_COLUMNS) - 1 for row in rows)  # all but the leading report_id
    assert set(CELL_COLUMNS) <= set(StoredReport.metadata.tables["cell"].columns.keys())
    applications = {(r, c): raw for t, r, c, _, _, raw, *_ in rows if t == "applications"}
    assert applications == {
        (row, col): cell.raw for row, cols in report.tables.applications.items() for col, cell in cols.items()
    }
