"""The scaling dashboard really renders in JupyterLab (headless Chromium), offline: it fills
while a (simulated) live run calls ``update``, and its Replay button reaches Python."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lab_harness import ARTIFACTS, LabServer, run_notebook

pytestmark = pytest.mark.browser

ROOT = ".cloudlab-dashboard"
SVG = f"{ROOT} .cloudlab-dashboard__svg svg"
LABEL = f"{ROOT} .cloudlab-dashboard__progress-label"

# Installed before JupyterLab loads: remembers every progress text the view showed and
# counts the SVG documents it put on the page, so the test can tell the view changed
# *during* the run, not only that it ends right.
WATCH_VIEW = """
(() => {
  window.__dashTexts = [];
  window.__dashSvgs = 0;
  const seenSvgs = new WeakSet();
  const look = () => {
    for (const label of document.querySelectorAll('.cloudlab-dashboard__progress-label')) {
      const text = label.textContent || '';
      if (text && window.__dashTexts[window.__dashTexts.length - 1] !== text) {
        window.__dashTexts.push(text);
      }
    }
    for (const svg of document.querySelectorAll('.cloudlab-dashboard__svg svg')) {
      if (!seenSvgs.has(svg)) { seenSvgs.add(svg); window.__dashSvgs += 1; }
    }
  };
  const start = () => new MutationObserver(look).observe(
    document.documentElement, {childList: true, subtree: true, characterData: true});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


def _svg_text(page: Any) -> str:
    return page.locator(SVG).first.text_content() or ""


def _set_slider(page: Any, name: str, value: float) -> None:
    """Move a range input like a learner would (input, then change events)."""
    page.locator(f"{ROOT} input[name='{name}']").evaluate(
        """(input, value) => {
          input.value = String(value);
          input.dispatchEvent(new Event('input', {bubbles: true}));
          input.dispatchEvent(new Event('change', {bubbles: true}));
        }""",
        value,
    )


def test_dashboard_fills_live_and_replays(page: Any, lab_server: LabServer) -> None:
    page.add_init_script(WATCH_VIEW)
    run = run_notebook(page, lab_server, "fixtures/dashboard_widget.ipynb", wait_for=SVG)
    run.assert_ok()
    assert run.code_cells == 2
    svg = page.locator(SVG)
    assert svg.count() == 1 and svg.first.is_visible()
    assert svg.first.get_attribute("role") == "img"
    box = svg.first.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 500

    # it changed during the run: partial progress texts, then the final one
    texts = page.evaluate("window.__dashTexts")
    partial = [t for t in texts if re.fullmatch(r"simulating\u2026 t = (\d+):00 of 24:00", t)]
    assert len(partial) >= 3, texts
    assert not any(t.startswith("t = ") and t != "t = 24:00 of 24:00" for t in texts), texts
    assert any(int(re.search(r"t = (\d+):", t).group(1)) < 20 for t in partial), texts
    assert page.locator(LABEL).text_content() == "t = 24:00 of 24:00"
    assert page.evaluate("window.__dashSvgs") >= 4  # empty state, partial frames, final
    assert page.locator(f"{ROOT} .cloudlab-dashboard__progress").is_hidden()

    text = _svg_text(page)
    assert "Fixture: flash sale day" in text
    for label in ("us-east-1a", "us-east-1b", "us-east-1c", "desired", "SLO p95", "flash sale"):
        assert label in text, label
    assert "run 1: scale_out_cpu=70, min_size=2" in text
    assert page.locator(f"{ROOT} .cloudlab-dashboard__error").is_hidden()
    assert page.get_by_text("Error displaying widget").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(ROOT).screenshot(path=str(ARTIFACTS / "dashboard_widget_view.png"))

    # replay with a lower threshold: Python runs day(scale_out_cpu=40) and compares
    _set_slider(page, "scale_out_cpu", 40)
    assert page.locator(f"{ROOT} output").first.text_content() == "40"
    page.locator(f"{ROOT} .cloudlab-dashboard__replay").click()
    page.wait_for_function(
        """(sel) => {
          const svg = document.querySelector(sel);
          return !!svg && svg.textContent.includes('run 2: scale_out_cpu=40, min_size=2');
        }""",
        arg=SVG,
        timeout=60_000,
    )
    text = _svg_text(page)
    assert "run 1: scale_out_cpu=70, min_size=2" in text  # the previous run, for comparison
    assert page.locator(f"{ROOT} .cloudlab-dashboard__replay").is_enabled()
    page.locator(ROOT).screenshot(path=str(ARTIFACTS / "dashboard_widget_after_replay.png"))

    # a replay that raises shows a readable message, and the drawing stays
    _set_slider(page, "scale_out_cpu", 100)
    page.locator(f"{ROOT} .cloudlab-dashboard__replay").click()
    error = page.locator(f"{ROOT} .cloudlab-dashboard__error")
    error.wait_for(state="visible", timeout=60_000)
    assert "Replay failed: ValueError: scale_out_cpu=100 never scales out" in (
        error.text_content() or ""
    )
    assert "run 2: scale_out_cpu=40, min_size=2" in _svg_text(page)
    page.locator(ROOT).screenshot(path=str(ARTIFACTS / "dashboard_widget_replay_error.png"))

    assert not run.blocked_requests
    assert Path(run.screenshot).stat().st_size > 10_000
    print(f"\ndashboard_widget.ipynb ran in {run.duration_s:.1f}s; screenshot {run.screenshot}")
    print("progress texts seen:", texts)
    print("console errors:", run.console_errors)
