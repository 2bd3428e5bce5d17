"""``nianbao status``, ``nianbao health``, ``nianbao alerts test|flush`` (and ``flower`` from flower_cmd.py).

``status`` reads our own tables (task runs, reports, quarantine, alert deliveries), the broker and the
watcher's heartbeat, not Flower's memory; it exits 2 when the broker or the database cannot be read.
``health`` exits 0 when broker, database, inbox, SMTP and a running watcher are all usable and the live workers
check with the same settings (worker/verdict_settings.py), else 2.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from worker import tasknames
from worker.alerts import actions
from worker.cli.flower_cmd import flower_command
from worker.errors import ConfigError
from worker.settings import Settings, SettingsInvalid, get_settings

if TYPE_CHECKING:
    from worker.store.queries import WorkerSettingsCheck

PRIORITY_SEP, PRIORITY_STEPS = "\x06\x16", (0, 3, 6, 9)  # kombu's Redis transport: one list per step


def _broker_url(settings: Settings) -> str:
    from worker.app import broker_url_for

    return broker_url_for(settings)


def _redis_client(url: str) -> Any:
    import redis

    if url.startswith("redis+socket://"):
        url = "unix://" + url[len("redis+socket://"):]
    return redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)


def _is_scheduled_flush(raw: bytes | str) -> bool:
    """An unacked message that is the digest window's countdown (``alert_flush`` with an ETA), not work."""
    try:
        payload = json.loads(raw)[0]
        headers = payload.get("headers") or {}
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        return False
    return bool(headers.get("task") == tasknames.ALERT_FLUSH and headers.get("eta"))


def queue_depth(settings: Settings) -> dict[str, int]:
    """Messages waiting in the task queue, reserved by workers, and digest flushes scheduled for later.

    Workers hold a countdown task (``alert_flush`` with an ETA) reserved until the digest window ends; it is
    counted as ``scheduled``, not ``reserved``, so an idle system shows nothing reserved.
    """
    client = _redis_client(_broker_url(settings))
    q = settings.task_queue
    waiting = sum(int(client.llen(q if p == 0 else f"{q}{PRIORITY_SEP}{p}")) for p in PRIORITY_STEPS)
    unacked = list(client.hvals("unacked"))
    scheduled = sum(1 for raw in unacked if _is_scheduled_flush(raw))
    return {"waiting": waiting, "reserved": len(unacked) - scheduled, "scheduled": scheduled}


def files_in_flight(settings: Settings) -> int:
    """Files claimed in processing/<token>/ (the hidden ``.lock`` and ``.origin`` are not reports)."""
    root = settings.processing_path
    if not root.is_dir():
        return 0
    return sum(
        1 for d in root.iterdir() if d.is_dir() for f in d.iterdir() if not f.name.startswith(".") and f.is_file()
    )


def watcher_summary(settings: Settings) -> dict[str, Any]:
    """The inbox watcher's heartbeat (``watcher.watcher_state``) as JSON-ready values, plus ``stale``.

    ``stale`` is true for a watcher that did not stop but whose heartbeat is old: killed or hung.
    """
    from watcher import watcher_state

    state = watcher_state(settings)
    return {
        "alive": state.alive,
        "stale": state.heartbeat_at is not None and not state.alive and not state.stopped,
        "restarts": state.restarts,
        "last_error": state.last_error,
        "last_event_at": state.last_event_at.isoformat() if state.last_event_at else None,
        "heartbeat_at": state.heartbeat_at.isoformat() if state.heartbeat_at else None,
    }


