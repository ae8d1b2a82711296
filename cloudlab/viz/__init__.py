"""Widgets and static charts: views of recorded runs, never simulation logic.

Public names:

- :func:`render_svg` draws a run (demand vs capacity, instances, cost) as a deterministic
  SVG string, the static form used by the book, GitHub and nbval.
- :class:`DemandCapacityChart` is the live JupyterLab widget (``Scenario.run(...,
  live=chart)`` updates it); :func:`chart` builds one from finished results.
- :func:`minmax_downsample` shrinks long series while keeping their peaks.
- :class:`TopologyWidget` (and :func:`topology`) is the live network diagram of a Region:
  VPCs, AZs, public/private subnets, gateways, instances, load balancers, databases,
  optional security-group arrows and a highlighted reachability path;
  :func:`render_topology_svg` is its static SVG form, drawn from a :class:`TopologyModel`.
- :class:`ScalingDashboard` (and :func:`dashboard`) shows an Auto Scaling run: demand vs
  capacity, instances per AZ, latency and errors, cost, alarm bands and scaling actions,
  live during a run, with optional sliders to replay the run with other settings.
"""

from __future__ import annotations

from cloudlab.viz.chart import DemandCapacityChart, chart
from cloudlab.viz.dashboard import ScalingDashboard, dashboard
from cloudlab.viz.render import minmax_downsample, render_svg
from cloudlab.viz.topology import TopologyWidget, topology
from cloudlab.viz.topology_layout import render_topology_svg
from cloudlab.viz.topology_model import TopologyModel

__all__ = [
    "DemandCapacityChart",
    "ScalingDashboard",
    "TopologyModel",
    "TopologyWidget",
    "chart",
    "dashboard",
    "minmax_downsample",
    "render_svg",
    "render_topology_svg",
    "topology",
]
