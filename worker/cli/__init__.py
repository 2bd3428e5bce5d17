"""The one ``nianbao`` command. Exit codes: 0 ok, 1 error findings, 2 the file or service could not be used.

Subcommands live in sibling modules, one concern each:
    files.py     parse, check            (no queue; work on files directly)
    rules_cmd.py rules list / explain
    pipeline.py  run, worker, db
    reports_cmd.py reports, show     (stored reports, through the read layer worker/store/queries)
    ops.py       status, health, alerts test, flower
    watch_cmd.py watch (from the watcher package)
    web_cmd.py   web, web hash-password
    bodies_cmd.py bodies import / export / list / match / unmatched / resolve  (registry of bodies)
    roster_cmd.py roster, rollup        (who has reported; the region's sums)
    export_cmd.py export reports / findings / roster / rollup  (XLSX / CSV)
    recheck_cmd.py recheck            (re-check stored reports as Celery tasks)
    remind_cmd.py remind                (deadline reminders, also run daily by Celery beat)
    import_cmd.py import                (backfill a folder through the workers, in batches)
"""

from __future__ import annotations

import sys

import click

from worker.errors import NianbaoError
from worker.settings import SettingsInvalid


class _Group(click.Group):
    """Print our own errors as one line and exit 2 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SettingsInvalid as exc:
            click.echo(exc.one_line(), err=True)
            sys.exit(2)
        except NianbaoError as exc:
            click.echo(f"{type(exc).__name__}: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nianbao")
def main() -> None:
    """nianbao: ingest, parse and check 政府信息公开工作年度报告."""
    from worker.logging import configure_logging
    from worker.settings import get_settings

    configure_logging(get_settings().log_level)


def _register() -> None:
    from worker.cli import (
        bodies_cmd,
        export_cmd,
        files,
        import_cmd,
        ops,
        pipeline,
        recheck_cmd,
        remind_cmd,
        reports_cmd,
        roster_cmd,
        rules_cmd,
        watch_cmd,
        web_cmd,
    )

    modules = (
        files,
        rules_cmd,
        pipeline,
        reports_cmd,
        ops,
        watch_cmd,
        web_cmd,
        bodies_cmd,
        roster_cmd,
        export_cmd,
        recheck_cmd,
        remind_cmd,
        import_cmd,
    )
    for module in modules:
        for command in module.COMMANDS:
            main.add_command(command)


_register()