def collect_status(settings: Settings) -> dict[str, Any]:
    """Everything ``nianbao status`` shows, as a dict (the ``--json`` shape)."""
    from worker.relay import blobs
    from worker.store import queries
    from worker.store.db import read_scope

    out: dict[str, Any] = {"errors": {}}
    try:
        out["queue"] = queue_depth(settings)
    except Exception as exc:  # noqa: BLE001 - a status page shows what it can
        out["queue"], out["errors"]["broker"] = None, f"{type(exc).__name__}: {exc}"
    out["in_flight"] = files_in_flight(settings)
    try:  # nianbao import: progress kept in the broker (worker/backfill.py)
        from worker.backfill import recent_imports

        out["imports"] = [p.as_dict() for p in recent_imports(settings)]
    except Exception:  # noqa: BLE001 - the broker's error is reported with the queue above
        out["imports"] = []
    out["watcher"] = watcher_summary(settings)
    try:
        with read_scope(settings) as s:  # never waits for (nor holds) SQLite's write lock while workers store
            snap = queries.status_snapshot(s, window=dt.timedelta(hours=1), recent_alerts=10)
            workers = queries.worker_settings_check(s)  # the live workers' verdict settings
            if settings.relays_files:  # file_store = "database": files handed to workers on other hosts
                out["relay"] = queries.relay_counts(s)
                out["blob_store"] = blobs.describe(settings)  # where their bytes wait (no request made)
        out["last_hour"] = snap.last_hour.model_dump()
        out["quarantine"] = {"records": snap.quarantine_records, "files": _count_files(settings.quarantine_path)}
        out["needs_review"] = snap.needs_review
        out["alerts"] = {
            "due": snap.alerts.due,
            "failed": snap.alerts.failed,
            "recent": [{**d.model_dump(exclude={"at"}), "at": d.at.isoformat()} for d in snap.alerts.recent],
        }
        out["worker_settings"] = worker_settings_summary(workers)
    except Exception as exc:  # noqa: BLE001
        out["errors"]["database"] = f"{type(exc).__name__}: {exc}"
    return out


def worker_settings_summary(check: WorkerSettingsCheck) -> dict[str, Any]:
    """``queries.WorkerSettingsCheck`` as JSON-ready values: are the live workers' verdict settings the same,
    and if not, which hosts differ in which keys (a secret by its name only, never a value or digest)."""
    secret = set(check.secret_keys)
    return {
        "consistent": check.consistent,
        "workers": len(check.workers),
        "differing": check.differing,
        "groups": [
            {
                "fingerprint": group.fingerprint[:12],
                "hosts": group.hosts,
                "nodes": [w.node for w in group.workers],
                "values": {k: group.workers[0].settings.get(k) for k in check.differing if k not in secret},
            }
            for group in check.groups
        ],
    }


def _worker_settings_lines(ws: dict[str, Any]) -> list[str]:
    """``nianbao status``: one line when the live workers agree, else the groups and the differing keys."""
    if not ws["workers"]:
        return ["处理进程设置 最近没有运行中的处理进程"]
    if ws["consistent"]:
        hosts = "、".join(ws["groups"][0]["hosts"])
        return [f"处理进程设置 一致（{ws['workers']} 个处理进程，主机 {hosts}：校验与告警设置相同）"]
    lines = [f"处理进程设置 不一致：{len(ws['groups'])} 组处理进程的校验与告警设置不同，"
             f"不同的设置项：{'、'.join(ws['differing'])}"]
    for i, group in enumerate(ws["groups"], 1):
        lines.append(f"  第 {i} 组  主机 {'、'.join(group['hosts'])}（{'、'.join(group['nodes'])}）")
        for key, value in group["values"].items():
            shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
            lines.append(f"          {key} = {shown}")
    hidden = [k for k in ws["differing"] if all(k not in g["values"] for g in ws["groups"])]
    if hidden:
        lines.append(f"  {'、'.join(hidden)} 不同（保密设置，不显示其值）")
    return lines


def _count_files(root: Path) -> int:
    if not root.is_dir():
        return 0
    return sum(1 for p in root.rglob("*") if p.is_file() and not p.name.endswith(".error.txt"))


DELIVERY_STATUS_ZH = {"sent": "已发送", "failed": "失败", "retrying": "重试中", "sending": "发送中"}
ERROR_SOURCE_ZH = {"broker": "消息队列", "database": "数据库"}
CHECK_NAME_ZH = {**ERROR_SOURCE_ZH, "inbox": "收件目录", "config": "配置", "file_store": "转交文件存储",
                 "smtp": "邮件服务器", "watcher": "监视程序", "worker_settings": "处理进程设置"}  # fmt: skip


