"""Widgets and static charts: views of recorded runs, never simulation logic.

Public names:

- :func:`render_svg` draws a run (demand vs capacity, instances, cost) as a deterministic
  SVG string, the static form used by the book, GitHub and nbval.
- :class:`DemandCapacityChart` is the live JupyterLab widget (``Scenario.run(...,
  live=chart)`` updates it); :func:`chart` builds one from finished results.
- :func:`minmax_downsample` shrinks long series while keeping their peaks.
"""

from __future__ import annotations

from cloudlab.viz.chart import DemandCapacityChart, chart
from cloudlab.viz.render import minmax_downsample, render_svg

__all__ = ["DemandCapacityChart", "chart", "minmax_downsample", "render_svg"]
