"""``nianbao web`` (serve the web application) and ``nianbao web hash-password``; see docs/web.md."""

from __future__ import annotations

import click

from worker.settings import Settings, get_settings


@click.group("web", invoke_without_command=True)
@click.option("--address", default=None, help="Bind address (default: web_address, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: web_port, 8000).")
@click.pass_context
def web_group(ctx: click.Context, address: str | None, port: int | None) -> None:
    """Serve the web application (login required unless on 127.0.0.1 without web_users)."""
    if ctx.invoked_subcommand is not None:
        return
    from worker.store.db import upgrade
    from worker.web.auth import check_bind
    from worker.web.server import serve, url_of

    settings = get_settings()
    address = address or settings.web_address
    port = port if port is not None else settings.web_port
    check_bind(settings, address)  # before touching the database: a refused start changes nothing
    upgrade(settings)
    click.echo(f"web: {url_of(address, port)}")
    click.echo(alert_links(settings))
    serve(settings, address=address, port=port)


@web_group.command("hash-password")
@click.option(
    "--password", prompt="密码", hide_input=True, confirmation_prompt="再次输入密码",
    help="The password (prompted, hidden, when not given).",
)  # fmt: skip
def hash_password_command(password: str) -> None:
    """Print the hash of a password, to paste as web_users[].password_hash."""
    from worker.web.auth import hash_password

    if not password:
        raise click.BadParameter("the password must not be empty", param_hint="--password")
    click.echo(hash_password(password))


def start_beside_run(settings: Settings) -> None:
    """Serve the web application on 127.0.0.1:``web_port`` from ``nianbao run`` and print its URL."""
    from worker.web.server import start_with_run

    web = start_with_run(settings)
    if web is not None:
        click.echo(f"web: {web.url}")
        click.echo(alert_links(settings))


def alert_links(settings: Settings) -> str:
    """The line saying where alert mails link a report (``public_base_url``), or how to make them link it."""
    base = settings.public_base_url.rstrip("/")
    if base:
        return f"alert mails link: {base}/reports/<id>"
    return "alert mails link no page: set public_base_url to the address people open (docs/web.md)"


COMMANDS: list[click.Command] = [web_group]
