"""The Celery app: ``celery -A worker.app worker`` (``nianbao worker`` wraps it with the configured broker).

The broker URL comes from ``NIANBAO_BROKER_URL`` / ``REDIS_URL``; when neither is set the app points at the
embedded server's socket under the data directory (started by ``nianbao run``; a worker never starts one).
The result backend is the broker unless ``NIANBAO_RESULT_BACKEND`` says otherwise.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, signals
from celery.schedules import crontab

from worker import tasknames
from worker.broker import SOCKET_NAME
from worker.errors import ConfigError
from worker.limits import connect_memory_limits
from worker.monitoring import connect_signals as connect_monitoring_signals
from worker.settings import Settings, get_settings


def broker_url_for(settings: Settings) -> str:
    """The configured broker URL, else the embedded server's socket URL (no server is started here)."""
    if settings.broker_url:
        return settings.broker_url
    return f"redis+socket://{(settings.data_dir / 'broker' / SOCKET_NAME).resolve()}"


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings derived from ours (time limits are checked against the visibility timeout)."""
    if not settings.soft_time_limit < settings.time_limit < settings.visibility_timeout:
        raise ConfigError(
            "need soft_time_limit < time_limit < visibility_timeout, got "
            f"{settings.soft_time_limit} / {settings.time_limit} / {settings.visibility_timeout}"
        )
    broker = broker_url_for(settings)
    vt = settings.visibility_timeout
    # sweep for unacked messages of dead workers ~10 times per visibility timeout (kombu: every 100 s)
    interval = max(1, min(10, vt // 10))
    transport = {
        "visibility_timeout": vt,
        "unacked_restore_interval": interval,
        "unacked_restore_throttle": max(1, min(10, vt // (10 * interval))),
    }
    return {
        "broker_url": broker,
        "result_backend": settings.result_backend or broker,
        "broker_transport_options": dict(transport),
        "result_backend_transport_options": {"visibility_timeout": vt},
        "visibility_timeout": settings.visibility_timeout,
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.soft_time_limit,
        "task_time_limit": settings.time_limit,
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "task_track_started": True,
        "task_default_queue": settings.task_queue,
        "result_expires": 7 * 24 * 3600,
        "result_extended": True,
        "worker_hijack_root_logger": False,
        "timezone": "UTC",
        "enable_utc": True,
        # Celery beat (`nianbao run` starts it with the worker): deadline reminders, worker/alerts/remind.py.
        # Hourly; the task itself waits for reminder_hour in the configured time zone and never sends twice.
        "beat_schedule": {
            "nianbao-remind": {"task": tasknames.REMIND, "schedule": crontab(minute=0)},
        } if settings.reminders_enabled else {},
    }  # fmt: skip


app = Celery("nianbao", include=["worker.tasks", "worker.alerts.task", "worker.alerts.remind", "worker.recheck"])
app.conf.update(celery_config(get_settings()))

# producers too (not only workers): "queued" rows and readable ingest args from the moment of sending
connect_monitoring_signals()
connect_memory_limits(app)  # a hostile file costs a quarantine, not the host (worker/limits.py)


@signals.setup_logging.connect  # type: ignore[untyped-decorator]
def _setup_logging(**_: Any) -> None:
    # our structlog setup instead of Celery's; Celery's own records go through the stdlib root logger
    from worker.logging import configure_logging

    configure_logging(get_settings().log_level)


@signals.worker_process_init.connect  # type: ignore[untyped-decorator]
def _fresh_connections(**_: Any) -> None:
    # a forked pool process must not share the parent's database sockets
    from worker.store.db import dispose_engines

    dispose_engines()
    _freeze_imports()


def _freeze_imports() -> None:
    """Import what every ingest uses, then move every object alive now out of the collector's sight.

    The modules, their tables and the ORM's mappers live as long as the process; without ``gc.freeze`` each
    full collection (one every few dozen files) walks all of them again. Garbage made before the freeze is
    collected first, so nothing is kept that would have been freed.
    """
    import gc

    import worker.extract
    import worker.ingest
    import worker.parse
    import worker.rules  # noqa: F401

    gc.collect()
    gc.freeze()


def requeue_orphans(settings: Settings | None = None) -> int:
    """Re-enqueue files left in processing/ by a worker that died (their claim lock is free).

    Returns:
        How many files were re-enqueued.
    """
    from worker.logging import get_logger
    from worker.spool import orphans

    log = get_logger(__name__)
    settings = settings or get_settings()
    if settings.relays_files:  # the inbox side hands its orphans over again (worker.relay.inbox_side.sweep)
        return 0
    found = orphans(settings)
    for path in found:
        app.send_task(tasknames.INGEST, args=[str(path)], ignore_result=True)
        log.info("orphan_requeued", path=str(path))
    return len(found)


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _recover_orphans(sender: Any = None, **_: Any) -> None:
    requeue_orphans()
