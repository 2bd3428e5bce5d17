"""The alerts package's public operations for the CLI: a test mail, flushing due alerts, an SMTP check.

``worker.cli`` imports only this module from ``worker.alerts`` (tests/unit/test_architecture.py holds it
to that), so the composer, the ledger, the digest and the SMTP client can change without touching the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from worker.alerts.digest import FlushResult
from worker.alerts.remind import remind
from worker.alerts.remind_compose import days_zh
from worker.alerts.sendtime import flush_due
from worker.errors import NianbaoError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from worker.settings import Settings

__all__ = [
    "CheckResult", "FlushResult", "TestMailResult", "days_zh", "flush_due", "remind", "send_test_mail", "smtp_check",
]

#: seconds a health check waits for the SMTP server at most
SMTP_CHECK_TIMEOUT = 5.0


@dataclass(frozen=True)
class TestMailResult:
    """What the SMTP server said to a test mail.

    Attributes:
        accepted: recipients the server accepted.
        refused: recipient -> (SMTP code, server text) for those it refused.
        reply: the server's reply to the end of DATA, e.g. ``250 OK queued``.
        server: ``host:port (security)`` the mail went through.
    """

    __test__ = False  # not a pytest test class despite the name

    accepted: list[str]
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)
    reply: str = ""
    server: str = ""


@dataclass(frozen=True)
class CheckResult:
    """One health check: usable or not, and a line saying why."""

    ok: bool
    detail: str


def send_test_mail(settings: Settings, *, to: Sequence[str] = ()) -> TestMailResult:
    """Send the settings-check message to ``to`` (default: ``alert_recipients``) and return the reply.

    Raises:
        AlertError: the server refused the message or could not be reached (see worker/alerts/smtp.py).
    """
    from worker.alerts.channels.email import email_message
    from worker.alerts.compose import settings_check_message
    from worker.alerts.smtp import send_message

    rcpts = list(to) or list(settings.alert_recipients)
    msg = email_message(settings_check_message(settings), to=rcpts, settings=settings)
    reply = send_message(msg, to=rcpts, settings=settings)
    return TestMailResult(
        accepted=[r for r in rcpts if r not in reply.refused],
        refused=dict(reply.refused),
        reply=str(reply),
        server=f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security})",
    )


def smtp_check(settings: Settings) -> CheckResult:
    """Can alert mail go out? A NOOP probe of the SMTP server (at most 5 s), or "alerts disabled"."""
    if not settings.alerts_enabled:
        return CheckResult(ok=True, detail="告警已关闭")
    from worker.alerts.smtp import probe

    quick = settings.model_copy(update={"smtp_timeout": min(settings.smtp_timeout, SMTP_CHECK_TIMEOUT)})
    try:
        return CheckResult(ok=True, detail=f"{settings.smtp_host}:{settings.smtp_port} {probe(quick)}")
    except NianbaoError as exc:
        return CheckResult(ok=False, detail=str(exc))
