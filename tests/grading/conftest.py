"""Fixtures of the grading tests: the fixture lab ``lab90`` and its notebooks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudlab.checks import EXTRA_CHECKS_ENV, register_module

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LAB90_CHECKS = FIXTURES / "checks" / "lab90.py"


@pytest.fixture(scope="session", autouse=True)
def lab90_checks() -> Iterator[Path]:
    """Register lab90's checks here and, through the environment, in graded kernels."""
    old = os.environ.get(EXTRA_CHECKS_ENV)
    os.environ[EXTRA_CHECKS_ENV] = str(LAB90_CHECKS)
    register_module(LAB90_CHECKS)
    try:
        yield LAB90_CHECKS
    finally:
        if old is None:
            os.environ.pop(EXTRA_CHECKS_ENV, None)
        else:
            os.environ[EXTRA_CHECKS_ENV] = old
