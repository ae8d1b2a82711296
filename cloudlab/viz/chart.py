"""The live demand/capacity widget and the ``chart()`` convenience.

This module owns :class:`DemandCapacityChart`, an ``anywidget`` view of a run: Python
renders the SVG (:func:`cloudlab.viz.render.render_svg`) and syncs it as a trait; the
front end (``chart.js`` / ``chart.css`` next to this file) only puts that SVG on the page
and shows a progress bar while a run is still going. The widget holds no simulation
logic: a ``Scenario.run(..., live=chart)`` calls :meth:`DemandCapacityChart.update` after
every chunk of virtual time.

The widget also has a static form: its MIME bundle carries ``image/svg+xml`` next to the
widget view, so GitHub, the course book and nbval see the chart without any JavaScript.

Example:
    >>> from cloudlab.viz import chart
    >>> chart([fixed_result, elastic_result], title="Fixed vs elastic")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets

from cloudlab.viz.render import DEFAULT_WIDTH_PX, render_svg
from cloudlab.viz.static import StaticSvgMixin

__all__ = ["MIN_RENDER_INTERVAL_S", "DemandCapacityChart", "chart"]

_HERE = Path(__file__).parent

#: Wall-clock seconds between two live renders (at most ~4 renders per second).
MIN_RENDER_INTERVAL_S = 0.25

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


class DemandCapacityChart(StaticSvgMixin, anywidget.AnyWidget):  # type: ignore[misc]
    """Demand vs capacity, instances and cost of a run, live in JupyterLab.

    Args:
        source: what to draw now: a ``Recorder``, a ``RunResult`` or a list of results
            (compared against the first one's demand). ``None`` starts empty, ready for
            a live run.
        title: heading of the chart.
        width_px: width of the chart in CSS pixels.
        min_interval_s: least wall-clock time between two live renders.
        **kwargs: passed to ``anywidget.AnyWidget``.

    Example:
        >>> live = DemandCapacityChart(title="Diwali sale, fixed fleet")  # doctest: +SKIP
        >>> live                                   # shows an empty chart  # doctest: +SKIP
        >>> result = scenario.run(cloud, days=1, live=live)              # doctest: +SKIP
    """

    _esm = _HERE / "chart.js"
    _css = _HERE / "chart.css"

    svg = traitlets.Unicode(
        "", help="The chart as an SVG document (rendered in Python, shown as is by the view)."
    ).tag(sync=True)
    title = traitlets.Unicode("", help="Heading of the chart; changing it re-renders.").tag(
        sync=True
    )
    progress = traitlets.Float(
        1.0,
        help="Fraction of the run drawn so far, 0..1; the view shows a progress bar below 1.",
    ).tag(sync=True)

    def __init__(
        self,
        source: Any = None,
        *,
        title: str = "",
        width_px: int = DEFAULT_WIDTH_PX,
        min_interval_s: float = MIN_RENDER_INTERVAL_S,
        **kwargs: Any,
    ) -> None:
        self._source: Any = None
        self._t_end_s: float | None = None
        self._width_px = width_px
        self._min_interval_s = min_interval_s
        self._clock: Callable[[], float] = time.monotonic
        self._last_render = -math.inf
        self._render_cost_s = 0.0
        self._pending: tuple[Any, int] | None = None
        self._init_static()
        self.renders = 0
        progress = kwargs.pop("progress", 1.0 if source is not None else 0.0)
        super().__init__(title=title, progress=progress, **kwargs)
        if source is not None:
            self._source = source
            self._render()
        else:
            self.svg = render_svg(_EMPTY, title=title, width_px=width_px)

    # -- validation ----------------------------------------------------------------------

    @traitlets.validate("progress")
    def _valid_progress(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not 0.0 <= value <= 1.0:  # also rejects NaN
            raise traitlets.TraitError(
                f"progress must be between 0 and 1 (fraction of the run done), got {value}"
            )
        return value

    @traitlets.validate("svg")
    def _valid_svg(self, proposal: dict[str, Any]) -> str:
        value = str(proposal["value"])
        if value and "<svg" not in value[:2000]:
            raise traitlets.TraitError(
                f"svg must be an SVG document (containing '<svg'), got {value[:40]!r}; "
                "set it with render_svg(...)"
            )
        return value

    @traitlets.observe("title")
    def _title_changed(self, change: dict[str, Any]) -> None:
        if self._source is not None:
            self._render()

    # -- live updates --------------------------------------------------------------------

    def update(self, recorder: Any, upto: int | None = None, *, final: bool | None = None) -> None:
        """Show the first ``upto`` samples of ``recorder`` (called by ``Scenario.run``).

        Renders at most once per ``min_interval_s`` of wall time (and waits at least as
        long as the previous render took); calls in between only move the progress bar
        and remember the data. The final state is always drawn:
        when ``upto`` reaches the end of the recorder, when ``final=True``, or on
        :meth:`flush`.

        Args:
            recorder: the run's recorder (its full time axis fixes the x axis).
            upto: number of samples recorded so far; default: all of them.
            final: force (``True``) or suppress (``False``) the "last update" rendering;
                default: ``upto >= len(recorder.t_s)``.

        Raises:
            ValueError: ``upto`` is negative or beyond the recorder's length.
        """
        n = int(np.asarray(recorder.t_s).shape[0])
        upto = n if upto is None else int(upto)
        if not 0 <= upto <= n:
            raise ValueError(f"upto must be between 0 and the recorder's {n} samples, got {upto}")
        if final is None:
            final = upto >= n
        self.progress = 1.0 if final else (upto / n if n else 0.0)
        self._pending = (recorder, upto)
        # Wait at least min_interval_s, and at least as long as the last render took, so
        # drawing never takes more than half of a live run's wall time.
        wait = max(self._min_interval_s, self._render_cost_s)
        if final or self._clock() - self._last_render >= wait:
            self.flush()

    def flush(self) -> None:
        """Render the latest data passed to :meth:`update` now, if not drawn yet."""
        if self._pending is None:
            return
        recorder, upto = self._pending
        self._pending = None
        n = int(np.asarray(recorder.t_s).shape[0])
        self._t_end_s = float(recorder.t_s[-1]) if n else None
        self._source = recorder if upto >= n else recorder.upto(upto)
        self._render()
        if self.progress >= 1.0:
            self._refresh_saved_output()

    def _render(self) -> None:
        began = self._clock()
        self.svg = render_svg(
            self._source, title=self.title, width_px=self._width_px, t_end_s=self._t_end_s
        )
        self._last_render = self._clock()
        self._render_cost_s = self._last_render - began
        self.renders += 1

    # -- display -------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"DemandCapacityChart(title={self.title!r}, progress={self.progress:.2f})"


class _EmptyRecorder:
    """A recorder with no samples: what an empty live chart draws."""

    t_s = np.zeros(0)
    step_s = 1.0
    events: list[Any] = []
    names = ("demand_rps",)
    units: dict[str, str] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        return np.zeros(0)


_EMPTY = _EmptyRecorder()


def chart(result_or_results: Any, *, title: str = "") -> DemandCapacityChart:
    """A chart of one run, or of several runs compared against the first one's demand.

    Args:
        result_or_results: a ``RunResult`` (or ``Recorder``), or a list of them, e.g.
            ``[fixed, elastic]`` to overlay the capacity of both fleets.
        title: heading of the chart; default: the run names.

    Returns:
        The widget (it shows itself as the last expression of a cell).

    Raises:
        TypeError: the argument is not a result, a recorder or a list of them.
    """
    if isinstance(result_or_results, (str, bytes)):
        raise TypeError(
            f"chart needs a RunResult or a list of them, got {type(result_or_results).__name__}"
            f" {result_or_results!r}; pass the result of scenario.run(cloud, ...)"
        )
    source = result_or_results
    if isinstance(source, Sequence):
        source = list(source)
    return DemandCapacityChart(source, title=title)
