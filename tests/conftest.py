"""Shared fixtures (a fresh embedded Cloud per test) and Hypothesis settings.

Hypothesis never times examples (a busy 2-core CI machine is not a failure), and under CI
(``CI=true``) it derandomizes, so a run is reproducible and never flaky.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from cloudlab import Cloud

settings.register_profile(
    "cloudlab", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", parent=settings.get_profile("cloudlab"), derandomize=True, print_blob=True
)
settings.load_profile("ci" if os.environ.get("CI") else "cloudlab")


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    """A fresh mini cloud (seed 0), stopped after the test."""
    c = Cloud(seed=0)
    try:
        yield c
    finally:
        c.stop()
