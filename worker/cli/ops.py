"""``nianbao status``, ``nianbao health``, ``nianbao alerts test|flush``, ``nianbao flower``.

``status`` reads our own tables (task runs, reports, quarantine, alert deliveries) and the broker, not
Flower's memory; ``health`` exits 0 when broker, database, inbox and SMTP are all usable, else 2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from worker.errors import ConfigError, NianbaoError
from worker.settings import Settings, get_settings

LOCAL_ADDRESSES = {"127.0.0.1", "localhost", "::1"}
PRIORITY_SEP, PRIORITY_STEPS = "\x06\x16", (0, 3, 6, 9)  # kombu's Redis transport: one list per step


def _broker_url(settings: Settings) -> str:
    from worker.app import broker_url_for

    return broker_url_for(settings)


def _redis_client(url: str) -> Any:
    import redis

    if url.startswith("redis+socket://"):
        url = "unix://" + url[len("redis+socket://") :]
    return redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)


def queue_depth(settings: Settings) -> dict[str, int]:
    """Messages waiting in the task queue (all priority lists) and reserved by workers (unacked)."""
    client = _redis_client(_broker_url(settings))
    q = settings.task_queue
    waiting = sum(int(client.llen(q if p == 0 else f"{q}{PRIORITY_SEP}{p}")) for p in PRIORITY_STEPS)
    return {"waiting": waiting, "reserved": int(client.hlen("unacked"))}


def files_in_flight(settings: Settings) -> int:
    """Files claimed in processing/<token>/ (the lock file is not a report)."""
    root = settings.processing_path
    if not root.is_dir():
        return 0
    return sum(
        1 for d in root.iterdir() if d.is_dir() for f in d.iterdir() if f.name != ".lock" and f.is_file()
    )


def collect_status(settings: Settings) -> dict[str, Any]:
    """Everything ``nianbao status`` shows, as a dict (the ``--json`` shape)."""
    import sqlalchemy as sa

    from worker.store import queries
    from worker.store.db import session_scope

    out: dict[str, Any] = {"errors": {}}
    try:
        out["queue"] = queue_depth(settings)
    except Exception as exc:  # noqa: BLE001 - a status page shows what it can
        out["queue"], out["errors"]["broker"] = None, f"{type(exc).__name__}: {exc}"
    out["in_flight"] = files_in_flight(settings)
    try:
        with session_scope(settings) as s:
            snap = queries.status_snapshot(s, window=dt.timedelta(hours=1), recent_alerts=10)
            s.execute(sa.text("SELECT 1"))
        out["last_hour"] = snap.last_hour.model_dump()
        out["quarantine"] = {
            "records": snap.quarantine_records,
            "files": _count_files(settings.quarantine_path),
        }
        out["alerts"] = {
            "due": snap.alerts.due,
            "failed": snap.alerts.failed,
            "recent": [{**d.model_dump(exclude={"at"}), "at": d.at.isoformat()} for d in snap.alerts.recent],
        }
    except Exception as exc:  # noqa: BLE001
        out["errors"]["database"] = f"{type(exc).__name__}: {exc}"
    return out


def _count_files(root: Path) -> int:
    if not root.is_dir():
        return 0
    return sum(1 for p in root.rglob("*") if p.is_file() and not p.name.endswith(".error.txt"))


DELIVERY_STATUS_ZH = {"sent": "已发送", "failed": "失败", "retrying": "重试中", "sending": "发送中"}


def _print_status(st: dict[str, Any]) -> None:
    q = st.get("queue")
    click.echo(f"队列        等待 {q['waiting']}，已分配 {q['reserved']}" if q else "队列        未知")
    click.echo(f"处理中      {st['in_flight']} 个文件（processing/）")
    if "last_hour" in st:
        h = st["last_hour"]
        click.echo(
            f"最近一小时  入库 {h['ingest_succeeded']}，失败 {h['ingest_failed']}，重试中 {h['ingest_retried']}；"
            f"报告通过 {h['reports_ok']}，未通过 {h['reports_failed_checks']}；隔离 {h['quarantined']}"
        )
        click.echo(f"隔离        记录 {st['quarantine']['records']}，文件 {st['quarantine']['files']}")
        a = st["alerts"]
        click.echo(f"告警邮件    待发 {a['due']}" + (f"，发送失败 {a['failed']}" if a["failed"] else ""))
        for d in a["recent"]:
            state = DELIVERY_STATUS_ZH.get(d["status"], d["status"])
            detail = d["error"] if d["error"] else d["reply"] or ""
            click.echo(f"  {d['at'][:19]}  {state:<4} {d['kind']:<16} {d['to']}  {d['subject']}  [{detail}]")
    for name, err in st["errors"].items():
        click.echo(f"错误 {name}：{err}", err=True)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status_command(as_json: bool) -> None:
    """队列、处理中的文件、最近一小时的工作、隔离、最近的告警邮件及其发送状态。"""
    st = collect_status(get_settings())
    if as_json:
        click.echo(json.dumps(st, ensure_ascii=False, indent=2, default=str))
    else:
        _print_status(st)


def check_health(settings: Settings) -> dict[str, tuple[bool, str]]:
    """Broker PING, database SELECT 1, inbox writable, SMTP reachable: name -> (ok, detail)."""
    import sqlalchemy as sa

    from worker.broker import ping_url

    out: dict[str, tuple[bool, str]] = {}
    url = _broker_url(settings)
    try:
        out["broker"] = (True, "PONG") if ping_url(url) else (False, f"no answer from {url.split('@')[-1]}")
    except ConfigError as exc:
        out["broker"] = (False, str(exc))
    try:
        from worker.store.db import get_engine

        with get_engine(settings).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        out["database"] = (True, "SELECT 1")
    except Exception as exc:  # noqa: BLE001
        out["database"] = (False, f"{type(exc).__name__}: {exc}")
    probe_file = settings.inbox_path / f".nianbao-health-{uuid.uuid4().hex}"
    try:
        probe_file.write_bytes(b"")
        probe_file.unlink()
        out["inbox"] = (True, f"{settings.inbox_path} writable")
    except OSError as exc:
        out["inbox"] = (False, f"{settings.inbox_path}: {exc.strerror or exc}")
    from worker.rules import validate_severity_overrides

    try:
        validate_severity_overrides(settings.rule_severity)
        out["config"] = (True, f"{len(settings.rule_severity)} rule severity override(s)")
    except ConfigError as exc:
        out["config"] = (False, str(exc))
    if settings.alerts_enabled:
        from worker.alerts.smtp import probe

        quick = settings.model_copy(update={"smtp_timeout": min(settings.smtp_timeout, 5.0)})
        try:
            out["smtp"] = (True, f"{settings.smtp_host}:{settings.smtp_port} {probe(quick)}")
        except NianbaoError as exc:
            out["smtp"] = (False, str(exc))
    else:
        out["smtp"] = (True, "alerts disabled")
    return out


@click.command("health")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def health_command(as_json: bool) -> None:
    """Exit 0 when broker, database, inbox and SMTP are usable, else 2 (for container health checks)."""
    result = check_health(get_settings())
    healthy = all(ok for ok, _ in result.values())
    if as_json:
        click.echo(
            json.dumps(
                {"healthy": healthy, **{k: {"ok": ok, "detail": d} for k, (ok, d) in result.items()}},
                ensure_ascii=False,
            )
        )
    else:
        for name, (ok, detail) in result.items():
            click.echo(f"{'ok  ' if ok else 'FAIL'} {name:<9} {detail}")
    sys.exit(0 if healthy else 2)


@click.group("alerts")
def alerts_group() -> None:
    """Alert email: test the SMTP settings, flush due alerts."""


@alerts_group.command("test")
@click.option("--to", "to", multiple=True, help="Recipient (default: alert_recipients).")
def alerts_test(to: tuple[str, ...]) -> None:
    """Send a test message with the current settings and print what the server said."""
    from worker.alerts.channels.email import email_message
    from worker.alerts.compose import settings_check_message
    from worker.alerts.smtp import send_message

    settings = get_settings()
    rcpts = list(to) or list(settings.alert_recipients)
    msg = email_message(settings_check_message(settings), to=rcpts, settings=settings)
    reply = send_message(msg, to=rcpts, settings=settings)
    click.echo(
        f"sent to {', '.join(r for r in rcpts if r not in reply.refused)} via "
        f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security}): {reply}"
    )
    for rcpt, (code, text) in reply.refused.items():
        click.echo(f"refused {rcpt}: {code} {text}", err=True)


@alerts_group.command("flush")
def alerts_flush() -> None:
    """Send every alert whose window has ended now, in this process (e.g. after a broker loss)."""
    from worker.alerts.digest import flush_recipient
    from worker.alerts.ledger import overdue_recipients
    from worker.store.db import session_scope

    settings = get_settings()
    with session_scope(settings) as s:
        recipients = overdue_recipients(s, before=dt.datetime.now(dt.UTC))
    for rcpt in recipients:
        res = flush_recipient(rcpt, settings=settings)
        click.echo(
            f"{rcpt}: {res.sent} sent, {res.digests} digest(s) covering {res.items - res.sent}, {res.failed} failed"
        )
    if not recipients:
        click.echo("nothing due")


def flower_argv(
    settings: Settings, *, address: str, port: int, extra: tuple[str, ...] = ()
) -> tuple[list[str], dict[str, str]]:
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
        raise ConfigError(
            f"refusing to start Flower on {address} without NIANBAO_FLOWER_BASIC_AUTH=user:password"
        )
    url = _broker_url(settings)
    env = dict(os.environ)
    env["NIANBAO_BROKER_URL"] = url
    if auth:
        env["FLOWER_BASIC_AUTH"] = auth  # not on the command line: argv is visible to every local user
    else:
        env["FLOWER_UNAUTHENTICATED_API"] = "true"  # loopback only (checked above)
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker.app",
        "--broker",
        url,
        "flower",
        f"--address={address}",
        f"--port={port}",
        *extra,
    ]
    return argv, env


@click.command("flower", context_settings={"ignore_unknown_options": True})
@click.option("--address", default=None, help="Bind address (default: flower_address).")
@click.option("--port", type=int, default=None, help="Port (default: flower_port).")
@click.argument("flower_args", nargs=-1, type=click.UNPROCESSED)
def flower_command(address: str | None, port: int | None, flower_args: tuple[str, ...]) -> None:
    """Run Flower on the configured broker (basic auth required unless bound to localhost)."""
    from worker.broker import ping_url

    settings = get_settings()
    argv, env = flower_argv(
        settings,
        address=address or settings.flower_address,
        port=port or settings.flower_port,
        extra=flower_args,
    )
    if not ping_url(env["NIANBAO_BROKER_URL"]):
        raise ConfigError(
            "broker does not answer (start `nianbao run`, or set NIANBAO_BROKER_URL / REDIS_URL)"
        )
    os.execve(argv[0], argv, env)


COMMANDS: list[click.Command] = [status_command, health_command, alerts_group, flower_command]
