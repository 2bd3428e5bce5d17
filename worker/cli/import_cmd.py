"""``nianbao import DIR``: backfill a folder of reports through the workers, in batches (worker/backfill.py)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from worker.settings import Settings, get_settings

PROBLEM_ZH = {"quarantined": "隔离", "failed": "失败"}


def _inside(path: Path, root: Path) -> bool:
    path, root = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return path == root or root in path.parents


def _refusal(directory: Path, settings: Settings) -> str | None:
    if _inside(directory, settings.inbox_path):
        return f"{directory} 在收件目录 {settings.inbox_path} 内：其中的文件由监视程序处理，无需导入"
    if _inside(directory, settings.data_dir):
        return f"{directory} 在数据目录 {settings.data_dir} 内（归档、隔离、处理中的文件不能再导入）"
    return None


@click.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--batch-size", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="每个任务处理的文件数。")  # fmt: skip
@click.option("--no-alerts", is_flag=True, help="不为这些报告发送告警邮件（补录往年报告时）。")
@click.option("--no-wait", is_flag=True, help="排队后立即返回；进度见 nianbao status。")
@click.option("--stall-timeout", type=float, default=600.0, show_default=True,
              help="等待时若这么多秒没有任何文件完成，则停止等待（任务仍在队列中）。")  # fmt: skip
def import_command(directory: Path, batch_size: int, no_alerts: bool, no_wait: bool, stall_timeout: float) -> None:
    """批量导入文件夹 DIRECTORY 中的报告（含子文件夹），由 worker 分批处理。

    \b
    复制，不移动：原文件夹保持不变（可再次运行）；每个文件复制到收件目录下的
    隐藏文件夹 .nianbao-import/，再按批（默认每批 50 个）交给 worker，结果与放入收件目录相同：
    入库后归档到 archive/，重复内容到 archive/duplicates/，无法使用的文件隔离并说明原因。
    子文件夹按收件目录的子文件夹对待（例如 福建省/三明市/将乐县/ 指明地区）。
    已处理过的文件（同一内容、同一文件名）不再导入：同一文件夹导入两次，不会重复入库。
    需要消息队列和至少一个 worker（nianbao run 或 nianbao worker）。
    退出码：0 全部入库（或为重复文件）；2 有文件被隔离或失败，或消息队列不可用、等待超时。
    """
    from worker import backfill, tasknames
    from worker.app import app, broker_url_for
    from worker.broker import ping_url
    from worker.store.db import upgrade

    settings = get_settings()
    refused = _refusal(directory, settings)
    if refused:
        click.echo(refused, err=True)
        sys.exit(2)
    if not ping_url(broker_url_for(settings)):
        click.echo("消息队列不可用（nianbao run 会启动一个，或设置 REDIS_URL）", err=True)
        sys.exit(2)
    upgrade(settings)
    paths = backfill.scan(directory, settings)
    with click.progressbar(paths, label="检查文件", show_pos=True) as bar:
        sources = list(backfill.describe(list(bar), directory))
    done_before = backfill.known(settings, sources)
    todo = [s for s in sources if s.sha256 is None or (s.sha256, s.name) not in done_before]
    skipped = len(sources) - len(todo)
    click.echo(f"{directory}：{len(sources)} 个文件，其中 {skipped} 个此前已导入（跳过），导入 {len(todo)} 个")
    if not todo:
        return
    import_id = backfill.new_import_id()
    backfill.start_progress(settings, import_id, source=str(directory), total=len(todo), skipped=skipped)
    groups = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
    with click.progressbar(groups, label="复制并排队", show_pos=True) as bar:
        for group in bar:
            items = backfill.stage(settings, import_id, group)
            if settings.relays_files:  # workers on other hosts: each file through the database (worker/relay)
                _submit(settings, items, import_id, alerts=not no_alerts)
                continue
            app.send_task(tasknames.INGEST_BATCH, args=[items, import_id, not no_alerts],
                          queue=settings.task_queue, ignore_result=True)  # fmt: skip
    click.echo(f"导入 {import_id}：{len(todo)} 个文件，{len(groups)} 批已排队")
    if no_wait:
        click.echo("进度：nianbao status")
        return
    finished = _wait(settings, import_id, len(todo), stall_timeout)
    sys.exit(_summary(settings, import_id, finished))


def _wait(settings: Settings, import_id: str, total: int, stall_timeout: float) -> bool:
    """Draw the progress bar until every file is counted; False when nothing finished for ``stall_timeout``."""
    from worker import backfill

    shown, last_change = 0, time.monotonic()
    with click.progressbar(length=total, label="导入中", show_pos=True, show_percent=True) as bar:
        while shown < total:
            progress = backfill.get_progress(settings, import_id)
            done = progress.done if progress else shown
            if done > shown:
                bar.update(done - shown)
                shown, last_change = done, time.monotonic()
            elif time.monotonic() - last_change > stall_timeout:
                return False
            else:
                time.sleep(0.5)
    return True


def _summary(settings: Settings, import_id: str, finished: bool) -> int:
    from worker import backfill

    progress = backfill.get_progress(settings, import_id)
    if progress is None:
        click.echo(f"导入 {import_id} 的进度记录已不存在", err=True)
        return 2
    c = progress.counts
    click.echo(
        f"{'导入完成' if finished else '仍未完成'}：{progress.done}/{progress.total} 个文件，入库 {c['ingested']}，"
        f"重复文件 {c['duplicate']}，隔离 {c['quarantined']}，失败 {c['failed']}"
        + (f"，由其他任务完成 {c['gone']}" if c["gone"] else "")
    )
    for outcome, name, reason in backfill.problems(settings, import_id):
        click.echo(f"  {PROBLEM_ZH.get(outcome, outcome)}  {name}：{reason}")
    if not finished:
        click.echo("等待超时：其余文件仍在队列或处理中（是否有 worker 在运行？）；进度见 nianbao status", err=True)
        return 2
    return 2 if c["quarantined"] or c["failed"] else 0


def _submit(settings: Settings, items: list[list[str]], import_id: str, *, alerts: bool) -> None:
    """Hand staged files to the workers through the database; ``nianbao run``/``watch`` places them after."""
    from worker import backfill
    from worker.app import app
    from worker.ingest import Outcome
    from worker.relay import check
    from worker.relay.inbox_side import submit

    check(settings)

    def send_task(name: str, args: list[Any]) -> None:
        app.send_task(name, args=args, queue=settings.task_queue, ignore_result=True)

    for staged, original in items:
        result = submit(Path(staged), settings, send_task, original=original, alerts=alerts, import_id=import_id)
        if result.status is Outcome.QUARANTINED:  # refused before any worker saw it (a link, too large)
            backfill.count_file(settings, import_id, original, result.status.value, result.reason)


COMMANDS = [import_command]

