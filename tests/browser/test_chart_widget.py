"""The demand/capacity chart really renders in JupyterLab (headless Chromium), offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lab_harness import REPO, LabServer, run_notebook

pytestmark = pytest.mark.browser

CHART = ".cloudlab-chart .cloudlab-chart__svg svg"

_SOLUTIONS = sorted((REPO / "solutions").glob("01-*.ipynb"))
SOLUTION_PARAMS = [pytest.param(p.name, id=p.stem) for p in _SOLUTIONS]


def test_lab01_solution_exists() -> None:
    assert SOLUTION_PARAMS, "solutions/01-*.ipynb is missing"


def test_fixture_notebook_renders_static_and_live_charts(page: Any, lab_server: LabServer) -> None:
    run = run_notebook(page, lab_server, "fixtures/chart_widget.ipynb", wait_for=CHART)
    run.assert_ok()
    assert run.code_cells == 3
    charts = page.locator(CHART)
    assert charts.count() == 2
    for i in range(2):
        svg = charts.nth(i)
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 400 and box["height"] > 250
        assert svg.get_attribute("role") == "img"
    # the live chart finished: its progress bar is hidden, and it shows the spike marker
    assert page.locator(".cloudlab-chart__status").nth(1).is_hidden()
    assert "Diwali sale" in (charts.nth(1).text_content() or "")
    assert "Fixture: a recorder built by hand" in (charts.nth(0).text_content() or "")
    assert not run.blocked_requests
    assert page.get_by_text("Error displaying widget").count() == 0
    assert Path(run.screenshot).stat().st_size > 10_000
    print(f"\nchart_widget.ipynb ran in {run.duration_s:.1f}s; screenshot {run.screenshot}")
    print("console errors:", run.console_errors)


@pytest.mark.parametrize("notebook", SOLUTION_PARAMS)
def test_lab01_solution_renders_the_chart(page: Any, lab_server: LabServer, notebook: str) -> None:
    run = run_notebook(page, lab_server, notebook, wait_for=CHART)
    run.assert_ok()
    assert page.locator(CHART).count() == 2  # the Monday experiment and the week of test servers
    assert page.locator(CHART).first.is_visible()
    assert run.blocked_requests == []
