"""The static form saved in an executed notebook is the chart's final state.

A live chart is displayed empty and filled while a scenario runs; the book, GitHub and
nbval read the ``image/svg+xml`` saved in the notebook, so the final render must replace
the one saved at display time (display id + update_display_data).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytest.importorskip("cloudlab.sim")

FIXTURE = Path(__file__).parents[1] / "browser" / "fixtures" / "chart_widget.ipynb"
VIEW = "application/vnd.jupyter.widget-view+json"


def test_executed_notebook_saves_the_final_svg_of_a_live_chart() -> None:
    nb = nbformat.read(FIXTURE, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    static, live = code[0].outputs, code[1].outputs
    for outputs in (static, live):
        assert len(outputs) == 1
        assert set(outputs[0]["data"]) == {VIEW, "image/svg+xml", "text/plain"}
    live_svg = live[0]["data"]["image/svg+xml"]
    assert "No samples yet" not in live_svg
    assert "Diwali sale ends" in live_svg
    assert (
        live[0]["data"]["text/plain"]
        == "DemandCapacityChart(title='Fixture: live run', progress=1.00)"
    )
