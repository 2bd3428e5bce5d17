"""The watcher's side of the broker: a producer-only Celery app and the broker's in-flight record.

Only ``celery``/``kombu`` are imported here; the task is sent by name, so nothing of the worker's task,
parsing or storage code is loaded.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import structlog

from watcher.inflight import InflightRegistry, LocalInflight, RedisInflight
from worker import tasknames

if TYPE_CHECKING:
    from celery import Celery

    from worker.settings import Settings

# structlog directly (worker.logging.get_logger is a plain pass-through): importing anything from the
# ``worker`` package runs worker/__init__.py, which pulls in the parse and rules packages.
log = structlog.get_logger("watcher")

INGEST_TASK = tasknames.INGEST
INGEST_BATCH_TASK = tasknames.INGEST_BATCH

# celery's package is a lazy module that replaces itself in sys.modules while it is first imported: a second
# thread importing it meanwhile gets "cannot import name 'Celery'" (two watchers started at once in one process)
_CELERY_IMPORT = threading.Lock()


def _config_error(message: str) -> Exception:
    from worker.errors import ConfigError  # imported only here: see the note on ``log`` above

    return ConfigError(message)


def embedded_broker_url(settings: Settings) -> str:
    """The embedded server's socket URL under the data directory (as ``worker.app`` uses; none is started)."""
    from worker.broker import SOCKET_NAME  # only without a configured URL: see the note on ``log``

    return f"redis+socket://{(settings.data_dir / 'broker' / SOCKET_NAME).resolve()}"


def task_queue(settings: Settings) -> str:
    """The Celery queue the workers consume (``settings.task_queue``)."""
    return str(getattr(settings, "task_queue", None) or "celery")


def make_celery_app(settings: Settings) -> Celery:
    """A producer-only Celery app for ``settings.broker_url`` that knows no tasks.

    Without ``settings.broker_url`` it points at the embedded server's socket under the data directory
    (started by ``nianbao run``), like ``worker.app`` does.
    """
    with _CELERY_IMPORT:
        from celery import Celery

    url = settings.broker_url or embedded_broker_url(settings)
    app = Celery("nianbao-watcher", broker=url, set_as_current=False)
    opts = {"visibility_timeout": settings.visibility_timeout}
    app.conf.update(
        task_default_queue=task_queue(settings),
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options=opts,
        task_send_sent_event=True,
        broker_connection_retry_on_startup=True,
    )
    return app


def broker_inflight(app: Celery, ttl: int) -> tuple[InflightRegistry, Any]:
    """The in-flight record in the app's broker, and the connection to close afterwards.

    A non-Redis transport (``memory://`` and the like) has no shared store: the record is then local.
    """
    conn = app.connection_for_write()
    try:
        conn.ensure_connection(max_retries=3, interval_start=0.2, interval_step=0.5, interval_max=1)
    except Exception as exc:
        conn.release()
        raise _config_error(f"broker not reachable ({conn.as_uri()}): {exc}") from exc
    client = getattr(conn.default_channel, "client", None)
    if client is None or not hasattr(client, "register_script"):
        log.warning("inflight_record_local", transport=conn.transport_cls)
        return LocalInflight(), conn
    return RedisInflight(client, ttl), conn
