"""Static demand/capacity chart: a recorder (or run results) drawn as deterministic SVG.

This module owns :func:`render_svg` and the max-preserving downsampling it uses
(:func:`minmax_downsample`). It draws with matplotlib's object API (``Figure`` plus the
SVG canvas, never ``pyplot``), inside a style context that starts from matplotlib's
defaults, so a user's global style cannot change the picture and the same input always
gives the same SVG string (fixed ``svg.hashsalt``, no date metadata).

The chart has three panels sharing a virtual-time x axis:

1. demand vs capacity in requests/s, the unmet part of demand hatched and labelled;
2. running instances;
3. cumulative cost in USD.

Events of the recorder (for example the start of a "Diwali sale") are labelled vertical
lines. Colour is never the only signal: every series has its own line style and a legend
entry, and the SVG carries a ``<title>`` and a ``<desc>`` that summarise the numbers for
screen readers.

The recorder is duck-typed (see ``cloudlab.sim.recorder.Recorder``): ``t_s``, ``start``,
``step_s``, ``rec[name]``, ``names``, ``units`` and ``events`` (markers with ``t_s``,
``label`` and ``kind``). A run result is anything with ``.recorder`` and ``.name``.

Example:
    >>> svg = render_svg(result, title="Fixed fleet, one day")   # doctest: +SKIP
    >>> svg.count("<title")                                       # doctest: +SKIP
    1
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.style
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from cloudlab.errors import InvalidScenario
from cloudlab.viz.drawing import (
    STYLE,
    add_accessibility,
    figure_svg,
    fmt_num,
    fmt_usd,
    is_recorder,
    label_event,
    no_data,
    run_start,
    series,
    set_time_axis,
    step_s,
    when,
)

__all__ = ["MAX_POINTS", "minmax_downsample", "render_svg"]

#: Most points drawn per series. A day at 1 s is 86,400 samples; drawing them all makes a
#: multi-megabyte SVG with no visible gain on a 900 px wide chart.
MAX_POINTS = 600

#: Default chart width in CSS pixels.
DEFAULT_WIDTH_PX = 900

#: Series a scenario run records (names fixed by the contract with ``cloudlab.sim``).
DEMAND, CAPACITY, UNMET, INSTANCES, COST = (
    "demand_rps",
    "capacity_rps",
    "unmet_rps",
    "instances",
    "cost_usd",
)

# Colour-blind-safe (Okabe-Ito) colours, always paired with a distinct line style.
_DEMAND_STYLE = {"color": "#222222", "linestyle": "-", "linewidth": 1.3}
_RUN_STYLES: list[dict[str, Any]] = [
    {"color": "#0072B2", "linestyle": "--", "linewidth": 1.6},
    {"color": "#D55E00", "linestyle": "-.", "linewidth": 1.6},
    {"color": "#009E73", "linestyle": ":", "linewidth": 1.9},
    {"color": "#CC79A7", "linestyle": (0, (6, 2, 1, 2, 1, 2)), "linewidth": 1.6},
]
_UNMET_HATCHES = ["////", "\\\\\\\\", "xxxx", "...."]
_EVENT_STYLE = {"color": "#555555", "linestyle": (0, (1, 2)), "linewidth": 1.0}
_MAX_EVENT_LABELS = 8
# Figure margins in inches (fonts are in points, so these do not scale with the width).
_LEFT_IN, _RIGHT_IN, _TOP_IN, _BOTTOM_IN, _GAP_IN = 0.8, 0.6, 0.55, 1.0, 0.38


@dataclass(frozen=True)
class _Run:
    """One recorder to draw, with the name shown in legends."""

    name: str
    rec: Any


# -- downsampling -------------------------------------------------------------------------


def minmax_downsample(
    t_s: np.ndarray, series: Mapping[str, np.ndarray], max_points: int = MAX_POINTS
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Shrink series to at most ``max_points`` points each, keeping every peak and trough.

    The samples are cut into ``max_points // 2`` equal buckets (the same buckets for every
    series, so series can still be compared point by point). Each bucket keeps its
    minimum and its maximum, in the order they happened, drawn at the bucket's first and
    last time. A one-second spike therefore survives a day-long chart, which plain
    averaging or striding would hide.

    Args:
        t_s: sample times in seconds (1-D, increasing).
        series: name -> values, each the same length as ``t_s``.
        max_points: upper bound on the points returned per series (>= 4).

    Returns:
        ``(t_s, {name: values})``, unchanged when there are already few enough points.

    Raises:
        ValueError: when ``max_points < 4`` or a series length differs from ``t_s``.
    """
    if max_points < 4:
        raise ValueError(f"max_points must be >= 4, got {max_points}")
    t = np.asarray(t_s, dtype=float)
    n = t.shape[0]
    arrays = {name: np.asarray(v, dtype=float) for name, v in series.items()}
    for name, v in arrays.items():
        if v.shape != t.shape:
            raise ValueError(
                f"series {name!r} has {v.shape[0] if v.ndim else 0} samples but t_s has {n}; "
                "every series must share the time axis"
            )
    if n <= max_points:
        return t, arrays
    size = math.ceil(n / (max_points // 2))  # samples per bucket
    buckets = math.ceil(n / size)
    pad = buckets * size - n

    def shape(v: np.ndarray) -> np.ndarray:
        return np.pad(v, (0, pad), mode="edge").reshape(buckets, size)

    tb = shape(t)
    t_out = np.empty(2 * buckets)
    t_out[0::2] = tb[:, 0]
    t_out[1::2] = tb[:, -1]
    rows = np.arange(buckets)
    out: dict[str, np.ndarray] = {}
    for name, v in arrays.items():
        vb = shape(v)
        i_min, i_max = vb.argmin(axis=1), vb.argmax(axis=1)
        v_min, v_max = vb[rows, i_min], vb[rows, i_max]
        min_first = i_min <= i_max
        ds = np.empty(2 * buckets)
        ds[0::2] = np.where(min_first, v_min, v_max)
        ds[1::2] = np.where(min_first, v_max, v_min)
        out[name] = ds
    return t_out, out


# -- input handling -----------------------------------------------------------------------


def _as_runs(source: object) -> list[_Run]:
    """Normalise a recorder, a run result, a comparison (anything with ``.results``, as
    ``Experiment`` runs return), or a sequence of them, to a list of runs."""
    if source is Ellipsis:
        raise TypeError(
            "nothing to draw yet: the value is still the `...` placeholder; answer the "
            "question above (replace the `...`), run that cell, then this one"
        )
    results = getattr(source, "results", None)
    if isinstance(results, list):
        source = results
    items: Sequence[object] = source if isinstance(source, (list, tuple)) else [source]
    if not items:
        raise TypeError(
            "render_svg needs a Recorder, a RunResult or a list of them, got an empty "
            f"{type(source).__name__}; pass e.g. [fixed_result, elastic_result]"
        )
    runs: list[_Run] = []
    for i, item in enumerate(items):
        if hasattr(item, "recorder") and is_recorder(item.recorder):
            name = str(getattr(item, "name", "") or "")
            runs.append(_Run(name or f"run {i + 1}", item.recorder))
        elif is_recorder(item):
            runs.append(_Run(f"run {i + 1}", item))
        else:
            raise TypeError(
                "render_svg needs a Recorder, a RunResult, a Comparison or a list of them, got "
                f"{type(item).__name__}; pass the result of scenario.run(cloud, ...) "
                "or its .recorder"
            )
    return runs


# -- formatting helpers -------------------------------------------------------------------


def _fmt_requests(n: float) -> str:
    for factor, unit in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if n >= factor:
            return f"{n / factor:.3g} {unit}"
    return f"{n:.0f}"


# -- drawing ------------------------------------------------------------------------------


def _draw(fig: Figure, runs: list[_Run], title: str, t_end_s: float | None) -> str:
    """Draw the three panels on ``fig``; return the plain-text description."""
    first = runs[0].rec
    start = run_start(first)
    t_full = np.asarray(first.t_s, dtype=float)
    t_lo = float(t_full[0])
    t_hi = float(t_full[-1]) if t_end_s is None else max(float(t_end_s), float(t_full[-1]))
    if t_hi <= t_lo:
        t_hi = t_lo + step_s(first, t_full)

    # Fixed margins in inches (fonts are fixed in points): much faster than a layout engine
    # and just as deterministic.
    w_in, h_in = fig.get_size_inches()
    plot_h = h_in - _TOP_IN - _BOTTOM_IN - 2 * _GAP_IN
    ax_rps, ax_n, ax_cost = fig.subplots(
        3,
        1,
        sharex=True,
        gridspec_kw={
            "height_ratios": [3.0, 1.3, 1.3],
            "left": _LEFT_IN / w_in,
            "right": 1 - _RIGHT_IN / w_in,
            "top": 1 - _TOP_IN / h_in,
            "bottom": _BOTTOM_IN / h_in,
            "hspace": _GAP_IN / (plot_h / 3),
        },
    )
    ax_rps.set_title("Demand vs capacity")
    ax_n.set_title("Instances")
    ax_cost.set_title("Cumulative cost")
    ax_rps.set_ylabel("requests/s")
    ax_n.set_ylabel("instances")
    ax_cost.set_ylabel("USD")

    desc: list[str] = []
    demand_full = series(first, DEMAND)
    if demand_full is not None and demand_full.size:
        i_peak = int(np.argmax(demand_full))
        desc.append(
            f"Demand peaks at {fmt_num(demand_full[i_peak])} requests/s on "
            f"{when(start, t_full[i_peak])}."
        )
        t_d, ds = minmax_downsample(t_full, {"d": demand_full})
        ax_rps.plot(t_d / 3600.0, ds["d"], label="demand", **_DEMAND_STYLE)

    drew_rps = demand_full is not None
    drew_n = drew_cost = False
    max_n = max_cost = 0.0
    for k, run in enumerate(runs):
        style = _RUN_STYLES[k % len(_RUN_STYLES)]
        rec = run.rec
        t = np.asarray(rec.t_s, dtype=float)
        if t.size == 0:
            continue
        step = step_s(rec, t)
        wanted = {
            name: arr
            for name in (CAPACITY, INSTANCES, COST, DEMAND, UNMET)
            if (arr := series(rec, name)) is not None
        }
        demand = demand_full if k == 0 or DEMAND not in wanted else wanted[DEMAND]
        if (
            UNMET not in wanted
            and demand is not None
            and CAPACITY in wanted
            and demand.shape == wanted[CAPACITY].shape
        ):
            wanted[UNMET] = np.maximum(demand - wanted[CAPACITY], 0.0)
        t_ds, ds = minmax_downsample(t, wanted)
        hours = t_ds / 3600.0
        label = run.name if len(runs) > 1 else ""
        facts: list[str] = []
        unmet_note = ""
        if UNMET in wanted and demand is not None:
            unmet_req = float(wanted[UNMET].sum() * step)
            total_req = float(demand.sum() * step)
            pct = 100.0 * unmet_req / total_req if total_req > 0 else 0.0
            unmet_note = f"{pct:.1f}% of requests ({_fmt_requests(unmet_req)})"
            facts.append(f"{pct:.1f}% of requests unmet ({_fmt_requests(unmet_req)})")
        if CAPACITY in ds:
            drew_rps = True
            filled = False
            if demand is not None and demand.shape == t.shape:
                d_ds = minmax_downsample(t, {"d": demand})[1]["d"]
                over = d_ds > ds[CAPACITY]
                if over.any():
                    filled = True
                    ax_rps.fill_between(
                        hours,
                        ds[CAPACITY],
                        d_ds,
                        where=over,
                        step="post",
                        facecolor=to_rgba(style["color"], 0.25),
                        edgecolor=style["color"],
                        hatch=_UNMET_HATCHES[k % len(_UNMET_HATCHES)],
                        linewidth=0.0,
                        label=f"unmet{' (' + label + ')' if label else ' demand'}: {unmet_note}",
                        zorder=1.5,
                    )
            cap_label = f"capacity ({label})" if label else "capacity"
            if unmet_note and not filled:
                cap_label += ": all demand served"
            ax_rps.plot(hours, ds[CAPACITY], label=cap_label, drawstyle="steps-post", **style)
            facts.insert(0, f"capacity up to {fmt_num(wanted[CAPACITY].max())} requests/s")
        if INSTANCES in ds:
            drew_n = True
            ax_n.plot(hours, ds[INSTANCES], drawstyle="steps-post", **style)
            max_n = max(max_n, float(wanted[INSTANCES].max()))
            facts.append(f"up to {int(wanted[INSTANCES].max())} instances")
        if COST in ds:
            drew_cost = True
            final = float(wanted[COST][-1])
            max_cost = max(max_cost, float(wanted[COST].max()))
            ax_cost.plot(
                hours, ds[COST], label=f"{label}: {fmt_usd(final)}" if label else None, **style
            )
            facts.append(f"cost {fmt_usd(final)}")
            if not label:
                ax_cost.annotate(
                    fmt_usd(final),
                    xy=(hours[-1], ds[COST][-1]),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                    color=style["color"],
                )
        if facts:
            desc.append(f"{run.name}: " + ", ".join(facts) + ".")

    for ax, drew, what in (
        (ax_rps, drew_rps, "demand or capacity"),
        (ax_n, drew_n, "instances"),
        (ax_cost, drew_cost, "cost_usd"),
    ):
        if not drew:
            no_data(ax, what)
        ax.set_ylim(bottom=0)

    # Event markers: labelled once each (first occurrence), lines on every panel.
    labelled: set[str] = set()
    events = sorted(getattr(first, "events", []) or [], key=lambda m: float(m.t_s))
    named: list[str] = []
    for marker in events:
        t_m = float(marker.t_s)
        if not t_lo <= t_m <= t_hi:
            continue
        for ax in (ax_rps, ax_n, ax_cost):
            ax.axvline(t_m / 3600.0, **_EVENT_STYLE)
        text = str(marker.label)
        if text in labelled or len(labelled) >= _MAX_EVENT_LABELS:
            continue
        labelled.add(text)
        named.append(f"{text} at {when(start, t_m)}")
        label_event(ax_rps, text, t_m, fontsize=8, color="#333333")
    if named:
        desc.append("Events: " + "; ".join(named) + ".")

    handles, labels = ax_rps.get_legend_handles_labels()
    if handles:  # below the panels, so it never hides data or event labels
        fig.legend(
            handles,
            labels,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=2 if len(runs) > 1 else 3,
        )
    if len(runs) > 1 and drew_cost:
        ax_cost.legend(loc="upper left", title="total", title_fontsize=8)
    ax_n.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    ax_cost.yaxis.set_major_locator(MaxNLocator(nbins=4))
    cents = 2 if max_cost < 5 else 0
    ax_cost.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"${y:,.{cents}f}"))
    if drew_n:  # headroom for the legend and so a flat fleet is not drawn on the frame
        ax_n.set_ylim(0, max_n * 1.25 + 1)
    ax_rps.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{y:,.0f}"))

    set_time_axis(ax_cost, start, t_lo, t_hi)
    if title:
        fig.suptitle(title, fontsize=11, fontweight="bold")
    return " ".join(desc)


