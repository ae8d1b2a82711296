"""What every SVG picture of :mod:`cloudlab.viz` draws the same way.

This module owns the pieces the demand/capacity chart (:mod:`cloudlab.viz.render`) and the
scaling dashboard (:mod:`cloudlab.viz.dashboard_render`, :mod:`cloudlab.viz.dashboard_panels`)
share: the fixed matplotlib style (:data:`STYLE`), reading a duck-typed recorder
(:func:`is_recorder`, :func:`series`, :func:`run_start`, :func:`step_s`), number and time
formats, the virtual-time x axis (:func:`set_time_axis`), labelled event lines
(:func:`label_event`), the "no data" note of a panel, writing a figure as SVG
(:func:`figure_svg`) and the accessible ``<title>``/``<desc>`` of the root ``<svg>``
(:func:`add_accessibility`).

A recorder is anything with ``t_s``, ``names``, ``rec[name]`` and optionally ``start``,
``step_s`` and ``events`` (see ``cloudlab.sim.recorder.Recorder``).

Example:
    >>> with matplotlib.style.context(["default", STYLE]):      # doctest: +SKIP
    ...     fig = Figure(figsize=(9.0, 6.0))
    ...     ...                                                   # draw on fig
    ...     svg = add_accessibility(figure_svg(fig), "Title", "What it shows.")
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

__all__ = [
    "DEFAULT_START",
    "STYLE",
    "add_accessibility",
    "figure_svg",
    "fmt_num",
    "fmt_usd",
    "is_recorder",
    "label_event",
    "no_data",
    "run_start",
    "series",
    "set_time_axis",
    "step_s",
    "time_axis",
    "when",
]

#: Fixed style: matplotlib defaults plus these, whatever the user's rcParams say.
STYLE: dict[str, Any] = {
    "svg.hashsalt": "cloudlab",  # stable ids for clip paths and glyphs
    "svg.fonttype": "none",  # text stays text: smaller, selectable, read by screen readers
    "font.size": 9.0,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d0d0d0",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "path.simplify": True,
}

#: Start of the time axis of a recorder that has no ``start`` (a Monday, 00:00 UTC).
DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)


# -- reading a recorder -------------------------------------------------------------------


def is_recorder(obj: object) -> bool:
    """Whether ``obj`` looks like a recorder (``t_s``, ``names`` and ``rec[name]``)."""
    return hasattr(obj, "t_s") and hasattr(obj, "__getitem__") and hasattr(obj, "names")


def series(rec: Any, name: str) -> np.ndarray | None:
    """The series ``name`` as floats, or ``None`` when the recorder lacks it."""
    if name not in rec.names:
        return None
    return np.asarray(rec[name], dtype=float)


def run_start(rec: Any) -> datetime:
    """The wall-clock time of the recorder's ``t_s == 0`` (UTC when it has no zone)."""
    start = getattr(rec, "start", None)
    if isinstance(start, datetime):
        return start if start.tzinfo else start.replace(tzinfo=UTC)
    return DEFAULT_START


def step_s(rec: Any, t: np.ndarray) -> float:
    """Seconds between two samples: the recorder's ``step_s``, else read off ``t``."""
    step = getattr(rec, "step_s", None)
    if step:
        return float(step)
    return float(t[1] - t[0]) if t.shape[0] > 1 else 1.0


# -- formats ------------------------------------------------------------------------------


def fmt_num(x: float) -> str:
    """``12,345`` from 100 up, three significant digits below."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}"


def fmt_usd(x: float) -> str:
    """Dollars with cents: ``$1,234.50``."""
    return f"${x:,.2f}"


def when(start: datetime, t_s: float) -> str:
    """The weekday and time ``t_s`` seconds after ``start``, e.g. ``"Mon 14:05"``."""
    return (start + timedelta(seconds=float(t_s))).strftime("%a %H:%M")


def time_axis(span_h: float) -> tuple[float, str]:
    """Tick step (hours) and strftime format for a chart spanning ``span_h`` hours."""
    for limit, step, fmt in (
        (3, 0.5, "%H:%M"),
        (8, 1, "%H:%M"),
        (30, 3, "%a %H:%M"),
        (80, 12, "%a %H:%M"),
        (24 * 16, 24, "%a %d"),
    ):
        if span_h <= limit:
            return step, fmt
    return 24 * 7, "%d %b"


# -- drawing ------------------------------------------------------------------------------


def set_time_axis(ax: Axes, start: datetime, t_lo: float, t_hi: float) -> None:
    """Ticks, limits and label of the virtual-time x axis (data in hours since the start)."""
    step_h, fmt = time_axis((t_hi - t_lo) / 3600.0)
    ax.xaxis.set_major_locator(MultipleLocator(step_h))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda h, _pos: (start + timedelta(hours=float(h))).strftime(fmt))
    )
    ax.set_xlim(t_lo / 3600.0, t_hi / 3600.0)
    tz = start.tzname() or "UTC"
    ax.set_xlabel(f"virtual time ({tz}), run starts {start:%a %d %b %Y %H:%M}")


def label_event(ax: Axes, text: str, t_s: float, *, fontsize: float, color: str) -> None:
    """Write ``text`` upright at the top of ``ax``, just left of the event line at ``t_s``."""
    ax.annotate(
        text,
        xy=(t_s / 3600.0, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(-2, -2),
        textcoords="offset points",
        ha="right",
        va="top",
        rotation=90,
        fontsize=fontsize,
        style="italic",
        color=color,
        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.8, "lw": 0},
    )


def no_data(ax: Axes, what: str) -> None:
    """Say in the middle of an empty panel that ``what`` was not recorded."""
    ax.text(
        0.5,
        0.5,
        f"no {what} recorded",
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="#555555",
    )


def figure_svg(fig: Figure) -> str:
    """``fig`` as an SVG document, with no date (call it inside the :data:`STYLE` context:
    the SVG settings are read when writing)."""
    buf = io.StringIO()
    FigureCanvasSVG(fig)
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def add_accessibility(svg: str, title: str, desc: str) -> str:
    """Give the root ``<svg>`` a role, a ``<title>`` and a ``<desc>`` (stable ids)."""
    uid = "cl-" + hashlib.sha256(svg.encode()).hexdigest()[:10]
    match = _SVG_OPEN.search(svg)
    if match is None:  # pragma: no cover - matplotlib always writes one
        return svg
    tag = match.group(0)
    new_tag = (
        tag[:-1] + f' role="img" aria-labelledby="{uid}-title {uid}-desc">'
        f'\n <title id="{uid}-title">{escape(title)}</title>'
        f'\n <desc id="{uid}-desc">{escape(desc)}</desc>'
    )
    return svg[: match.start()] + new_tag + svg[match.end() :]
