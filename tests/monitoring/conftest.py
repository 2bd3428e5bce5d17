"""Fixtures of the monitoring tests: real broker, database and SMTP (tests/utils/services.py, tests/utils/smtp.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.utils.smtp import SmtpSink


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink
