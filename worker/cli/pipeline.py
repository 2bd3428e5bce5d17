"""``nianbao run``, ``nianbao worker``, ``nianbao db upgrade``."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from worker import relay
from worker.errors import ConfigError
from worker.logging import get_logger
from worker.settings import Settings, get_settings

log = get_logger(__name__)


def _pdeathsig() -> None:
    """In the child: get SIGTERM when the parent dies, so a killed ``nianbao run`` leaves no orphans."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    os.setsid()


def worker_argv(
    settings: Settings, *, concurrency: int | None = None, extra: tuple[str, ...] = (), beat: bool = False
) -> list[str]:
    """The Celery worker command line for these settings (``beat``: with an embedded Celery beat, for ``run``).

    The node name is ``nianbao-<pid>@<host>`` (the pid of this supervising process) unless ``extra`` names one
    with ``-n``/``--hostname``: two workers on one host must not both be ``celery@<host>``.
    """
    named = any(a in ("-n", "--hostname") or a.startswith(("-n", "--hostname=")) for a in extra)
    node = [] if named else ["--hostname", f"nianbao-{os.getpid()}@%h"]
    schedule = ["--beat", "--schedule", str(settings.data_dir / "celerybeat-schedule")] if beat else []
    return [
        sys.executable, "-m", "celery", "-A", "worker.app", "worker",
        "--concurrency", str(concurrency or settings.worker_concurrency),
        "--queues", settings.task_queue,
        "--loglevel", settings.log_level.upper(),
        "--without-gossip", "--without-mingle",
        *node,
        *schedule,
        *extra,
    ]  # fmt: skip


def _broker_for_worker(settings: Settings) -> str:
    """Workers never start a server: the configured one, or the embedded one of a running ``nianbao run``."""
    from worker.app import broker_url_for
    from worker.broker import ping_url

    url = broker_url_for(settings)
    if not ping_url(url):
        hint = "" if settings.broker_url else " (start `nianbao run`, or set NIANBAO_BROKER_URL / REDIS_URL)"
        raise ConfigError(f"broker does not answer: {url.split('@')[-1]}{hint}")
    return url


