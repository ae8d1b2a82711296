"""Fixtures for the viz tests (fake recorders from ``fake_recorder``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fake_recorder import FakeMarker, FakeRecorder, make_recorder


@pytest.fixture
def recorder_factory() -> Callable[..., FakeRecorder]:
    """Build fake recorders: ``recorder_factory(hours=24, step_s=60, ...)``."""
    return make_recorder


@pytest.fixture
def day_recorder() -> FakeRecorder:
    """One day at 1-minute resolution with a "Diwali sale" marker at 12:00."""
    return make_recorder(events=[FakeMarker(12 * 3600.0, "Diwali sale", "start")])
