"""The embedded broker on a real valkey-server: start, reuse, stale cleanup, persistence, no fallback."""

from __future__ import annotations

import os
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.services import make_settings
from worker.broker import EmbeddedBroker, ensure_broker, ping_socket, ping_url, stop_broker
from worker.errors import ConfigError

pytestmark = pytest.mark.integration


@pytest.fixture
def root() -> Iterator[Path]:
    import shutil

    path = Path(tempfile.mkdtemp(prefix="nb-b-"))  # short: unix socket paths are limited
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _command(sock_path: Path, *parts: str) -> bytes:
    payload = f"*{len(parts)}\r\n".encode() + b"".join(
        f"${len(p.encode())}\r\n".encode() + p.encode() + b"\r\n" for p in parts
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(str(sock_path))
        s.sendall(payload)
        return s.recv(256)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when we return: nothing listens there


def test_broker_configured_but_unreachable_fails_loudly(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://", f"redis://127.0.0.1:{_closed_port()}/0")
    with pytest.raises(ConfigError, match="does not answer"):
        ensure_broker(settings)
    assert not (settings.data_dir / "broker").exists()  # no silent embedded fallback


def test_broker_embedded_url_answers_and_stops(root: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://", None, data_dir=root)
    url = ensure_broker(settings)
    try:
        assert url == f"redis+socket://{root / 'broker' / 'valkey.sock'}"
        assert ping_url(url)
        assert ensure_broker(settings) == url  # idempotent in one process
        # the broker's folder holds its append-only file (every queued message): owner only (issue 10, item 14)
        assert stat.S_IMODE((root / "broker").stat().st_mode) == 0o700
    finally:
        stop_broker()
    assert not ping_url(url)


def test_broker_reuses_a_live_server_and_only_the_owner_stops_it(root: Path) -> None:
    first = EmbeddedBroker(root)
    first.start()
    try:
        pid = first.pid
        second = EmbeddedBroker(root)
        assert second.start() == first.url
        assert second.pid == pid and not second.owned  # its owner (this process) is alive
        second.stop()
        assert ping_socket(first.socket_path)
    finally:
        first.stop()
    assert not ping_socket(first.socket_path)


def test_broker_adopts_server_of_a_killed_owner(root: Path) -> None:
    first = EmbeddedBroker(root)
    first.start()
    pid = first.pid
    assert pid is not None
    (root / "owner.pid").write_text("999999999")  # the owner was SIGKILLed: its pid is gone
    heir = EmbeddedBroker(root)
    try:
        heir.start()
        assert heir.owned and heir.pid == pid
    finally:
        heir.stop()
    assert not ping_socket(heir.socket_path)
    first.owned = False  # already stopped by the heir


def test_broker_replaces_a_dead_socket(root: Path) -> None:
    stale = root / "valkey.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(stale))  # a socket file nobody listens on: "Unix socket already in use" otherwise
    (root / "valkey.pid").write_text("999999999")
    broker = EmbeddedBroker(root)
    try:
        broker.start()
        assert ping_socket(stale) and broker.pid != 999999999
    finally:
        broker.stop()


def test_broker_queue_survives_restart(root: Path) -> None:
    broker = EmbeddedBroker(root)
    broker.start()
    try:
        assert _command(broker.socket_path, "LPUSH", "nianbao", "task-1").startswith(b":1")
    finally:
        broker.stop()
    again = EmbeddedBroker(root)
    again.start()
    try:
        assert _command(again.socket_path, "LPOP", "nianbao") == b"$6\r\ntask-1\r\n"
        assert os.path.exists(root / "appendonlydir")
    finally:
        again.stop()
