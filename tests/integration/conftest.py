"""Fixtures of the integration tests: real broker, real databases, real SMTP (see tests/utils/services.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.utils.smtp import SmtpSink


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink
