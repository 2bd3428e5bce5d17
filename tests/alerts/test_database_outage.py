"""Issue 10, item 6: an alert task that meets an unavailable database retries until it answers, however long
the outage, and the alert is then sent. Real worker and broker, real SMTP; the outage is real too: a SQLite
write lock held by another connection, or a TCP gate in front of PostgreSQL that refuses connections."""

from __future__ import annotations

import contextlib
import gc
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from celery import Celery
from celery.contrib.testing.worker import start_worker

from tests.alerts.conftest import configure, smtp_overrides
from tests.alerts.factories import finding, store_quarantine, store_report
from tests.utils.smtp import SmtpSink, free_port
from worker import monitoring
from worker.settings import get_settings

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(120),
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]
OUTAGE_S = 4.0


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


@pytest.fixture
def outage(database_url: str) -> Iterator[Outage]:
    out = Outage(database_url)
    yield out
    if out.gate is not None:
        out.gate.close()


def test_alerts_are_sent_after_a_database_outage(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_sink: SmtpSink, broker_url: str, outage: Outage
) -> None:
    from worker.app import celery_config
    from worker.store.db import dispose_engines

    settings = configure(
        monkeypatch, tmp_path, outage.url, broker_url, **smtp_overrides(smtp_sink, db_busy_timeout=0.2)
    )
    rid = store_report(settings, [finding()])
    qid = store_quarantine(settings, name="加密.pdf", reason="文件已加密")
    app = Celery("nianbao-outage-test", include=["worker.alerts.task"])
    app.conf.update(celery_config(settings))
    app.set_current()
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[settings.task_queue], shutdown_timeout=30):
        outage.begin()
        try:
            results = [
                app.send_task("nianbao.alert_report", args=[rid]),
                app.send_task("nianbao.alert_quarantine", args=[qid]),
            ]
            time.sleep(OUTAGE_S)
            assert smtp_sink.messages == []
        finally:
            outage.end()
        assert results[0].get(timeout=90)["sent"] == 1
        assert results[1].get(timeout=90)["sent"] == 1
        subjects = sorted(str(m["Subject"]) for m in smtp_sink.wait_for(2))
        assert subjects[0].startswith("【年报校验】") and subjects[1].startswith("【年报隔离】加密.pdf")
        del results
        gc.collect()
    app.close()
    monitoring.drain()
    dispose_engines()
    get_settings.cache_clear()
