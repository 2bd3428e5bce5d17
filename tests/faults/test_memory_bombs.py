"""Issue 10, item 15: a small hostile file costs at most a few hundred MB and ends in quarantine.

Each bomb is generated small on disk and read by ``extract_file`` in a child process under the pool
child's address-space ceiling (``worker.limits.apply_memory_ceiling``); the child reports the reason code,
the zh-CN reason and how much its peak resident size grew. Before the fix these took gigabytes (or 100 s).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.faults.bombs import MB, docx_with_huge_xml, pdf_flate_bomb, pdf_nested_arrays
from worker.app import app
from worker.limits import apply_memory_ceiling
from worker.settings import get_settings

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
BUDGET_MB = 512  # the ceiling above the child's size at start
GROWTH_BOUND_MB = 400  # what a hostile file may add to the peak resident size

_CHILD = """
import json, resource, sys
from pathlib import Path
import worker.extract.registry  # the extractors are loaded before the ceiling, as in a pool child
from worker.errors import ExtractionError
from worker.extract import extract_file
from worker.limits import apply_memory_ceiling
from worker.settings import Settings

apply_memory_ceiling(int(sys.argv[2]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {"code": None, "reason": None}
try:
    extract_file(Path(sys.argv[1]), settings=Settings(max_task_memory_mb=int(sys.argv[2])))
except ExtractionError as exc:
    out = {"code": exc.code, "reason": exc.reason}
out["grew_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(out, ensure_ascii=False))
"""


def extract_limited(path: Path, *, budget_mb: int = BUDGET_MB) -> dict[str, Any]:
    """Run ``extract_file(path)`` in a child with an address-space ceiling; its outcome and memory growth."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(budget_mb)],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.timeout(30)
def test_docx_with_190_mb_of_xml_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = docx_with_huge_xml(tmp_path / "bomb.docx", xml_mb=190)
    assert bomb.stat().st_size < 2 * MB
    started = time.monotonic()
    out = extract_limited(bomb)
    assert time.monotonic() - started < 10
    assert out["code"] == "zip_member_too_large", out
    assert out["reason"].startswith("拒绝处理：word/document.xml 解压后 190 MB"), out
    assert out["grew_mb"] < GROWTH_BOUND_MB, out


@pytest.mark.timeout(30)
def test_docx_with_millions_of_tags_is_refused_before_building_a_tree(tmp_path: Path) -> None:
    bomb = docx_with_huge_xml(tmp_path / "tags.docx", xml_mb=30)  # under the part limit, 4 M tags
    out = extract_limited(bomb)
    assert out["code"] == "xml_too_many_elements", out
    assert "个 XML 标签" in out["reason"]
    assert out["grew_mb"] < GROWTH_BOUND_MB, out


@pytest.mark.timeout(30)
def test_pdf_with_100k_nested_arrays_is_refused(tmp_path: Path) -> None:
    bomb = pdf_nested_arrays(tmp_path / "nested.pdf", depth=100_000)
    assert bomb.stat().st_size < 1 * MB
    out = extract_limited(bomb)
    assert out["code"] == "pdf_too_deep", out
    assert out["reason"] == "拒绝处理 PDF：对象嵌套过深（超过 200 层）"
    assert out["grew_mb"] < GROWTH_BOUND_MB, out


@pytest.mark.timeout(30)
@pytest.mark.parametrize("layers", [1, 2])
def test_pdf_flate_bomb_is_refused_while_inflating(tmp_path: Path, layers: int) -> None:
    bomb = pdf_flate_bomb(tmp_path / "flate.pdf", inflated_mb=1000 if layers == 1 else 200, layers=layers)
    assert bomb.stat().st_size < 1.5 * MB
    started = time.monotonic()
    out = extract_limited(bomb)
    assert time.monotonic() - started < 10
    assert out["code"] == "pdf_stream_too_large", out
    assert out["reason"].startswith("拒绝处理疑似压缩炸弹 PDF：数据流解压后超过"), out
    assert out["grew_mb"] < GROWTH_BOUND_MB, out


@pytest.mark.timeout(30)
def test_pdf_stream_too_big_for_what_is_left_is_stopped_before_pdfium(tmp_path: Path) -> None:
    # under the 48 MB stream limit, but pdfium (which aborts the process when an allocation fails) would
    # outgrow an 80 MB ceiling decoding it: a MemoryError before pdfium opens it, so the child lives
    bomb = pdf_flate_bomb(tmp_path / "big.pdf", inflated_mb=40)
    out = extract_limited(bomb, budget_mb=80)
    assert out["code"] == "out_of_memory", out
    assert out["reason"] == "处理该文件所需内存超过上限（80 MB，max_task_memory_mb），已停止处理"


@pytest.mark.timeout(30)
def test_memory_error_under_the_ceiling_quarantines_with_a_reason(tmp_path: Path) -> None:
    # passes the size and tag limits, but its tree does not fit in a 40 MB budget: the ceiling stops it
    bomb = docx_with_huge_xml(tmp_path / "fat.docx", xml_mb=8)
    out = extract_limited(bomb, budget_mb=40)
    assert out["code"] == "out_of_memory", out
    assert out["reason"] == "处理该文件所需内存超过上限（40 MB，max_task_memory_mb），已停止处理"


def test_a_normal_report_reads_under_the_ceiling() -> None:
    out = extract_limited(ROOT / "tests" / "samples" / "formats" / "report_ruled.pdf")
    assert out["code"] is None, out


def test_the_ceiling_makes_a_large_allocation_fail_and_pool_children_are_recycled() -> None:
    script = (
        "from worker.limits import apply_memory_ceiling\n"
        "apply_memory_ceiling(64)\n"
        "try:\n    bytearray(256 * 1024 * 1024)\nexcept MemoryError:\n    print('refused')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.stdout.strip() == "refused", proc.stderr
    assert apply_memory_ceiling(0) is None
    assert app.conf.worker_max_memory_per_child == get_settings().max_task_memory_mb * 1024 // 2


def test_an_in_process_solo_worker_leaves_its_host_unlimited() -> None:
    # the solo pool sends worker_process_init in the process that started it (tests, embedding programs):
    # that process must keep an unlimited address space, or a browser it starts later cannot reserve its heap
    script = (
        "import resource\n"
        "from celery.contrib.testing.worker import start_worker\n"
        "from worker.app import app\n"
        "app.conf.broker_url = 'memory://'\n"
        "app.conf.result_backend = 'cache+memory://'\n"
        "with start_worker(app, pool='solo', perform_ping_check=False):\n"
        "    print(resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False, timeout=60
    )
    assert proc.stdout.strip().splitlines()[-1:] == ["True"], proc.stderr[-2000:]
