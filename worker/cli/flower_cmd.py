"""``nianbao flower``: Flower on the configured broker, with no secret on its command line.

The broker URL and the basic-auth credentials go to Flower through its environment (``NIANBAO_BROKER_URL``,
``FLOWER_BASIC_AUTH``), never ``argv``. Flower runs through worker/cli/flower_main.py, which puts its
Prometheus ``/metrics`` behind the same basic auth as every other page.
"""

from __future__ import annotations

import os
import sys

import click

from worker.errors import ConfigError
from worker.settings import Settings, get_settings

LOCAL_ADDRESSES = {"127.0.0.1", "localhost", "::1"}


def flower_argv(settings: Settings, *, address: str, port: int, extra: tuple[str, ...] = ()) -> tuple[list[str], dict[str, str]]:
    """The Flower command line and environment; refuses a non-local bind without basic auth.

    Raises:
        ConfigError: bound beyond localhost without ``flower_basic_auth``, or malformed credentials.
    """
    auth = settings.flower_basic_auth.get_secret_value() if settings.flower_basic_auth else None
    if auth is not None and (":" not in auth or not auth.split(":", 1)[0] or not auth.split(":", 1)[1]):
        raise ConfigError("flower_basic_auth must be 'user:password'")
    if auth is not None and not auth.isascii():
        # Flower 2.2 compares credentials with hmac.compare_digest on str: non-ASCII answers 500 to everyone
        raise ConfigError("flower_basic_auth must be ASCII (Flower cannot compare non-ASCII credentials)")
    if address not in LOCAL_ADDRESSES and not auth:
        raise ConfigError(f"refusing to start Flower on {address} without NIANBAO_FLOWER_BASIC_AUTH=user:password")
    from worker.app import broker_url_for

    url = broker_url_for(settings)
    env = dict(os.environ)
    env["NIANBAO_BROKER_URL"] = url
    if auth:
        env["FLOWER_BASIC_AUTH"] = auth  # not on the command line: argv is visible to every local user
    else:
        env["FLOWER_UNAUTHENTICATED_API"] = "true"  # loopback only (checked above)
    # the broker URL (it may hold a password) reaches Flower through the environment only: worker.app reads
    # NIANBAO_BROKER_URL; argv is visible to every local user in /proc/<pid>/cmdline
    argv = [sys.executable, "-m", "worker.cli.flower_main", "-A", "worker.app", "flower",
            f"--address={address}", f"--port={port}", *extra]
    return argv, env


@click.command("flower", context_settings={"ignore_unknown_options": True})
@click.option("--address", default=None, help="Bind address (default: flower_address).")
@click.option("--port", type=int, default=None, help="Port (default: flower_port).")
@click.argument("flower_args", nargs=-1, type=click.UNPROCESSED)
def flower_command(address: str | None, port: int | None, flower_args: tuple[str, ...]) -> None:
    """Run Flower on the configured broker (basic auth required unless bound to localhost)."""
    from worker.broker import ping_url

    settings = get_settings()
    argv, env = flower_argv(settings, address=address or settings.flower_address, port=port or settings.flower_port,
                            extra=flower_args)
    if not ping_url(env["NIANBAO_BROKER_URL"]):
        raise ConfigError("broker does not answer (start `nianbao run`, or set NIANBAO_BROKER_URL / REDIS_URL)")
    os.execve(argv[0], argv, env)




__all__ = ["LOCAL_ADDRESSES", "flower_argv", "flower_command"]
