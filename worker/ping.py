"""PING a Redis-protocol server over RESP with a bare socket (no client library, no connection pool).

Used to verify a configured broker before anything starts, and to tell a live embedded server from a
stale socket file.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from worker.errors import ConfigError


def _resp(*parts: str) -> bytes:
    out = f"*{len(parts)}\r\n".encode()
    for part in parts:
        data = part.encode()
        out += b"$" + str(len(data)).encode() + b"\r\n" + data + b"\r\n"
    return out


def _ping(sock: socket.socket, password: str | None, username: str | None) -> bool:
    if password:
        sock.sendall(_resp("AUTH", username, password) if username else _resp("AUTH", password))
        if not sock.recv(256).startswith(b"+OK"):
            return False
    sock.sendall(_resp("PING"))
    return sock.recv(64).startswith(b"+PONG")


def ping_socket(path: Path, timeout: float = 1.0) -> bool:
    """True when a Redis-protocol server answers PING on the unix socket ``path``."""
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(path))
            return _ping(sock, None, None)
    except OSError:
        return False


def ping_url(url: str, timeout: float = 2.0) -> bool:
    """True when the server of a ``redis://``, ``rediss://`` or ``redis+socket://`` URL answers PING."""
    parsed = urlparse(url)
    password = unquote(parsed.password) if parsed.password else None
    username = unquote(parsed.username) if parsed.username else None
    address: Any
    if parsed.scheme in ("redis+socket", "unix", "socket"):
        if password is None:
            return ping_socket(Path(parsed.path), timeout)
        family, address = socket.AF_UNIX, parsed.path
    elif parsed.scheme in ("redis", "rediss"):
        family, address = socket.AF_INET, (parsed.hostname or "127.0.0.1", parsed.port or 6379)
    else:
        raise ConfigError(
            f"unsupported broker URL scheme {parsed.scheme!r} (use redis:// or redis+socket://)"
        )
    try:
        if family == socket.AF_INET:
            raw = socket.create_connection(address, timeout=timeout)
        else:
            raw = socket.socket(family, socket.SOCK_STREAM)
            raw.settimeout(timeout)
            raw.connect(address)
        with raw:
            if parsed.scheme == "rediss":
                import ssl

                ctx = ssl.create_default_context()
                with ctx.wrap_socket(raw, server_hostname=parsed.hostname) as tls:
                    return _ping(tls, password, username)
            return _ping(raw, password, username)
    except OSError:
        return False


def redact_url(url: str) -> str:
    """The URL with its credentials masked (safe to log)."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
