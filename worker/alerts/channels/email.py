"""The email channel: multipart/alternative (plain text + HTML, UTF-8) over SMTP (worker/alerts/smtp.py).

The subject is folded and RFC 2047-encoded by the ``email`` package; the bodies come from
``templates/message.txt.j2`` and ``templates/message.html.j2`` (autoescaped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from worker.alerts.channels.base import DeliveryResult, Outcome
from worker.alerts.message import AlertMessage
from worker.alerts.render import render
from worker.alerts.smtp import SmtpPermanentError, SmtpTransientError, send_message
from worker.settings import Settings

EMAIL = "email"


def email_message(message: AlertMessage, *, to: Sequence[str], settings: Settings) -> EmailMessage:
    """The email of ``message``: headers from ``settings`` (sender, reply-to), both bodies rendered."""
    msg = EmailMessage()
    _, from_addr = parseaddr(settings.mail_from)
    from_addr = from_addr or settings.mail_from
    user, _, domain = from_addr.partition("@")
    msg["From"] = Address(display_name=settings.mail_from_name, username=user, domain=domain or "localhost")
    msg["To"] = ", ".join(to)
    if settings.mail_reply_to:
        msg["Reply-To"] = settings.mail_reply_to
    msg["Subject"] = message.subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(idstring="nianbao", domain=domain or "localhost")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    msg["X-Nianbao-Kind"] = message.type.value
    msg.set_content(render(message, "message.txt.j2"), subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(render(message, "message.html.j2"), subtype="html", charset="utf-8", cte="base64")
    return msg


class EmailChannel:
    """Alerts by email (see module doc)."""

    name = EMAIL

    def default_recipients(self, settings: Settings) -> Sequence[str]:
        return settings.alert_recipients

    def deliver(
        self, message: AlertMessage, recipients: Sequence[str], *, settings: Settings
    ) -> DeliveryResult:
        msg = email_message(message, to=recipients, settings=settings)
        message_id = str(msg["Message-ID"])
        try:
            reply = send_message(msg, to=recipients, settings=settings)
        except SmtpTransientError as exc:
            return DeliveryResult(Outcome.TRANSIENT, str(exc), message_id)
        except SmtpPermanentError as exc:
            return DeliveryResult(Outcome.PERMANENT, str(exc), message_id)
        return DeliveryResult(Outcome.SENT, str(reply), message_id)
