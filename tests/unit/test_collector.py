"""``worker.collector.paused``: the cyclic collector off inside, back on after (also after an error), nested
pauses leave it off until the outermost ends, and a collector that was off stays off."""

from __future__ import annotations

import gc

import pytest

from worker import collector


def test_paused_turns_the_collector_off_and_back_on() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not resume it
    assert gc.isenabled()


def test_paused_resumes_after_an_error_and_as_a_decorator() -> None:
    @collector.paused()
    def failing() -> None:
        assert not gc.isenabled()
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        failing()
    assert gc.isenabled()
    with pytest.raises(ValueError, match="boom"):
        failing()  # the decorator pauses again on every call
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
