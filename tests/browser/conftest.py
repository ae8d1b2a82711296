"""Fixtures of the real-browser tests: a JupyterLab server and a guarded Chromium page.

- ``lab_root`` (session): a temporary copy of ``solutions/`` with this folder's
  ``fixtures/`` copied in as ``fixtures/``; notebook paths are relative to it.
- ``lab_server`` (session): JupyterLab serving ``lab_root`` (see ``lab_harness``).
- ``chromium`` (session): Debian's Chromium via Playwright.
- ``page`` (per test): a fresh browser context and page whose requests to hosts other
  than 127.0.0.1/localhost are aborted and recorded.

Run: ``.venv/bin/pytest -q tests/browser -m browser``. Screenshots and the server log go
to ``test-artifacts/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_harness import (
    ARTIFACTS,
    CHROMIUM,
    REPO,
    LabServer,
    install_network_guard,
    launch_chromium,
    start_lab_server,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Temporary copy of the notebooks the browser tests open."""
    root = tmp_path_factory.mktemp("lab-root")
    solutions = REPO / "solutions"
    if solutions.is_dir():
        shutil.copytree(solutions, root, dirs_exist_ok=True)
    shutil.copytree(FIXTURES, root / "fixtures", dirs_exist_ok=True)
    return root


@pytest.fixture(scope="session")
def lab_server(lab_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab on 127.0.0.1 serving ``lab_root``; stopped after the session."""
    state = tmp_path_factory.mktemp("lab-state")
    with start_lab_server(lab_root, state, timeout_s=120) as server:
        yield server
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(server.log, ARTIFACTS / "jupyter-lab.log")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Chromium (``/usr/bin/chromium``) driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with `make chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh page with the network guard installed (see ``lab_harness.page_log``)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    install_network_guard(page)
    try:
        yield page
    finally:
        context.close()
