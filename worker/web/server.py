"""Serving the application with uvicorn: in the foreground (``nianbao web``) or beside ``nianbao run``."""

from __future__ import annotations

import atexit
import threading

import uvicorn

from worker.logging import get_logger
from worker.settings import Settings
from worker.web.app import create_app

log = get_logger(__name__)


def server_for(settings: Settings, *, address: str, port: int) -> uvicorn.Server:
    """A uvicorn server for the application (refuses a non-loopback address without users).

    Raises:
        ConfigError: See :func:`worker.web.auth.check_bind`.
    """
    app = create_app(settings, address=address)
    config = uvicorn.Config(
        app,
        host=address,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        lifespan="off",
    )
    return uvicorn.Server(config)


def url_of(address: str, port: int) -> str:
    """The URL a browser opens for ``address:port``."""
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{port}/"


def serve(settings: Settings, *, address: str, port: int) -> None:
    """Serve in the foreground until Ctrl-C."""
    server = server_for(settings, address=address, port=port)
    log.info("web_started", url=url_of(address, port))
    server.run()


class BackgroundWeb:
    """The application served from a daemon thread (``nianbao run``); stopped at interpreter exit."""

    def __init__(self, settings: Settings, *, address: str = "127.0.0.1", port: int) -> None:
        self.url = url_of(address, port)
        self.server = server_for(settings, address=address, port=port)
        self.thread = threading.Thread(target=self._run, name="web", daemon=True)

    def _run(self) -> None:
        try:
            self.server.run()
        except SystemExit:  # uvicorn exits when it cannot bind: the pipeline keeps running without pages
            log.error("web_failed", url=self.url, hint="is the port in use? set web_port")

    def start(self) -> BackgroundWeb:
        """Start serving; returns self."""
        self.thread.start()
        atexit.register(self.stop)
        log.info("web_started", url=self.url)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_with_run(settings: Settings) -> BackgroundWeb | None:
    """Start the application on 127.0.0.1:``web_port`` for ``nianbao run`` (None when ``web_enabled`` is off)."""
    if not settings.web_enabled:
        return None
    return BackgroundWeb(settings, port=settings.web_port).start()
