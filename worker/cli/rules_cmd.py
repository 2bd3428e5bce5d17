"""CLI commands (see worker/cli/__init__.py for the map)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
