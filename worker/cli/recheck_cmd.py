"""``nianbao recheck``: re-check stored reports with the current rules (the operations page's action).

Enqueues the same ``nianbao.recheck`` tasks as the page (worker/recheck.py); the workers do the work and
the page (or ``nianbao recheck --status``) shows the progress.
"""

from __future__ import annotations

import sys

import click

from worker.settings import get_settings


@click.command("recheck")
@click.option("--year", type=click.IntRange(1990, 2100), default=None, help="Only reports of this year.")
@click.option("--region", "region", default=None, metavar="PREFIX",
              help="Only bodies under this administrative path, e.g. 福建省/三明市.")  # fmt: skip
@click.option(
    "--status", "status_of", type=int, default=None, metavar="RUN", help="Show the progress of a run."
)
def recheck(year: int | None, region: str | None, status_of: int | None) -> None:
    """Re-check stored reports with the current rules and severity overrides (as Celery tasks)."""
    from worker.recheck import RecheckNotQueued, start_recheck, task_sender
    from worker.store import queries
    from worker.store.db import session_scope, upgrade

    settings = get_settings()
    upgrade(settings)
    if status_of is not None:
        with session_scope(settings) as session:
            run = queries.get_recheck_run(session, status_of)
        if run is None:
            click.echo(f"no re-check run {status_of}", err=True)
            sys.exit(2)
        click.echo(f"run {run.id}: {run.state}, {run.finished}/{run.total} re-checked, {run.failed} failed")
        return
    try:
        run_id = start_recheck(
            settings, task_sender(settings), year=year, path_prefix=region, requested_by="cli"
        )
    except RecheckNotQueued as exc:
        click.echo(f"{exc} (is the broker running? `nianbao run` starts one)", err=True)
        sys.exit(2)
    with session_scope(settings) as session:
        run = queries.get_recheck_run(session, run_id)
    total = run.total if run else 0
    click.echo(
        f"re-check run {run_id}: {total} report(s) queued; progress: nianbao recheck --status {run_id}"
    )


COMMANDS = [recheck]
