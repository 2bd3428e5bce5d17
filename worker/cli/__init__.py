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

A command's module is imported when the command runs (``_MODULES``), not at start: ``nianbao import`` or
``nianbao status`` do not load the web application, the exports and the registry first (about 2 s on a
slow machine, and, for an import, the pool's wait for its first batch).
"""

from __future__ import annotations

import importlib
import sys

import click

from worker.errors import NianbaoError
from worker.settings import SettingsInvalid

# command name -> the module of worker/cli that defines it (its ``COMMANDS``); imported on first use
_MODULES = {
    "parse": "files", "check": "files",
    "rules": "rules_cmd",
    "run": "pipeline", "worker": "pipeline", "db": "pipeline",
    "reports": "reports_cmd", "show": "reports_cmd",
    "status": "ops", "health": "ops", "alerts": "ops", "flower": "ops",
    "watch": "watch_cmd",
    "web": "web_cmd",
    "bodies": "bodies_cmd",
    "roster": "roster_cmd", "rollup": "roster_cmd",
    "export": "export_cmd",
    "recheck": "recheck_cmd",
    "remind": "remind_cmd",
    "import": "import_cmd",
}  # fmt: skip


class _Group(click.Group):
    """Subcommands loaded on first use (``_MODULES``); our own errors printed as one line with exit 2
    instead of a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _MODULES:
            for command in importlib.import_module(f"worker.cli.{_MODULES[cmd_name]}").COMMANDS:
                self.add_command(command)
        return self.commands.get(cmd_name)

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
