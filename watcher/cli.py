"""``nianbao watch``: run the inbox watcher in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click


@click.command("watch")
@click.option(
    "--inbox",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory to watch (default: the `inbox` setting). Created when missing.",
)
@click.option(
    "--polling/--no-polling",
    default=None,
    help="Poll the filesystem instead of inotify (network shares). Default: the `polling` setting.",
)
def watch_command(inbox: Path | None, polling: bool | None) -> None:
    """Watch the inbox and enqueue every file once its size and mtime have settled.

    Uses the configured broker (NIANBAO_BROKER_URL / REDIS_URL), or the embedded one under the data
    directory (reused when already running). Ctrl-C or SIGTERM stops it cleanly.
    """
    from watcher.service import run_watcher
    from worker.broker import ensure_broker, stop_broker
    from worker.settings import get_settings

    update: dict[str, object] = {}
    if inbox is not None:
        update["inbox"] = inbox
    if polling is not None:
        update["polling"] = polling
    settings = get_settings().model_copy(update=update)
    settings = settings.model_copy(update={"broker_url": ensure_broker(settings)})

    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        run_watcher(settings, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop_broker()
