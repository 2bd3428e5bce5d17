"""Alert channels: the registry of the ways alerts are delivered (see docs/alerts.md, "How to add a channel").

Email is registered by default. A channel registered here gets recipients from routes naming it
(``channel = "<name>"`` in ``alert_routes``) or its ``default_recipients``, its own ledger rows and digest
windows, and the same retries as email.
"""

from __future__ import annotations

from worker.alerts.channels.base import Channel, DeliveryResult, Outcome, TransientDeliveryError
from worker.alerts.channels.email import EMAIL, EmailChannel

__all__ = [
    "EMAIL",
    "Channel",
    "DeliveryResult",
    "Outcome",
    "TransientDeliveryError",
    "get_channel",
    "register",
    "registered",
    "unregister",
]

_channels: dict[str, Channel] = {EMAIL: EmailChannel()}


def register(channel: Channel) -> None:
    """Add ``channel`` (or replace the one of the same name)."""
    if not isinstance(channel, Channel):
        raise TypeError(f"{channel!r} does not implement worker.alerts.channels.Channel")
    _channels[channel.name] = channel


def unregister(name: str) -> None:
    """Remove the channel called ``name`` (email stays unless removed explicitly)."""
    _channels.pop(name, None)


def registered() -> list[Channel]:
    """The registered channels, in registration order."""
    return list(_channels.values())


def get_channel(name: str) -> Channel:
    """The channel called ``name``.

    Raises:
        KeyError: no such channel is registered (e.g. ledger rows of a channel removed since).
    """
    return _channels[name]
