"""Send mail over SMTP: plain, STARTTLS or implicit TLS, optional AUTH, timeouts; classify every failure.

Transient failures (4xx replies, connection refused or reset, timeouts) raise ``SmtpTransientError``
(a ``RetryableError``): the alert task retries them with backoff. Permanent failures (5xx replies, TLS
verification, authentication refused) raise ``SmtpPermanentError`` (an ``AlertError``): recorded, shown by
``nianbao status``, never retried.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

from worker.errors import AlertError, RetryableError
from worker.logging import get_logger
from worker.settings import Settings

log = get_logger(__name__)


class SmtpTransientError(RetryableError):
    """The relay said "try again" (4xx) or could not be reached."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class SmtpPermanentError(AlertError):
    """The relay refused for good (5xx), or TLS/authentication failed."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class SmtpReply:
    """What the server said to the end of DATA (or to NOOP for a probe)."""

    code: int
    message: str
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


def _decode(resp: bytes | str) -> str:
    return resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)


def _raise_for(code: int, resp: bytes | str, *, stage: str) -> None:
    text = f"{stage}: {code} {_decode(resp)}"
    if 400 <= code < 500:
        raise SmtpTransientError(text, code=code)
    raise SmtpPermanentError(text, code=code)


def tls_context(settings: Settings) -> ssl.SSLContext:
    """The TLS context for STARTTLS / implicit TLS (``smtp_ca_file``, ``smtp_tls_verify``)."""
    ctx = ssl.create_default_context(cafile=str(settings.smtp_ca_file) if settings.smtp_ca_file else None)
    if not settings.smtp_tls_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


@contextmanager
def connect(settings: Settings) -> Iterator[smtplib.SMTP]:
    """An SMTP session after EHLO, TLS and AUTH as configured; failures are classified (see module doc)."""
    conn: smtplib.SMTP | None = None
    try:
        try:
            if settings.smtp_security == "ssl":
                conn = smtplib.SMTP_SSL(
                    settings.smtp_host,
                    settings.smtp_port,
                    timeout=settings.smtp_timeout,
                    context=tls_context(settings),
                )
            else:
                conn = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
            conn.ehlo()
            if settings.smtp_security == "starttls":
                if not conn.has_extn("starttls"):
                    raise SmtpPermanentError(
                        f"{settings.smtp_host}:{settings.smtp_port} does not offer STARTTLS"
                    )
                code, resp = conn.starttls(context=tls_context(settings))
                if code != 220:
                    _raise_for(code, resp, stage="STARTTLS")
                conn.ehlo()
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                conn.login(settings.smtp_user, password)
        except smtplib.SMTPResponseException as exc:
            _raise_for(exc.smtp_code, exc.smtp_error, stage="connect")
        except smtplib.SMTPNotSupportedError as exc:
            raise SmtpPermanentError(f"connect: {exc}") from exc
        except ssl.SSLError as exc:  # includes certificate verification: a configuration problem
            raise SmtpPermanentError(f"TLS: {exc}") from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise SmtpTransientError(
                f"{settings.smtp_host}:{settings.smtp_port}: {type(exc).__name__}: {exc}"
            ) from exc
        assert conn is not None
        yield conn
    finally:
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


def _envelope_sender(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1] or settings.mail_from


def send_message(msg: EmailMessage, *, to: Sequence[str], settings: Settings) -> SmtpReply:
    """Send ``msg`` to ``to``; return the server's reply to DATA.

    Raises:
        SmtpTransientError: 4xx, connection refused/reset, timeout (retry later).
        SmtpPermanentError: 5xx, TLS or authentication failure, every recipient refused permanently.
    """
    if not to:
        raise SmtpPermanentError("no recipients")
    data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    with connect(settings) as conn:
        try:
            code, resp = conn.mail(_envelope_sender(settings))
            if code != 250:
                _raise_for(code, resp, stage="MAIL FROM")
            refused: dict[str, tuple[int, str]] = {}
            for rcpt in to:
                rcode, rresp = conn.rcpt(rcpt)
                if rcode not in (250, 251):
                    refused[rcpt] = (rcode, _decode(rresp))
            if len(refused) == len(to):
                # all refused: transient only if every refusal was transient
                codes = [c for c, _ in refused.values()]
                first = next(iter(refused.values()))
                conn.rset()
                _raise_for(
                    max(codes) if all(400 <= c < 500 for c in codes) else 550, first[1], stage="RCPT TO"
                )
            code, resp = conn.data(data)
            if code != 250:
                _raise_for(code, resp, stage="DATA")
        except smtplib.SMTPResponseException as exc:
            _raise_for(exc.smtp_code, exc.smtp_error, stage="send")
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
            raise SmtpTransientError(f"send: {type(exc).__name__}: {exc}") from exc
    reply = SmtpReply(code=code, message=_decode(resp), refused=refused)
    log.info("mail_sent", to=list(to), subject=str(msg["Subject"]), reply=str(reply), refused=list(refused))
    return reply


def probe(settings: Settings) -> SmtpReply:
    """Connect (with TLS and AUTH as configured) and answer NOOP: is the relay usable?"""
    with connect(settings) as conn:
        code, resp = conn.noop()
        return SmtpReply(code=code, message=_decode(resp))