@click.command("worker")
@click.option(
    "-c", "--concurrency", type=int, default=None, help="Pool processes (default: worker_concurrency)."
)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker_command(concurrency: int | None, celery_args: tuple[str, ...]) -> None:
    """Migrate the database, then run a Celery worker on the configured broker (extra args go to celery)."""
    from worker.rules import validate_severity_overrides
    from worker.store.db import upgrade

    settings = get_settings()
    validate_severity_overrides(settings.rule_severity)
    relay.check(settings)  # file_store = "database" needs PostgreSQL
    url = _broker_for_worker(settings)
    upgrade(settings)
    os.environ["NIANBAO_BROKER_URL"] = url
    argv = worker_argv(settings, concurrency=concurrency, extra=celery_args)
    sup = _Supervisor(settings, dict(os.environ), argv=argv)
    previous = {sig: signal.signal(sig, lambda *_: sup.stop_event.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        sup.start_worker()  # supervised as in `nianbao run`: a worker that exits is started again
        sup.loop()
    finally:
        sup.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if sup.failed:
        sys.exit(1)


class _Supervisor:
    """Runs the Celery worker subprocess (and, for ``nianbao run``, the watcher thread) until told to stop.

    A worker process that exits is started again (at most 5 times a minute); e.g. Celery's main process
    exits with ``WorkerLostError('Could not start worker processes')`` when a pool child dies at start. A
    worker that stops answering pings while the broker answers is killed and started again
    (``worker.liveness``).
    """

    def __init__(self, settings: Settings, env: dict[str, str], *, argv: list[str] | None = None) -> None:
        self.settings = settings
        self.env = env
        self.argv = argv or worker_argv(settings, beat=True)  # `run`: with Celery beat (reminders, docs/registry.md)
        self.stop_event = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None
        self.watcher: threading.Thread | None = None
        self.failed = False

    def start_worker(self) -> None:
        self.proc = subprocess.Popen(self.argv, env=self.env, preexec_fn=_pdeathsig)  # noqa: PLW1509
        log.info("worker_started", pid=self.proc.pid, argv=self.argv[3:])

    def start_watcher(self) -> None:
        try:
            from watcher import run_watcher
        except ImportError as exc:
            raise ConfigError(f"the watcher package is not available: {exc}") from exc

        def target() -> None:
            try:
                run_watcher(self.settings, self.stop_event)
            except Exception as exc:
                log.error("watcher_crashed", error=f"{type(exc).__name__}: {exc}")
                self.failed = True
                self.stop_event.set()

        self.watcher = threading.Thread(target=target, name="watcher", daemon=True)
        self.watcher.start()

    def loop(self) -> None:
        from worker import sweep
        from worker.app import app, broker_url_for
        from worker.liveness import Liveness, node_name

        liveness = Liveness(app, broker_url_for(self.settings), node_name(self.argv),
                            interval=self.settings.worker_ping_interval)  # fmt: skip
        restarts: list[float] = []
        next_sweep = time.monotonic() + self.settings.rescan_interval
        while not self.stop_event.wait(0.5):
            if time.monotonic() >= next_sweep:  # files whose task was lost (e.g. a broker without AOF)
                next_sweep = time.monotonic() + self.settings.rescan_interval
                try:
                    sweep.run(self.settings, lambda name, args: app.send_task(name, args=args))
                except Exception as exc:  # the broker may be restarting: try again next round
                    log.warning("orphan_sweep_failed", error=str(exc))
            if self.proc is not None and self.proc.poll() is None and liveness.check():
                log.error("worker_unresponsive_restarted", pid=self.proc.pid)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: the pool goes with it
                self.proc.wait()
            if self.proc is not None and self.proc.poll() is not None:
                log.error("worker_exited", code=self.proc.returncode)
                restarts = [t for t in restarts if time.monotonic() - t < 60] + [time.monotonic()]
                if len(restarts) > 5:
                    self.failed = True
                    return
                self.start_worker()
                liveness.started()

    def stop(self) -> None:
        self.stop_event.set()
        if self.watcher is not None:
            self.watcher.join(timeout=10)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # warm shutdown: running tasks finish (or are redelivered later)
            try:
                self.proc.wait(timeout=self.settings.time_limit + 5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc is not None:
            try:  # pool children of a killed worker
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


@click.command("run")
@click.option(
    "--inbox", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder to watch."
)
def run_command(inbox: Path | None) -> None:
    """Start broker (embedded unless configured), migrations, one worker and the watcher; Ctrl-C stops all."""
    from worker.broker import ensure_broker, stop_broker
    from worker.store.db import upgrade

    if inbox is not None:
        os.environ["NIANBAO_INBOX"] = str(inbox.resolve())
    get_settings.cache_clear()
    settings = get_settings()
    settings.inbox_path.mkdir(parents=True, exist_ok=True)
    from worker.rules import validate_severity_overrides

    validate_severity_overrides(settings.rule_severity)  # a typo in config fails now, not per file
    relay.check(settings)
    url = ensure_broker(settings)
    sup: _Supervisor | None = None
    previous: dict[signal.Signals, Any] = {}
    try:
        upgrade(settings)
        env = dict(os.environ, NIANBAO_BROKER_URL=url, NIANBAO_INBOX=str(settings.inbox_path))
        os.environ["NIANBAO_BROKER_URL"] = url
        settings = settings.model_copy(update={"broker_url": url})  # the watcher thread uses the same broker
        sup = supervisor = _Supervisor(settings, env)
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: supervisor.stop_event.set())
        # import Celery here, before the watcher thread does: celery's lazy top-level module is not
        # thread-safe to import from two threads at once ("cannot import name 'Celery' from 'celery'")
        import worker.app  # noqa: F401

        sup.start_worker()
        sup.start_watcher()
        from worker.cli.web_cmd import start_beside_run

        start_beside_run(settings)  # the web application on 127.0.0.1:web_port (docs/web.md)
        log.info("run_started", inbox=str(settings.inbox_path), broker=url.split("@")[-1])
        sup.loop()
    finally:
        if sup is not None:
            sup.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop_broker()
        log.info("run_stopped")
    if sup is not None and sup.failed:
        sys.exit(1)


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations)."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to the configured database."""
    from worker.store.db import current_revision, upgrade

    upgrade()
    click.echo(f"database at revision {current_revision()}")


@db_group.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    from worker.store.db import current_revision

    click.echo(current_revision() or "(empty)")


COMMANDS: list[click.Command] = [run_command, worker_command, db_group]
