"""The alert channel interface: one way of delivering an ``AlertMessage`` to recipients (email is one).

A channel renders the neutral message in its own format, delivers it, and says how the delivery went:
sent, failed for now (``TRANSIENT``: the flush is retried with backoff) or failed for good (``PERMANENT``:
recorded, shown by ``nianbao status``, never retried). It never raises for a delivery failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from worker.alerts.message import AlertMessage
from worker.errors import RetryableError
from worker.settings import Settings


class Outcome(StrEnum):
    """How a delivery went."""

    SENT = "sent"
    TRANSIENT = "transient"  # try again later (relay unavailable, 4xx, timeout)
    PERMANENT = "permanent"  # refused for good (5xx, bad credentials, bad address)


@dataclass(frozen=True)
class DeliveryResult:
    """What a channel reports back for one message."""

    outcome: Outcome
    detail: str = ""  # the server's reply when sent, the error otherwise
    message_id: str | None = None  # the channel's id of the message, when it has one

    @property
    def sent(self) -> bool:
        return self.outcome is Outcome.SENT


class TransientDeliveryError(RetryableError):
    """A flush stopped on a transient failure; the unsent alerts are due again (the task retries)."""

    def __init__(self, message: str, *, channel: str) -> None:
        super().__init__(message)
        self.channel = channel


@runtime_checkable
class Channel(Protocol):
    """A way to deliver alerts. Register an instance with ``worker.alerts.channels.register``."""

    @property
    def name(self) -> str:
        """Stable id stored in the ledger (``alert_ledger.channel``), e.g. ``"email"``; at most 32 characters."""
        ...

    def default_recipients(self, settings: Settings) -> Sequence[str]:
        """Recipients when no route for this channel matches (email: ``settings.alert_recipients``)."""
        ...

    def deliver(
        self, message: AlertMessage, recipients: Sequence[str], *, settings: Settings
    ) -> DeliveryResult:
        """Render and deliver ``message``; classify any failure instead of raising it."""
        ...