def _watcher_line(w: dict[str, Any]) -> str:
    if w["heartbeat_at"] is None:
        state = "未运行"
    elif w["alive"]:
        state = "运行中"
    else:
        state = "无响应（心跳过期）" if w["stale"] else "已停止"
    extra = f"，重启 {w['restarts']} 次" if w["restarts"] else ""
    extra += f"，最近错误：{w['last_error']}" if w["last_error"] else ""
    return f"监视程序    {state}{extra}"


def _print_status(st: dict[str, Any]) -> None:
    q = st.get("queue")
    click.echo(f"队列        等待 {q['waiting']}，已分配 {q['reserved']}，定时发送 {q['scheduled']}"
               if q else "队列        未知")
    click.echo(f"处理中      {st['in_flight']} 个文件（processing/）")
    if st.get("relay") is not None:
        r = st["relay"]
        click.echo(f"经数据库转交 排队 {r.get('queued', 0)}，处理中 {r.get('started', 0)}，已处理待归档 "
                   f"{r.get('decided', 0)}，已归档 {r.get('placed', 0)}")
        click.echo(f"转交文件    内容存于 {st.get('blob_store', '')}")
    for imp in st.get("imports", []):
        state = "已完成" if imp["finished"] else "进行中"
        click.echo(f"导入        {imp['id']} {state} {imp['done']}/{imp['total']}（入库 {imp['ingested']}，重复文件 "
                   f"{imp['duplicate']}，隔离 {imp['quarantined']}，失败 {imp['failed']}）{imp['source']}")
    click.echo(_watcher_line(st["watcher"]))
    if "last_hour" in st:
        h = st["last_hour"]
        click.echo(f"最近一小时  入库 {h['ingest_succeeded']}，失败 {h['ingest_failed']}，重试中 {h['ingest_retried']}；"
                   f"报告通过 {h['reports_ok']}，未通过 {h['reports_failed_checks']}，"
                   f"待人工复核 {h['reports_needs_review']}；隔离 {h['quarantined']}")
        click.echo(f"待人工复核  {st['needs_review']} 份报告（nianbao reports --status needs_review）")
        click.echo(f"隔离        记录 {st['quarantine']['records']}，文件 {st['quarantine']['files']}")
        for line in _worker_settings_lines(st["worker_settings"]):
            click.echo(line)
        a = st["alerts"]
        click.echo(f"告警邮件    待发 {a['due']}" + (f"，发送失败 {a['failed']}" if a["failed"] else ""))
        for d in a["recent"]:
            state = DELIVERY_STATUS_ZH.get(d["status"], d["status"])
            detail = d["error"] if d["error"] else d["reply"] or ""
            click.echo(f"  {d['at'][:19]}  {state:<4} {d['kind']:<16} {d['to']}  {d['subject']}  [{detail}]")
    for name, err in st["errors"].items():
        click.echo(f"错误 {ERROR_SOURCE_ZH.get(name, name)}：{err}", err=True)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status_command(as_json: bool) -> None:
    """队列、处理中的文件、监视程序、最近一小时的工作、隔离、最近的告警邮件；消息队列或数据库不可用时退出码 2。"""
    st = collect_status(get_settings())
    if as_json:
        click.echo(json.dumps(st, ensure_ascii=False, indent=2, default=str))
    else:
        _print_status(st)
    sys.exit(2 if st["errors"] else 0)


def check_health(settings: Settings) -> dict[str, tuple[bool, str]]:
    """Broker PING, database SELECT 1, inbox writable, config, SMTP, watcher: name -> (ok, detail)."""
    from worker.broker import ping_url

    out: dict[str, tuple[bool, str]] = {}
    url = _broker_url(settings)
    try:
        out["broker"] = (True, "PONG") if ping_url(url) else (False, f"无应答：{url.split('@')[-1]}")
    except ConfigError as exc:
        out["broker"] = (False, str(exc))
    try:
        from worker.store.db import ping

        ping(settings)
        out["database"] = (True, "SELECT 1")
    except Exception as exc:  # noqa: BLE001
        out["database"] = (False, f"{type(exc).__name__}: {exc}")
    probe_file = settings.inbox_path / f".nianbao-health-{uuid.uuid4().hex}"
    try:
        probe_file.write_bytes(b"")
        probe_file.unlink()
        out["inbox"] = (True, f"{settings.inbox_path} 可写")
    except OSError as exc:
        out["inbox"] = (False, f"{settings.inbox_path}：{exc.strerror or exc}")
    from worker.rules import validate_severity_overrides

    try:
        validate_severity_overrides(settings.rule_severity)
        out["config"] = (True, f"{len(settings.rule_severity)} 条规则级别覆盖")
    except ConfigError as exc:
        out["config"] = (False, str(exc))
    if settings.relays_files:  # workers on other machines: PostgreSQL, and the object store when configured
        from worker.relay import blobs, check

        try:
            check(settings)
            out["file_store"] = (True, f"转交文件的内容存于{blobs.describe(settings)}")
        except (ConfigError, SettingsInvalid) as exc:
            out["file_store"] = (False, str(exc))
    smtp = actions.smtp_check(settings)
    out["smtp"] = (smtp.ok, smtp.detail)
    out["watcher"] = _watcher_health(watcher_summary(settings))
    out["worker_settings"] = _worker_settings_health(settings)
    return out


