"""The topology widget really renders in JupyterLab (headless Chromium), offline, and
updates live when a later cell launches an instance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lab_harness import LabServer, run_notebook

pytestmark = pytest.mark.browser

SVG = ".cloudlab-topology .cloudlab-topology__svg svg"


def test_fixture_notebook_renders_the_live_topology(page: Any, lab_server: LabServer) -> None:
    run = run_notebook(page, lab_server, "fixtures/topology_widget.ipynb", wait_for=SVG)
    run.assert_ok()
    assert run.code_cells == 3
    svg = page.locator(SVG)
    assert svg.count() == 1 and svg.first.is_visible()
    assert svg.first.get_attribute("role") == "img"
    box = svg.first.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 300
    text = svg.first.text_content() or ""
    assert "Fixture: shop VPC" in text
    assert "PUBLIC subnet" in text and "PRIVATE subnet" in text
    assert "late-worker" in text  # launched in a later cell: the view updated live
    assert "● running" in text or "◐ pending" in text
    # the checkbox follows the trait set from Python in the last cell
    assert page.locator(".cloudlab-topology__sg").first.is_checked()
    assert "Security-group inbound rules" in text
    # clicking a tile selects it; Python answers with its details
    page.locator(f"{SVG} g.cltopo-tile", has_text="late-worker").first.click()
    details = page.locator(".cloudlab-topology__details")
    details.wait_for(state="visible", timeout=15_000)
    assert "late-worker" in (details.text_content() or "")
    assert not run.blocked_requests
    assert page.get_by_text("Error displaying widget").count() == 0
    shot = Path(run.screenshot).with_name("topology_widget_after_click.png")
    page.screenshot(path=str(shot), full_page=True)
    assert Path(run.screenshot).stat().st_size > 10_000
    print(f"\ntopology_widget.ipynb ran in {run.duration_s:.1f}s; screenshot {run.screenshot}")
    print("console errors:", run.console_errors)
