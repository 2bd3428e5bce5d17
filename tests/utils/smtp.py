"""A real SMTP server (aiosmtpd) on loopback that records what it receives.

Usage::

    with SmtpSink() as sink:          # or the ``smtp_sink`` fixture
        ... settings.smtp_port = sink.port ...
        sink.wait_for(1)
        msg = sink.messages[0]         # email.message.EmailMessage
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.sink.lock:
            if self.sink.refuse_next > 0:
                self.sink.refuse_next -= 1
                self.sink.refused += 1
                return "451 4.3.0 try again later"
            raw = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            self.sink.messages.append(msg)
            self.sink.envelopes.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos)})
        return "250 OK"


class SmtpSink:
    """Start/stop an aiosmtpd server on 127.0.0.1:<free port>; ``refuse_next`` makes it answer 451 N times."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[dict[str, Any]] = []
        self.refuse_next = 0
        self.refused = 0
        self.lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        """Wait until at least ``count`` messages arrived; raise AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages within {timeout}s, got {len(self.messages)}")
