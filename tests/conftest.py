"""Shared fixtures: a fresh embedded Cloud per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudlab import Cloud


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    """A fresh mini cloud (seed 0), stopped after the test."""
    c = Cloud(seed=0)
    try:
        yield c
    finally:
        c.stop()