def _worker_settings_health(settings: Settings) -> tuple[bool, str]:
    """Fails when live workers check or mail with different settings (worker/verdict_settings.py)."""
    from worker.store import queries
    from worker.store.db import read_scope

    try:
        with read_scope(settings) as s:
            ws = worker_settings_summary(queries.worker_settings_check(s))
    except Exception as exc:  # noqa: BLE001 - e.g. the database is down (its own check says so)
        return False, f"无法读取：{type(exc).__name__}: {exc}"
    if ws["consistent"]:
        return True, _worker_settings_lines(ws)[0].split(maxsplit=1)[1]
    hosts = "；".join(f"第 {i} 组 {'、'.join(g['hosts'])}" for i, g in enumerate(ws["groups"], 1))
    return False, f"运行中的处理进程校验与告警设置不同：{'、'.join(ws['differing'])}（{hosts}），同一文件可能得到不同的校验结果"


def _watcher_health(w: dict[str, Any]) -> tuple[bool, str]:
    """A watcher that never ran or stopped cleanly is fine here (``nianbao worker`` runs without one)."""
    if w["stale"]:
        return False, f"心跳过期（最后一次 {w['heartbeat_at'][:19]} UTC）：监视程序已退出或无响应"
    return True, _watcher_line(w).split(maxsplit=1)[1]


@click.command("health")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def health_command(as_json: bool) -> None:
    """消息队列、数据库、收件目录、邮件服务器和监视程序都可用时退出码 0，否则 2（供容器健康检查）。"""
    result = check_health(get_settings())
    healthy = all(ok for ok, _ in result.values())
    if as_json:
        click.echo(json.dumps({"healthy": healthy, **{k: {"ok": ok, "detail": d} for k, (ok, d) in result.items()}},
                              ensure_ascii=False))
    else:
        for name, (ok, detail) in result.items():
            click.echo(f"{'正常' if ok else '失败'}  {CHECK_NAME_ZH.get(name, name)}：{detail}")
    sys.exit(0 if healthy else 2)


@click.group("alerts")
def alerts_group() -> None:
    """Alert email: test the SMTP settings, flush due alerts."""


@alerts_group.command("test")
@click.option("--to", "to", multiple=True, help="Recipient (default: alert_recipients).")
def alerts_test(to: tuple[str, ...]) -> None:
    """Send a test message with the current settings and print what the server said."""
    res = actions.send_test_mail(get_settings(), to=to)
    click.echo(f"已发送给 {', '.join(res.accepted)}，经 {res.server}：{res.reply}")
    for rcpt, (code, text) in res.refused.items():
        click.echo(f"被拒收 {rcpt}：{code} {text}", err=True)


@alerts_group.command("flush")
def alerts_flush() -> None:
    """Send every alert whose window has ended now, in this process (e.g. after a broker loss)."""
    results = actions.flush_due(get_settings())  # every due (channel, recipient); stale claims taken back first
    for res in results:
        rcpt = res.recipient if res.channel == "email" else f"{res.channel}:{res.recipient}"
        click.echo(f"{rcpt}: {res.sent} sent, {res.digests} digest(s) covering {res.items - res.sent}, {res.failed} failed")
    if not results:
        click.echo("nothing due")


COMMANDS: list[click.Command] = [status_command, health_command, alerts_group, flower_command]
