"""Fixtures of the rule tests: the real parser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from worker.parse.models import Report

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def parse_text() -> Callable[..., Report]:
    """``worker.parse.parse_text``: rule fixtures always go through the real parser (never skipped)."""
    from worker.parse import parse_text as parse

    return parse
