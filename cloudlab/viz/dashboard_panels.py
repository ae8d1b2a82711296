"""The four panels of the scaling dashboard, drawn on matplotlib axes.

This module owns how each panel looks (series styles, hatches, legends) and the event
overlay (alarm bands, labelled lines, scaling triangles); :mod:`cloudlab.viz.dashboard_render`
lays the panels out and writes the SVG. Colour is never the only signal: every series has
a line style or hatch of its own and a text label in a legend.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

from cloudlab.viz.dashboard_data import (
    alarm_bands,
    az_series,
    change_indices,
    error_pct_series,
    label_rows,
    merge_bands,
    minmax_indices,
    series,
)
from cloudlab.viz.drawing import fmt_num, fmt_usd, label_event, no_data, step_s, when
from cloudlab.viz.render import MAX_POINTS

__all__ = [
    "draw_cost",
    "draw_events",
    "draw_fleet",
    "draw_latency",
    "draw_traffic",
    "panel_legend",
]

_DEMAND: dict[str, Any] = {"color": "#222222", "linestyle": "-", "linewidth": 1.3}
_CAPACITY: dict[str, Any] = {"color": "#0072B2", "linestyle": "--", "linewidth": 1.5}
_SERVED: dict[str, Any] = {"color": "#009E73", "linestyle": ":", "linewidth": 1.8}
_DESIRED: dict[str, Any] = {"color": "#222222", "linestyle": "--", "linewidth": 1.3}
_HEALTHY: dict[str, Any] = {"color": "#CC79A7", "linestyle": ":", "linewidth": 1.6}
_LATENCY: dict[str, dict[str, Any]] = {
    "p50_ms": {"color": "#56B4E9", "linestyle": "-", "linewidth": 1.0},
    "p95_ms": {"color": "#0072B2", "linestyle": "--", "linewidth": 1.5},
    "p99_ms": {"color": "#222222", "linestyle": ":", "linewidth": 1.5},
}
_SLO: dict[str, Any] = {"color": "#D55E00", "linestyle": "-.", "linewidth": 1.2}
_ERRORS: dict[str, Any] = {"color": "#D55E00", "linestyle": "-", "linewidth": 1.0}
_COST: dict[str, Any] = {"color": "#0072B2", "linestyle": "-", "linewidth": 1.5}
_AZ_COLOURS = ["#56B4E9", "#E69F00", "#009E73", "#F0E442", "#CC79A7", "#999999"]
_AZ_HATCHES = ["", "////", "\\\\\\\\", "xxxx", "----", "||||"]  # no dots: huge in SVG
_ALARM_COLOUR = "#D55E00"
_ALARM_LABEL_PT = 7.0  # font size of an alarm band's label
_ALARM_LABEL_GAP_PT = 8.0  # its offset from the band's start plus room before the next one
_LINE_EVENTS: dict[str, tuple[str, dict[str, Any]]] = {
    # kind -> (text prefix, line style)
    "failure": ("\u2715 ", {"color": "#A03000", "linestyle": "--", "linewidth": 1.1}),
    "recovery": ("\u2713 ", {"color": "#007A5A", "linestyle": "-.", "linewidth": 1.1}),
    "spike": ("", {"color": "#555555", "linestyle": (0, (1, 2)), "linewidth": 1.0}),
    "spike_end": ("", {"color": "#555555", "linestyle": (0, (1, 2)), "linewidth": 1.0}),
    "note": ("", {"color": "#555555", "linestyle": (0, (1, 2)), "linewidth": 1.0}),
}
_MAX_EVENT_LABELS = 10
_MAX_ALARM_TEXTS = 12  # alarm periods spelled out in the SVG <desc>
_MAX_ALARM_LABEL = 24  # characters of an alarm name written on its band


def panel_legend(ax: Axes, handles: list[Any] | None = None) -> None:
    """A one-line legend on the panel's title row, right-aligned (never over the data)."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        labels = [h.get_label() for h in handles]
    if not handles:
        return
    ax.legend(
        handles,
        labels,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=min(len(handles), 6),
        fontsize=7.5,
        borderaxespad=0.15,
        handlelength=2.0,
        columnspacing=1.0,
        handletextpad=0.4,
    )


