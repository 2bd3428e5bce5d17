"""`nianbao watch` lives in the watcher package, which never imports the parsing code."""

from __future__ import annotations

import click

from watcher.cli import watch_command

COMMANDS: list[click.Command] = [watch_command]
