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

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets

from cloudlab.viz.live import MIN_RENDER_INTERVAL_S, LiveSvgWidget, front_end
from cloudlab.viz.render import DEFAULT_WIDTH_PX, render_svg

__all__ = ["MIN_RENDER_INTERVAL_S", "DemandCapacityChart", "chart"]

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


class DemandCapacityChart(LiveSvgWidget):
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

    _esm = front_end("chart.js")
    _css = front_end("chart.css")

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
        self._width_px = width_px
        self._init_live(min_interval_s)
        progress = kwargs.pop("progress", 1.0 if source is not None else 0.0)
        super().__init__(title=title, progress=progress, **kwargs)
        if source is not None:
            self._source = source
            self._render()
        else:
            self.svg = render_svg(_EMPTY, title=title, width_px=width_px)

    @traitlets.observe("title")
    def _title_changed(self, change: dict[str, Any]) -> None:
        if self._source is not None:
            self._render()

    # -- drawing -----------------------------------------------------------------------

    def _show(self, rec: Any, shown: Any) -> None:
        self._source = shown

    def _draw(self) -> str:
        return render_svg(
            self._source, title=self.title, width_px=self._width_px, t_end_s=self._t_end_s
        )

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