def _picked(
    t: np.ndarray, values: np.ndarray, *, step: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Hours and values to draw: exact change points of a step series when few enough,
    else the peak-preserving min/max samples."""
    idx = change_indices(values, max_points=MAX_POINTS) if step else None
    if idx is None:
        idx = minmax_indices(values, MAX_POINTS)
    return t[idx] / 3600.0, values[idx]


def draw_traffic(ax: Axes, rec: Any, t: np.ndarray, desc: list[str], start: Any) -> None:
    demand = series(rec, "demand_rps")
    assert demand is not None  # checked by as_recorder
    ax.plot(*_picked(t, demand), label="demand", **_DEMAND)
    if demand.size:
        i = int(np.argmax(demand))
        desc.append(f"Demand peaks at {fmt_num(demand[i])} req/s on {when(start, t[i])}.")
    capacity = series(rec, "capacity_rps")
    served = series(rec, "served_rps")
    ceiling = served if served is not None else capacity
    if ceiling is not None:
        short = np.maximum(demand - ceiling, 0.0)
        if (short > 0).any():
            idx = minmax_indices(short, MAX_POINTS)
            ax.fill_between(  # one polygon, zero-height where all demand was served
                t[idx] / 3600.0,
                ceiling[idx],
                ceiling[idx] + short[idx],
                facecolor=to_rgba(_ALARM_COLOUR, 0.18),
                edgecolor=to_rgba(_ALARM_COLOUR, 0.6),
                hatch="////",
                linewidth=0.0,
                label="not served",
                zorder=1.5,
            )
    if capacity is not None:
        ax.plot(
            *_picked(t, capacity, step=True), label="capacity", drawstyle="steps-post", **_CAPACITY
        )
    if served is not None:
        ax.plot(*_picked(t, served), label="served", **_SERVED)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{y:,.0f}"))


def draw_fleet(ax: Axes, rec: Any, t: np.ndarray, events: Sequence[Any]) -> None:
    """Instances per AZ (stacked), desired, healthy hosts and scaling actions."""
    per_az = az_series(rec)
    total = series(rec, "instances")
    top = 0.0
    az_handles: list[Any] = []
    if per_az:
        layers = np.cumsum(np.array(list(per_az.values())), axis=0)
        idx = change_indices(*layers, max_points=MAX_POINTS)
        if idx is None:
            idx = minmax_indices(layers[-1], MAX_POINTS)
        hours = t[idx] / 3600.0
        below = np.zeros(idx.shape[0])
        for k, (az, layer) in enumerate(zip(per_az, layers, strict=True)):
            colour = _AZ_COLOURS[k % len(_AZ_COLOURS)]
            patch = ax.fill_between(
                hours,
                below,
                layer[idx],
                step="post",
                facecolor=to_rgba(colour, 0.55),
                edgecolor=to_rgba("#333333", 0.7),
                hatch=_AZ_HATCHES[k % len(_AZ_HATCHES)],
                linewidth=0.4,
                label=az,
            )
            az_handles.append(patch)
            below = layer[idx]
        top = float(layers[-1].max())
    elif total is not None:
        ax.plot(
            *_picked(t, total, step=True), label="in service", drawstyle="steps-post", **_CAPACITY
        )
        top = float(total.max()) if total.size else 0.0
    desired = series(rec, "desired")
    if desired is not None:
        ax.plot(
            *_picked(t, desired, step=True), label="desired", drawstyle="steps-post", **_DESIRED
        )
        top = max(top, float(desired.max()) if desired.size else 0.0)
    healthy = series(rec, "healthy_hosts")
    if healthy is not None:
        ax.plot(
            *_picked(t, healthy, step=True), label="healthy", drawstyle="steps-post", **_HEALTHY
        )
        top = max(top, float(healthy.max()) if healthy.size else 0.0)
    level = desired if desired is not None else total
    if level is None and per_az:
        level = np.sum(list(per_az.values()), axis=0)
    step = step_s(rec, t)
    # at most one triangle per 1/200 of the axis and kind (the legend gives the count)
    bin_s = max(step, (float(t[-1]) - float(t[0])) / 200.0) if t.size else 1.0
    for kind, marker, text in (("scale_out", "^", "scale out"), ("scale_in", "v", "scale in")):
        every = np.array([float(m.t_s) for m in events if m.kind == kind], dtype=float)
        if every.size == 0:
            continue
        keep = np.unique(np.floor((every - float(t[0])) / bin_s), return_index=True)[1]
        times = every[np.sort(keep)]
        if level is not None and t.size:
            i = np.clip(np.round((times - t[0]) / step).astype(int), 0, t.size - 1)
            ys = level[i]
        else:
            ys = np.zeros_like(times)
        ax.plot(
            times / 3600.0,
            ys,
            linestyle="none",
            marker=marker,
            markersize=6.5,
            markerfacecolor="white" if kind == "scale_in" else "#222222",
            markeredgecolor="#222222",
            label=f"{text} ({every.size})",
            zorder=4,
        )
    if top == 0.0 and not per_az and total is None and desired is None:
        no_data(ax, "instances")
    # headroom: the AZ legend sits inside, top left, above the tallest stack
    ax.set_ylim(0, top * (1.5 if az_handles else 1.15) + 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    lines = [h for h in ax.get_legend_handles_labels()[0] if h not in az_handles]
    if az_handles:
        az_legend = ax.legend(
            az_handles,
            [h.get_label() for h in az_handles],
            loc="upper left",
            ncols=len(az_handles),
            fontsize=7.5,
            title="Availability Zone",
            title_fontsize=7.5,
            alignment="left",
            frameon=True,
            framealpha=0.85,
            edgecolor="white",
        )
        if lines:  # the next legend replaces ax.legend_: keep this one as a plain artist
            ax.add_artist(az_legend)
    panel_legend(ax, lines)


def draw_latency(ax: Axes, rec: Any, t: np.ndarray, slo: float | None, desc: list[str]) -> None:
    handles: list[Any] = []
    worst = 0.0
    for name, style in _LATENCY.items():
        values = series(rec, name)
        if values is None:
            continue
        (line,) = ax.plot(*_picked(t, values), label=name.replace("_ms", ""), **style)
        handles.append(line)
        if values.size and not np.isnan(values).all():
            worst = max(worst, float(np.nanmax(values)))
    if not handles:
        no_data(ax, "latency (p50_ms/p95_ms/p99_ms)")
    if slo is not None:
        handles.append(ax.axhline(slo, label=f"SLO p95 \u2264 {slo:,.0f} ms", **_SLO))
        p95 = series(rec, "p95_ms")
        if p95 is not None and p95.size:
            over = np.nan_to_num(p95, nan=0.0) > slo
            minutes = float(over.sum()) * step_s(rec, t) / 60.0
            desc.append(f"p95 above the {slo:,.0f} ms SLO for {minutes:,.0f} minutes.")
    ax.set_ylim(0, max(worst, slo or 0.0, 1.0) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    pct = error_pct_series(rec)
    if pct is not None:
        twin = ax.twinx()
        twin.spines["right"].set_visible(True)
        twin.grid(False)
        (line,) = twin.plot(*_picked(t, pct), label="errors %", **_ERRORS)
        handles.append(line)
        twin.set_ylabel("errors, % of requests", color=_ERRORS["color"])
        peak = float(np.nanmax(pct)) if pct.size and not np.isnan(pct).all() else 0.0
        twin.set_ylim(0, max(peak * 1.2, 1.0))
        twin.yaxis.set_major_locator(MaxNLocator(nbins=4))
        twin.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{y:g}%"))
    panel_legend(ax, handles)


def draw_cost(ax: Axes, rec: Any, t: np.ndarray) -> None:
    cost = series(rec, "cost_usd")
    if cost is None or cost.size == 0:
        no_data(ax, "cost_usd")
        return
    hours, values = _picked(t, cost)
    ax.plot(hours, values, label="cumulative cost", **_COST)
    ax.annotate(
        fmt_usd(float(cost[-1])),
        xy=(hours[-1], values[-1]),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        fontsize=8,
        color=_COST["color"],
    )
    top = float(np.nanmax(cost)) if not np.isnan(cost).all() else 0.0
    ax.set_ylim(0, max(top * 1.2, 0.01))
    cents = 2 if top < 5 else 0
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"${y:,.{cents}f}"))


def short_alarm_name(name: str) -> str:
    """An alarm's name short enough to label a band: the alarms Auto Scaling makes for a
    target tracking policy become ``<group> AlarmHigh``; other long names are cut."""
    match = re.fullmatch(r"TargetTracking-(.+)-(AlarmHigh|AlarmLow)-[0-9a-fA-F-]+", name)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return name if len(name) <= _MAX_ALARM_LABEL else name[:_MAX_ALARM_LABEL - 1] + "\u2026"


def _text_width_pt(text: str, size: float) -> float:
    """How wide ``text`` is, in points, in the current style's font at ``size`` points."""
    width, _, _ = TextToPath().get_text_width_height_descent(
        text, FontProperties(size=size), ismath=False)
    return float(width)


def draw_events(
    axes: Sequence[Axes], rec: Any, t_lo: float, t_hi: float, desc: list[str], start: Any
) -> None:
    """Alarm bands on every panel, labelled vertical lines for the other events."""
    events = sorted(getattr(rec, "events", None) or [], key=lambda m: float(m.t_s))
    bands = merge_bands(alarm_bands(events), (t_hi - t_lo) / 400.0)
    spans: list[tuple[float, float]] = []
    said: list[str] = []
    labels: list[str] = []
    for band in bands:
        x0 = max(band.t0_s, t_lo) / 3600.0
        x1 = min(band.t1_s if band.t1_s is not None else t_hi, t_hi) / 3600.0
        if x1 <= x0:
            continue
        spans.append((x0, x1))
        until = "still in ALARM" if band.t1_s is None else f"until {when(start, band.t1_s)}"
        said.append(f"{band.name} in ALARM from {when(start, band.t0_s)} {until}")
        labels.append(f"\u26a0 {short_alarm_name(band.name)}")
    # labels go on two rows, each where its text fits (measured in the font it is drawn
    # in) without touching the previous one or running out of the panel
    ax = axes[2]
    figure = ax.get_figure(root=True)
    width_in = ax.get_position().width * (figure.get_figwidth() if figure else 8.0)  # has one
    hours_per_pt = (t_hi - t_lo) / 3600.0 / (width_in * 72.0)
    widths = [(_text_width_pt(text, _ALARM_LABEL_PT) + _ALARM_LABEL_GAP_PT) * hours_per_pt
              for text in labels]
    rows = label_rows([x0 for x0, _ in spans], widths, t_hi / 3600.0)
    for (x0, _), text, row in zip(spans, labels, rows, strict=True):
        if row is None:
            continue  # no room: the band is still drawn, and described in the text
        ax.annotate(
            text,
            xy=(x0, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, -2 - 9 * row),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=_ALARM_LABEL_PT,
            color="#8A3000",
        )
    if spans:  # one collection per panel: a flapping week has hundreds of bands
        for ax in axes:
            ax.add_collection(PolyCollection(
                [[(x0, 0.0), (x0, 1.0), (x1, 1.0), (x1, 0.0)] for x0, x1 in spans],
                transform=ax.get_xaxis_transform(),
                facecolor=to_rgba(_ALARM_COLOUR, 0.10),
                edgecolor=to_rgba(_ALARM_COLOUR, 0.35),
                hatch="\\\\",
                linewidth=0.0,
                zorder=0.5,
                label="alarm in ALARM" if ax is axes[0] else None,
            ), autolim=False)
    if said:
        more = f"; and {len(said) - _MAX_ALARM_TEXTS} more" if len(said) > _MAX_ALARM_TEXTS else ""
        desc.append("Alarms: " + "; ".join(said[:_MAX_ALARM_TEXTS]) + more + ".")
    labelled: set[str] = set()
    named: list[str] = []
    next_label_s = -np.inf
    for marker in events:
        if marker.kind not in _LINE_EVENTS:
            continue
        t_m = float(marker.t_s)
        if not t_lo <= t_m <= t_hi:
            continue
        prefix, style = _LINE_EVENTS[marker.kind]
        for ax in axes:
            ax.axvline(t_m / 3600.0, zorder=1, **style)
        text = prefix + str(marker.label)
        if text in labelled or len(labelled) >= _MAX_EVENT_LABELS:
            continue
        labelled.add(text)
        named.append(f"{marker.label} ({marker.kind}) at {when(start, t_m)}")
        if t_m < next_label_s:  # too close to the last label: the line alone says it
            continue
        next_label_s = t_m + 0.015 * (t_hi - t_lo)
        label_event(axes[0], text, t_m, fontsize=7.5, color=style["color"])
    if named:
        desc.append("Events: " + "; ".join(named) + ".")
    scaling = [m for m in events if m.kind in ("scale_out", "scale_in")]
    if scaling:
        outs = sum(m.kind == "scale_out" for m in scaling)
        desc.append(f"{outs} scale-out and {len(scaling) - outs} scale-in actions.")
