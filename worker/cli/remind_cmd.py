"""``nianbao remind``: send the deadline reminders due today now, in this process (what the beat task does).

``--today`` moves the clock (which step each body is at); ``--dry-run`` lists what is due and what would be
sent without writing or sending anything. Reminders already sent for a body's state and step are never sent
again (worker/alerts/remind.py).
"""

from __future__ import annotations

import datetime as dt
import json

import click

from worker.alerts.actions import days_zh

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("remind")
@click.option("--today", type=_DATE, default=None, help="按此日期判断提醒（默认今天，按 timezone 设置）。")
@click.option("--year", type=int, default=None, help="报告年度（默认今天的上一年）。")
@click.option("--dry-run", is_flag=True, help="只列出应提醒的主体，不发送、不记录。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def remind_command(today: dt.datetime | None, year: int | None, dry_run: bool, as_json: bool) -> None:
    """Remind the bodies that have not sent a passing report, and the office (see docs/registry.md)."""
    from worker.alerts.actions import remind
    from worker.registry.bodies import today_in
    from worker.settings import get_settings
    from worker.store.db import upgrade

    settings = get_settings()
    upgrade(settings)
    day = today.date() if today else today_in(settings.timezone)
    runs = remind(settings, today=day, year=year, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps({"today": day.isoformat(), "dry_run": dry_run, "runs": [r.as_dict() for r in runs]},
                              ensure_ascii=False))  # fmt: skip
        return
    if not runs:
        click.echo(f"{day.isoformat()}：没有需要提醒的主体")
    for run in runs:
        where = run.region or "全部已登记主体"
        click.echo(f"{where} {run.year}年度（{day.isoformat()}）：应提醒 {len(run.due)} 个，新提醒 {len(run.new)} 个")
        new = {d.key for d in run.new}
        for due in run.due:
            entry = due.entry
            mark = "新" if due.key in new else "已提醒"
            click.echo(f"  [{mark}] {entry.body.name}  {entry.state.label_zh}  {days_zh(entry.days_left)}  "
                       f"{'、'.join(entry.body.contact_emails) or '无联系邮箱'}")  # fmt: skip
        if not dry_run:
            click.echo(f"  已发送：主体 {run.body_mails} 封，汇总 {run.summaries} 封；失败 {run.failed}；"
                       f"稍后重试 {run.postponed}")  # fmt: skip


COMMANDS: list[click.Command] = [remind_command]
