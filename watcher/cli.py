"""`nianbao watch` (implemented by the watcher work)."""

from __future__ import annotations

import click


@click.command("watch")
def watch_command() -> None:
    """Watch the inbox and enqueue stable files (not implemented yet)."""
    raise click.ClickException("watch: not implemented yet")
