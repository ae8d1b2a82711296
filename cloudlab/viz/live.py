"""The live side every SVG widget of :mod:`cloudlab.viz` shares: a picture rendered in Python,
redrawn while a run goes, at most a few times per second.

This module owns :class:`LiveSvgWidget`, the base of the demand/capacity chart
(:mod:`cloudlab.viz.chart`) and the scaling dashboard (:mod:`cloudlab.viz.dashboard`): the
synced ``svg``, ``title`` and ``progress`` traits and their validation, the throttled
:meth:`~LiveSvgWidget.update` / :meth:`~LiveSvgWidget.flush` a ``Scenario.run(...,
live=widget)`` calls, and the front-end pieces both views use (:func:`front_end`:
``live.js`` and ``live.css`` next to this file, put before the widget's own file, since an
anywidget module cannot import the files next to it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import numpy as np
import traitlets

from cloudlab.viz.static import StaticSvgMixin

__all__ = ["MIN_RENDER_INTERVAL_S", "LiveSvgWidget", "front_end"]

_HERE = Path(__file__).parent

#: Wall-clock seconds between two live renders (at most ~4 renders per second).
MIN_RENDER_INTERVAL_S = 0.25
#: After a render, wait this many times its wall-clock cost before the next one, so drawing
#: takes at most a quarter of a live run (a live week at 1-minute steps redraws 10,080
#: minutes each time: with a wait of one render cost, drawing doubled the run's time).
RENDER_COST_FACTOR = 3.0


def front_end(name: str) -> str:
    """The shared ``live.js`` or ``live.css`` followed by the widget's own file ``name``
    (e.g. ``"chart.js"``), as one text for anywidget's ``_esm`` or ``_css``."""
    shared = _HERE / ("live" + Path(name).suffix)
    return shared.read_text(encoding="utf-8") + "\n" + (_HERE / name).read_text(encoding="utf-8")


class LiveSvgWidget(StaticSvgMixin, anywidget.AnyWidget):  # type: ignore[misc]
    """An ``anywidget`` whose picture is an SVG drawn in Python, shown as is by the view.

    A subclass draws in :meth:`_draw`, calls :meth:`_init_live` before
    ``super().__init__``, and may adapt the input (:meth:`_checked`), what a live update
    shows beside the bar (:meth:`_set_progress`) and what it keeps of a run (:meth:`_show`).
    ``_svg_function`` names its render function in error hints.
    """

    _svg_function: ClassVar[str] = "render_svg"

    svg = traitlets.Unicode(
        "", help="The picture as an SVG document (rendered in Python, shown as is by the view)."
    ).tag(sync=True)
    title = traitlets.Unicode("", help="Heading of the picture; changing it re-renders.").tag(
        sync=True
    )
    progress = traitlets.Float(
        1.0,
        help="Fraction of the run drawn so far, 0..1; the view shows a progress bar below 1.",
    ).tag(sync=True)

    def _init_live(self, min_interval_s: float) -> None:
        self._min_interval_s = min_interval_s
        self._clock: Callable[[], float] = time.monotonic
        self._last_render = -math.inf
        self._render_cost_s = 0.0
        self._pending: tuple[Any, int] | None = None
        self._t_end_s: float | None = None
        self._init_static()
        self.renders = 0

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
                f"set it with {self._svg_function}(...)"
            )
        return value

    # -- live updates --------------------------------------------------------------------

    def update(self, recorder: Any, upto: int | None = None, *, final: bool | None = None) -> None:
        """Show the first ``upto`` samples of ``recorder`` (called by ``Scenario.run``).

        Moves the progress on every call, but renders at most once per ``min_interval_s``
        of wall time (and waits at least :data:`RENDER_COST_FACTOR` times as long as the
        previous render took, so drawing takes at most a quarter of a live run's wall
        time). The final state is always
        drawn: when ``upto`` reaches the end of the recorder, when ``final=True``, or on
        :meth:`flush`.

        Args:
            recorder: the run's recorder (its full time axis fixes the x axis).
            upto: number of samples recorded so far; default: all of them.
            final: force (``True``) or suppress (``False``) the final rendering;
                default: ``upto >= len(recorder.t_s)``.

        Raises:
            TypeError, InvalidScenario: the widget cannot draw ``recorder``.
            ValueError: ``upto`` is negative or beyond the recorder's length.
        """
        rec = self._checked(recorder)
        n = int(np.asarray(rec.t_s).shape[0])
        upto = n if upto is None else int(upto)
        if not 0 <= upto <= n:
            raise ValueError(f"upto must be between 0 and the recorder's {n} samples, got {upto}")
        if final is None:
            final = upto >= n
        self._set_progress(rec, upto, 1.0 if final else (upto / n if n else 0.0))
        self._pending = (rec, upto)
        wait = max(self._min_interval_s, RENDER_COST_FACTOR * self._render_cost_s)
        if final or self._clock() - self._last_render >= wait:
            self.flush()

    def flush(self) -> None:
        """Render the latest data passed to :meth:`update` now, if not drawn yet."""
        if self._pending is None:
            return
        rec, upto = self._pending
        self._pending = None
        n = int(np.asarray(rec.t_s).shape[0])
        self._t_end_s = float(rec.t_s[-1]) if n else None
        self._show(rec, rec if upto >= n else rec.upto(upto))
        self._render()
        if self.progress >= 1.0:
            self._refresh_saved_output()

    def _checked(self, recorder: Any) -> Any:
        """The recorder to draw from what :meth:`update` was given."""
        return recorder

    def _set_progress(self, rec: Any, upto: int, fraction: float) -> None:
        """Show that ``upto`` samples of ``rec`` are done (``fraction`` of the run)."""
        self.progress = fraction

    def _show(self, rec: Any, shown: Any) -> None:
        """Keep ``shown`` (``rec`` or a view of its first samples) for :meth:`_draw`."""
        raise NotImplementedError

    # -- drawing -------------------------------------------------------------------------

    def _draw(self) -> str:
        """The SVG of what the widget shows now."""
        raise NotImplementedError

    def _render(self) -> None:
        began = self._clock()
        self.svg = self._draw()
        self._last_render = self._clock()
        self._render_cost_s = self._last_render - began
        self.renders += 1
