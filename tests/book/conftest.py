"""Fixtures of the book tests: the built book, built at most once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from bookpages import build_book


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The built HTML folder (``book/_build/html``), building the book first when stale."""
    return build_book()
