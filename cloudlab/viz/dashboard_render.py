"""Static scaling dashboard: one run of an Auto Scaling group drawn as a deterministic SVG.

This module owns :func:`render_dashboard_svg`. Four panels share one virtual-time axis:

1. demand vs capacity vs served (req/s), the unserved part hatched;
2. in-service instances per Availability Zone as stacked, hatched step areas, with the
   ASG's desired capacity and the healthy hosts as lines, and scaling actions as
   triangles (up: scale out, down: scale in);
3. latency p50/p95/p99 (ms) with an optional p95 SLO line, and the error rate (% of
   requests) on a second axis;
4. cumulative cost (USD).

Alarm states are shaded, hatched bands across every panel, labelled with the alarm's
name; failures, recoveries, spikes and notes are labelled vertical lines. Colour is never
the only signal: each series has its own line style or hatch and a text label. Below the
panels, a table gives the headline numbers of the run (and of the previous run, when the
widget replays with new settings). Same input, same SVG bytes: matplotlib's object API
inside a fixed style, ``svg.hashsalt`` fixed, no date (as :mod:`cloudlab.viz.render`).

Example:
    >>> svg = render_dashboard_svg(result.recorder, slo_p95_ms=250)   # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import matplotlib.style
import numpy as np
from matplotlib.figure import Figure

from cloudlab.errors import InvalidScenario
from cloudlab.viz.dashboard_data import Summary, as_recorder, summarize
from cloudlab.viz.dashboard_panels import (
    draw_cost,
    draw_events,
    draw_fleet,
    draw_latency,
    draw_traffic,
    panel_legend,
)
from cloudlab.viz.drawing import (
    STYLE,
    add_accessibility,
    figure_svg,
    run_start,
    set_time_axis,
    step_s,
)
from cloudlab.viz.render import DEFAULT_WIDTH_PX

__all__ = ["DEFAULT_HEIGHT_PX", "DEFAULT_WIDTH_PX", "render_dashboard_svg"]

#: Default dashboard height in CSS pixels.
DEFAULT_HEIGHT_PX = 900

# Fixed margins in inches (fonts are in points; no layout engine: fast and deterministic).
_LEFT_IN, _RIGHT_IN, _TOP_IN, _GAP_IN, _AXIS_IN, _ROW_IN = 0.85, 0.8, 0.6, 0.5, 0.55, 0.2
# Path coordinates keep one decimal (0.1 pt is invisible): about half the SVG bytes.
_PATH_DATA = re.compile(r'\bd="[^"]*"')
_DECIMALS = re.compile(r"(\.\d)\d+")


def _draw_summary(fig: Figure, rows: Sequence[Summary], w_in: float, h_in: float) -> None:
    """The table of headline numbers under the time axis (one row per run)."""
    label_w = 2.4
    cols = Summary.HEADINGS
    col_w = (w_in - _LEFT_IN * 0.5 - label_w - 0.3) / len(cols)
    x0 = _LEFT_IN * 0.5

    def put(x_in: float, row: int, text: str, **kw: Any) -> None:
        y_in = 0.15 + (len(rows) - row) * _ROW_IN
        fig.text(x_in / w_in, y_in / h_in, text, va="bottom", fontsize=8, **kw)

    put(x0, -1, "summary", fontweight="bold")
    for c, heading in enumerate(cols):
        put(x0 + label_w + (c + 1) * col_w, -1, heading, ha="right", fontweight="bold")
    for r, summary in enumerate(rows):
        label = summary.label if len(summary.label) <= 40 else summary.label[:39] + "\u2026"
        current = r == len(rows) - 1
        put(x0, r, label, fontweight="bold" if current and len(rows) > 1 else "normal")
        for c, cell in enumerate(summary.cells()):
            put(x0 + label_w + (c + 1) * col_w, r, cell, ha="right")


def _draw(
    fig: Figure,
    rec: Any,
    t_end_s: float | None,
    slo: float | None,
    rows: Sequence[Summary],
) -> str:
    start = run_start(rec)
    t = np.asarray(rec.t_s, dtype=float)
    t_lo = float(t[0])
    t_data = float(t[-1]) + step_s(rec, t)
    t_hi = max(float(t_end_s), float(t[-1])) if t_end_s is not None else float(t[-1])
    if t_hi <= t_lo:
        t_hi = t_lo + step_s(rec, t)
    w_in, h_in = fig.get_size_inches()
    bottom_in = _AXIS_IN + 0.25 + _ROW_IN * (len(rows) + 1)
    plot_h = h_in - _TOP_IN - bottom_in - 3 * _GAP_IN
    ratios = [3.0, 2.2, 2.2, 1.4]
    axes = fig.subplots(
        4,
        1,
        sharex=True,
        gridspec_kw={
            "height_ratios": ratios,
            "left": _LEFT_IN / w_in,
            "right": 1 - _RIGHT_IN / w_in,
            "top": 1 - _TOP_IN / h_in,
            "bottom": bottom_in / h_in,
            "hspace": _GAP_IN / (plot_h / len(ratios)),
        },
    )
    ax_rps, ax_n, ax_ms, ax_usd = axes
    for ax, heading, unit in (
        (ax_rps, "Demand vs capacity", "requests/s"),
        (ax_n, "Instances in service per AZ", "instances"),
        (ax_ms, "Latency and errors", "ms"),
        (ax_usd, "Cumulative cost", "USD"),
    ):
        ax.set_title(heading, y=1.0, pad=4.0)  # a fixed y skips a costly auto layout
        ax.set_ylabel(unit)
    desc: list[str] = []
    events = [m for m in (getattr(rec, "events", None) or []) if t_lo <= float(m.t_s) <= t_data]
    draw_traffic(ax_rps, rec, t, desc, start)
    draw_fleet(ax_n, rec, t, events)
    draw_latency(ax_ms, rec, t, slo, desc)
    draw_cost(ax_usd, rec, t)
    draw_events(axes, rec, t_lo, min(t_data, t_hi), desc, start)
    panel_legend(ax_rps)
    desc.extend(s.text() + "." for s in rows)

    set_time_axis(ax_usd, start, t_lo, t_hi)
    _draw_summary(fig, rows, w_in, h_in)
    return " ".join(desc)


def _draw_empty(fig: Figure) -> str:
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        "No samples yet.\nPass a recorder, or run a scenario with live=dashboard,\n"
        "to draw demand, instances per AZ, latency, errors and cost.",
        ha="center",
        va="center",
        fontsize=10,
        color="#444444",
    )
    return "Empty dashboard: no samples yet."


def render_dashboard_svg(
    recorder: Any,
    *,
    title: str = "",
    width_px: int = DEFAULT_WIDTH_PX,
    height_px: int = DEFAULT_HEIGHT_PX,
    t_end_s: float | None = None,
    slo_p95_ms: float | None = None,
    summaries: Sequence[Summary] | None = None,
    progress_text: str = "",
) -> str:
    """Draw the scaling dashboard of one run as a deterministic SVG string.

    Args:
        recorder: a ``Recorder`` (or a run result with ``.recorder``) holding at least
            ``demand_rps``; ``None`` or an empty recorder gives the "no samples yet" state.
        title: heading (also the SVG ``<title>``).
        width_px, height_px: size in CSS pixels.
        t_end_s: right end of the time axis, so a live run fills from left to right.
        slo_p95_ms: draw a p95 latency objective line at this many milliseconds.
        summaries: rows of the summary table, oldest first; default: this run only.
        progress_text: shown at the top right while a run is going, e.g.
            ``"t = 14:00 of 24:00"``.

    Returns:
        The SVG document, identical for identical input.

    Raises:
        TypeError: ``recorder`` is not a recorder or a result with one.
        InvalidScenario: no ``demand_rps`` series, a size out of range, or
            ``slo_p95_ms <= 0``.
    """
    if not 400 <= width_px <= 4000:
        raise InvalidScenario(f"width_px must be between 400 and 4000, got {width_px}")
    if not 300 <= height_px <= 4000:
        raise InvalidScenario(f"height_px must be between 300 and 4000, got {height_px}")
    if slo_p95_ms is not None and not slo_p95_ms > 0:
        raise InvalidScenario(f"slo_p95_ms must be > 0 milliseconds, got {slo_p95_ms!r}")
    rec = None if recorder is None else as_recorder(recorder)
    empty = rec is None or np.asarray(rec.t_s).size == 0
    rows = list(summaries) if summaries else ([] if empty else [summarize(rec)])
    with matplotlib.style.context(["default", STYLE]):
        fig = Figure(figsize=(width_px / 96.0, height_px / 96.0))
        desc = _draw_empty(fig) if empty else _draw(fig, rec, t_end_s, slo_p95_ms, rows)
        if title:
            fig.suptitle(
                title,
                x=_LEFT_IN * 0.5 / (width_px / 96.0),
                ha="left",
                fontsize=11,
                fontweight="bold",
            )
        if progress_text:
            fig.text(0.99, 0.99, progress_text, ha="right", va="top", fontsize=9, color="#333333")
        svg = figure_svg(fig)
    svg = _PATH_DATA.sub(lambda m: _DECIMALS.sub(r"\1", m.group(0)), svg)
    heading = title or "Scaling dashboard: demand, instances per AZ, latency, errors, cost"
    return add_accessibility(svg, heading, desc)