def _draw_empty(fig: Figure, title: str) -> str:
    ax = fig.subplots()
    ax.set_axis_off()
    message = (
        "No samples yet.\nRun a scenario, e.g. scenario.run(cloud, hours=24, live=chart),\n"
        "to draw demand, capacity, instances and cost."
    )
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, color="#444444")
    if title:
        fig.suptitle(title, fontsize=11, fontweight="bold")
    return "Empty chart: the recorder has no samples yet."


def render_svg(
    recorder_or_result: Any,
    *,
    title: str = "",
    width_px: int = DEFAULT_WIDTH_PX,
    t_end_s: float | None = None,
) -> str:
    """Draw demand vs capacity, instances and cumulative cost as a deterministic SVG.

    Args:
        recorder_or_result: a ``Recorder``, a ``RunResult`` (anything with ``.recorder``
            and ``.name``), or a list of them to compare (for example a fixed and an
            elastic fleet): the demand comes from the first, each run adds its capacity,
            instances and cost with its own line style.
        title: heading of the chart (also the SVG ``<title>``). Defaults to the run names.
        width_px: width in CSS pixels (height follows, 3:4).
        t_end_s: fix the right end of the time axis (seconds since the cloud's start), so
            a live chart fills from left to right instead of rescaling; default: the
            last sample.

    Returns:
        The SVG document as a string: identical for identical input. An empty recorder
        (no samples yet) gives an "empty state" chart that says how to fill it.

    Raises:
        TypeError: ``recorder_or_result`` is not a recorder, result or list of them.
        InvalidScenario: the recorder has none of the series the chart draws, or
            ``width_px`` is out of range.
    """
    if not 200 <= width_px <= 4000:
        raise InvalidScenario(f"width_px must be between 200 and 4000, got {width_px}")
    runs = _as_runs(recorder_or_result)
    drawable = (DEMAND, CAPACITY, INSTANCES, COST)
    for run in runs:
        if not any(name in run.rec.names for name in drawable):
            raise InvalidScenario(
                f"recorder of {run.name!r} has none of the series the chart draws "
                f"{list(drawable)}; it has {list(run.rec.names)}. Chart the recorder of a "
                "Scenario run (result.recorder) or record one of those series."
            )
    if not title and any(not r.name.startswith("run ") for r in runs):
        title = " vs ".join(r.name for r in runs)
    empty = all(np.asarray(r.rec.t_s).size == 0 for r in runs)

    width_in = width_px / 96.0  # SVG is written at 72 pt per inch: width_px CSS pixels
    with matplotlib.style.context(["default", STYLE]):
        fig = Figure(figsize=(width_in, width_in * 0.75))
        if empty or np.asarray(runs[0].rec.t_s).size == 0:
            desc = _draw_empty(fig, title)
        else:
            desc = _draw(fig, runs, title, t_end_s)
        svg = figure_svg(fig)
    chart_title = title or "Demand vs capacity, instances and cost"
    return add_accessibility(svg, chart_title, desc)
