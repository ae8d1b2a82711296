"""Fixtures for the simulation tests: a real Cloud, and a clock-only stand-in for
Hypothesis examples (a real Cloud per example would be slow)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import numpy as np
import pytest

from cloudlab.cloud import DEFAULT_START, Cloud, VirtualClock


class ClockOnlyCloud:
    """Just what Scenario.run uses: ``clock``, ``t`` and ``rng(stream)`` (derived like Cloud's)."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.clock = VirtualClock(DEFAULT_START)

    @property
    def t(self) -> float:
        return self.clock.t

    def rng(self, stream: str = "default") -> np.random.Generator:
        key = zlib.crc32(stream.encode("utf-8"))
        return np.random.default_rng(np.random.SeedSequence(entropy=self.seed, spawn_key=(key,)))


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    with Cloud(seed=0) as c:
        yield c


@pytest.fixture
def light() -> ClockOnlyCloud:
    return ClockOnlyCloud(seed=0)


@pytest.fixture
def make_light() -> type[ClockOnlyCloud]:
    """Build more clock-only clouds in one test: ``make_light(seed)``."""
    return ClockOnlyCloud
