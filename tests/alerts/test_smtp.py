"""SMTP transport against real aiosmtpd servers on loopback: STARTTLS, implicit TLS, AUTH, failure classes."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.utils.smtp import SmtpSink, _Handler, free_port
from worker.alerts.channels.email import email_message
from worker.alerts.compose import settings_check_message
from worker.alerts.smtp import SmtpPermanentError, SmtpTransientError, probe, send_message
from worker.errors import AlertError, RetryableError
from worker.settings import Settings


def compose_test(*, to: list[str], settings: Settings) -> EmailMessage:
    """The test mail ``nianbao alerts test`` sends."""
    return email_message(settings_check_message(settings), to=to, settings=settings)


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    crt = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    d = tmp_path_factory.mktemp("tls")
    (d / "cert.pem").write_bytes(crt.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return d / "cert.pem", d / "key.pem"


def _server_ctx(cert: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    return ctx


def _auth(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == b"zwgk" and data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)


class TlsSink(SmtpSink):
    """SmtpSink variant: STARTTLS required + AUTH, or implicit TLS."""

    def __init__(self, cert: tuple[Path, Path], *, implicit: bool) -> None:
        super().__init__()
        kw: dict[str, Any] = {"authenticator": _auth, "auth_required": True}
        if implicit:
            kw.update(ssl_context=_server_ctx(cert), server_hostname="localhost", auth_require_tls=False)
        else:
            kw.update(tls_context=_server_ctx(cert), require_starttls=True)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kw)


def _settings(base: Settings, port: int, **kw: Any) -> Settings:
    return base.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout": 3.0, **kw})


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "ssl"])
def test_tls_and_auth(cert: tuple[Path, Path], alert_settings: Settings, implicit: bool) -> None:
    from pydantic import SecretStr

    with TlsSink(cert, implicit=implicit) as sink:
        s = _settings(
            alert_settings,
            sink.port,
            smtp_security="ssl" if implicit else "starttls",
            smtp_ca_file=cert[0],
            smtp_user="zwgk",
            smtp_password=SecretStr("s3cret"),
        )
        reply = send_message(
            compose_test(to=["a@example.gov.cn"], settings=s), to=["a@example.gov.cn"], settings=s
        )
        assert reply.code == 250
        assert sink.wait_for(1)[0]["Subject"] == "【年报校验】测试邮件"
        assert probe(s).code == 250
        # wrong password: refused for good (535), not retried
        bad = s.model_copy(update={"smtp_password": SecretStr("nope")})
        with pytest.raises(SmtpPermanentError) as exc:
            send_message(compose_test(to=["a@b"], settings=bad), to=["a@b"], settings=bad)
        assert exc.value.code == 535
        # the relay's certificate is not trusted without the CA file: a permanent (configuration) error
        untrusted = s.model_copy(update={"smtp_ca_file": None})
        with pytest.raises(SmtpPermanentError, match="TLS"):
            probe(untrusted)


def test_starttls_required_by_server_but_not_configured_is_refused(
    cert: tuple[Path, Path], alert_settings: Settings
) -> None:
    with TlsSink(cert, implicit=False) as sink:
        s = _settings(alert_settings, sink.port, smtp_security="none")
        with pytest.raises(SmtpPermanentError) as exc:
            send_message(compose_test(to=["a@b"], settings=s), to=["a@b"], settings=s)
        assert exc.value.code == 530  # "Must issue a STARTTLS command first"


def test_451_is_transient(alert_settings: Settings, smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_next = 1
    with pytest.raises(SmtpTransientError) as exc:
        send_message(compose_test(to=["a@b"], settings=alert_settings), to=["a@b"], settings=alert_settings)
    assert isinstance(exc.value, RetryableError) and exc.value.code == 451
    assert (
        send_message(
            compose_test(to=["a@b"], settings=alert_settings), to=["a@b"], settings=alert_settings
        ).code
        == 250
    )


class _Rejecting(_Handler):
    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        if address.startswith("full@"):
            return "452 4.2.2 mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_5xx_recipient_is_permanent_and_4xx_transient(alert_settings: Settings) -> None:
    sink = SmtpSink()
    sink._controller = Controller(_Rejecting(sink), hostname="127.0.0.1", port=sink.port)
    with sink:
        s = _settings(alert_settings, sink.port)
        msg = compose_test(to=["x"], settings=s)
        with pytest.raises(SmtpPermanentError) as perm:
            send_message(msg, to=["nobody@example.gov.cn"], settings=s)
        assert isinstance(perm.value, AlertError) and perm.value.code == 550
        with pytest.raises(SmtpTransientError):
            send_message(msg, to=["full@example.gov.cn"], settings=s)
        # one good recipient: sent, the refused one reported
        reply = send_message(msg, to=["nobody@example.gov.cn", "ok@example.gov.cn"], settings=s)
        assert reply.code == 250 and reply.refused["nobody@example.gov.cn"][0] == 550
        assert sink.wait_for(1) and sink.envelopes[0]["to"] == ["ok@example.gov.cn"]


def test_connection_refused_is_transient(alert_settings: Settings) -> None:
    s = _settings(alert_settings, free_port())
    with pytest.raises(SmtpTransientError, match="ConnectionRefused"):
        probe(s)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never says a word (a hung relay)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    conns: list[socket.socket] = []
    stop = threading.Event()

    def run() -> None:
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                conns.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=run, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join()
    for c in conns:
        c.close()
    srv.close()


def test_timeout_is_transient(alert_settings: Settings, silent_server: int) -> None:
    s = _settings(alert_settings, silent_server, smtp_timeout=0.5)
    with pytest.raises(SmtpTransientError, match="(?i)timeout|timed out"):
        probe(s)
