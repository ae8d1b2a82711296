"""The scaling dashboard widget and the ``dashboard()`` convenience.

This module owns :class:`ScalingDashboard`, an ``anywidget`` view of an Auto Scaling run:
demand vs capacity, instances per Availability Zone, latency and errors, and cost on one
time axis, with alarm bands and scaling actions (drawn by
:func:`cloudlab.viz.dashboard_render.render_dashboard_svg`). Python renders the SVG and
syncs it as a trait; the front end (``dashboard.js`` / ``dashboard.css`` next to this file)
shows it, with the run's progress ("t = 14:00 of 24:00") while a run is going.

Live: a ``Scenario.run(..., live=dash)`` calls :meth:`ScalingDashboard.update` after every
chunk of virtual time; renders are throttled to one per :data:`MIN_RENDER_INTERVAL_S` of
wall time (the last state is always drawn).

Replay: with ``replay=`` (a callable returning a Recorder, or a result with ``.recorder``)
and ``controls=`` (sliders), the view shows the sliders and a "Replay" button. A click
sends ``{"event": "replay", "values": {...}}`` to Python (an anywidget custom message);
Python calls ``replay(**values)``, draws the new run, and keeps the previous run's
summary next to the new one. An exception raised by the callable is shown in the view
and kept in the ``error`` trait and in :attr:`ScalingDashboard.last_exception`.

The widget also has a static form (``image/svg+xml`` in its MIME bundle, see
:class:`~cloudlab.viz.static.StaticSvgMixin`) for GitHub, the course book and nbval.

Example:
    >>> dash = ScalingDashboard(title="Black Friday", slo_p95_ms=250)   # doctest: +SKIP
    >>> dash                                                            # doctest: +SKIP
    >>> result = scenario.run(cloud, hours=24, live=dash)               # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import traitlets

from cloudlab.errors import InvalidScenario
from cloudlab.viz.dashboard_controls import check_control, check_value
from cloudlab.viz.dashboard_data import Summary, as_recorder, summarize
from cloudlab.viz.dashboard_render import (
    DEFAULT_HEIGHT_PX,
    DEFAULT_WIDTH_PX,
    render_dashboard_svg,
)
from cloudlab.viz.live import MIN_RENDER_INTERVAL_S, LiveSvgWidget, front_end

__all__ = ["MIN_RENDER_INTERVAL_S", "ScalingDashboard", "dashboard"]

_log = logging.getLogger(__name__)


def _hm(seconds: float) -> str:
    minutes = int(round(seconds / 60.0))
    return f"{minutes // 60}:{minutes % 60:02d}"


class ScalingDashboard(LiveSvgWidget):
    """Demand, instances per AZ, latency, errors and cost of a scaling run, live.

    Args:
        recorder: what to draw now: a ``Recorder`` (or a run result with ``.recorder``)
            with at least ``demand_rps``; ``None`` starts empty, ready for a live run.
        title: heading of the dashboard.
        slo_p95_ms: draw a p95 latency objective (ms) on the latency panel.
        replay: ``replay(**values) -> Recorder`` (or a result with ``.recorder``), called
            when the learner presses "Replay" with the slider values of ``controls``.
        controls: sliders, ``{name: dict(value=, min=, max=, step=, label=)}``; each
            ``name`` is a keyword argument of ``replay``.
        width, height: size of the SVG in CSS pixels.
        min_interval_s: least wall-clock time between two live renders.
        **kwargs: passed to ``anywidget.AnyWidget``.

    Raises:
        TypeError: ``recorder`` is not a recorder, ``replay`` is not callable, or
            ``controls`` are given without ``replay``.
        InvalidScenario: no ``demand_rps`` series, or a size out of range.

    Example:
        >>> def replay(scale_out_cpu):                                  # doctest: +SKIP
        ...     return scenario_with(scale_out_cpu).run(cloud, hours=24).recorder
        >>> ScalingDashboard(first.recorder, replay=replay, controls={  # doctest: +SKIP
        ...     "scale_out_cpu": dict(value=75, min=10, max=100, step=5,
        ...                           label="Scale out above CPU %")})
    """

    _esm = front_end("dashboard.js")
    _css = front_end("dashboard.css")
    _svg_function = "render_dashboard_svg"

    progress_text = traitlets.Unicode(
        "", help="Virtual time reached, e.g. 't = 14:00 of 24:00' (hours:minutes)."
    ).tag(sync=True)
    slo_p95_ms = traitlets.Float(
        None, allow_none=True, help="p95 latency objective in ms drawn as a line; None: none."
    ).tag(sync=True)
    controls = traitlets.Dict(
        help="Replay sliders: {name: {value, min, max, step, label}}; names are replay kwargs."
    ).tag(sync=True)
    values = traitlets.Dict(
        help="Current slider values {name: number}, passed to replay(**values)."
    ).tag(sync=True)
    can_replay = traitlets.Bool(
        False, help="Whether a replay function is attached (the view shows the button)."
    ).tag(sync=True)
    running = traitlets.Bool(False, help="True while the replay function runs.").tag(sync=True)
    error = traitlets.Unicode(
        "", help="Readable message of the last failed replay ('' after a good one)."
    ).tag(sync=True)
    summary = traitlets.Dict(
        help="Headline numbers of the run shown (label, peaks, p95 max, error %, cost)."
    ).tag(sync=True)
    previous_summary = traitlets.Dict(
        help="Headline numbers of the run before the last replay ({} before any replay)."
    ).tag(sync=True)

    def __init__(
        self,
        recorder: Any = None,
        *,
        title: str = "",
        slo_p95_ms: float | None = None,
        replay: Callable[..., Any] | None = None,
        controls: Mapping[str, Mapping[str, Any]] | None = None,
        width: int = DEFAULT_WIDTH_PX,
        height: int = DEFAULT_HEIGHT_PX,
        min_interval_s: float = MIN_RENDER_INTERVAL_S,
        **kwargs: Any,
    ) -> None:
        if not 400 <= width <= 4000 or not 300 <= height <= 4000:
            raise InvalidScenario(
                f"width must be 400..4000 and height 300..4000 CSS pixels, got {width}x{height}"
            )
        if replay is not None and not callable(replay):
            raise TypeError(
                f"replay must be a function returning a Recorder, got {type(replay).__name__}; "
                "pass e.g. replay=lambda scale_out_cpu: run_with(scale_out_cpu).recorder"
            )
        if controls and replay is None:
            raise TypeError(
                "controls need a replay function to call: pass ScalingDashboard(rec, "
                "replay=my_replay, controls={...})"
            )
        rec = None if recorder is None else as_recorder(recorder, what="ScalingDashboard")
        self._recorder: Any = rec
        self._shown: Any = rec  # the recorder, or a view of its first samples
        self._replay = replay
        self._width, self._height = int(width), int(height)
        self._init_live(min_interval_s)
        self._ready = False
        self._next_label: str | None = None  # label of the run a replay is drawing
        self.runs = 1 if rec is not None else 0
        #: The exception raised by the last failed replay (``None`` after a good one).
        self.last_exception: BaseException | None = None
        progress = kwargs.pop("progress", 1.0 if rec is not None else 0.0)
        super().__init__(
            title=title,
            slo_p95_ms=slo_p95_ms,
            progress=progress,
            can_replay=replay is not None,
            **kwargs,
        )
        self.controls = dict(controls or {})
        self.on_msg(self._on_view_message)
        self._ready = True
        if rec is not None:
            self.progress_text = self._progress_text(rec, len(rec.t_s))
        self._render()
        if rec is None:  # the empty state must not hold back the first live frame
            self._last_render = -math.inf

    # -- validation ----------------------------------------------------------------------

    @traitlets.validate("slo_p95_ms")
    def _valid_slo(self, proposal: dict[str, Any]) -> float | None:
        value = proposal["value"]
        if value is not None and not float(value) > 0:
            raise traitlets.TraitError(
                f"slo_p95_ms must be > 0 milliseconds (or None for no SLO line), got {value!r}"
            )
        return None if value is None else float(value)

    @traitlets.validate("controls")
    def _valid_controls(self, proposal: dict[str, Any]) -> dict[str, Any]:
        return {name: check_control(name, spec) for name, spec in dict(proposal["value"]).items()}

    @traitlets.validate("values")
    def _valid_values(self, proposal: dict[str, Any]) -> dict[str, Any]:
        return {
            name: check_value(self.controls, name, value)
            for name, value in dict(proposal["value"]).items()
        }

    @traitlets.observe("controls")
    def _controls_changed(self, change: dict[str, Any]) -> None:
        self.values = {name: spec["value"] for name, spec in change["new"].items()}

    @traitlets.observe("title", "slo_p95_ms")
    def _redraw(self, change: dict[str, Any]) -> None:
        if self._ready:
            self._render()

    # -- live updates --------------------------------------------------------------------

    def _checked(self, recorder: Any) -> Any:
        return as_recorder(recorder, what="ScalingDashboard.update")

    def _set_progress(self, rec: Any, upto: int, fraction: float) -> None:
        with self.hold_sync():  # one message: the view never shows a mixed state
            self.progress = fraction
            self.progress_text = self._progress_text(rec, upto)

    def _show(self, rec: Any, shown: Any) -> None:
        self.runs = max(self.runs, 1)
        self._recorder = rec
        self._shown = shown

    @staticmethod
    def _progress_text(rec: Any, upto: int) -> str:
        t = np.asarray(rec.t_s, dtype=float)
        if t.size == 0:
            return ""
        step = float(getattr(rec, "step_s", 0) or (t[1] - t[0] if t.size > 1 else 1.0))
        done = float(t[upto - 1]) + step - float(t[0]) if upto else 0.0
        total = float(t[-1]) + step - float(t[0])
        return f"t = {_hm(done)} of {_hm(total)}"

    # -- replay --------------------------------------------------------------------------

    def replay_now(self, **values: Any) -> Any:
        """Run the replay function with the current slider values (updated by ``values``).

        Draws the new run and keeps the previous run's summary beside it.

        Args:
            **values: slider values to change first, e.g. ``scale_out_cpu=60``.

        Returns:
            The new run's recorder.

        Raises:
            TypeError: no replay function is attached, or it returned no recorder.
            traitlets.TraitError: a value is unknown or out of its slider's range.
            Exception: whatever the replay function raised (also shown in the view and
                kept in ``error`` and :attr:`last_exception`).
        """
        if self._replay is None:
            raise TypeError(
                "this dashboard has no replay function; create it with "
                "ScalingDashboard(rec, replay=my_replay, controls={...})"
            )
        before = dict(self.summary)
        old_previous = dict(self.previous_summary)
        self.running = True
        self.error = ""
        try:
            self.values = {**self.values, **values}
            label = self._label(self.runs + 1)
            self.previous_summary = before
            self._next_label = label
            result = self._replay(**dict(self.values))
            rec = as_recorder(result, what="the replay function's result")
        except Exception as exc:
            self.previous_summary = old_previous
            self._next_label = None
            self.last_exception = exc
            self.error = (
                f"Replay failed: {type(exc).__name__}: {exc}. "
                "Change the settings or fix the replay function, then press Replay again."
            )
            raise
        finally:
            self.running = False
        self.last_exception = None
        self.runs += 1
        self._next_label = None
        self._recorder = self._shown = rec
        self._pending = None
        self._t_end_s = None
        self.progress = 1.0
        self.progress_text = self._progress_text(rec, len(rec.t_s))
        self._render()
        self._refresh_saved_output()
        return rec

    def _on_view_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A message from the view: ``{"event": "replay", "values": {...}}``."""
        if not isinstance(content, dict) or content.get("event") != "replay":
            self.error = f"unknown message from the view: {content!r}"
            return
        values = content.get("values") or {}
        try:
            self.replay_now(**{str(k): v for k, v in dict(values).items()})
        except Exception as exc:  # shown in the view (error trait); kept for Python too
            if not self.error:
                self.error = f"Replay failed: {type(exc).__name__}: {exc}"
            self.last_exception = exc
            _log.warning("ScalingDashboard replay failed: %s", self.error, exc_info=exc)

    # -- drawing -------------------------------------------------------------------------

    def _label(self, run: int) -> str:
        settings = ", ".join(f"{k}={v:g}" for k, v in self.values.items())
        if settings:
            return f"run {run}: {settings}"
        return f"run {run}" if run > 1 or self._replay is not None else "this run"

    def _draw(self) -> str:
        """The dashboard's SVG; also sets ``summary`` to the run shown."""
        rows: list[Summary] = []
        if self._shown is not None and np.asarray(self._shown.t_s).size:
            label = self._next_label or self._label(max(self.runs, 1))
            current = summarize(self._shown, label)
            self.summary = current.as_dict()
            if self.previous_summary:
                rows.append(Summary.from_dict(self.previous_summary))
            rows.append(current)
        return render_dashboard_svg(
            self._shown,
            title=self.title,
            width_px=self._width,
            height_px=self._height,
            t_end_s=self._t_end_s,
            slo_p95_ms=self.slo_p95_ms,
            summaries=rows,
            progress_text=self.progress_text if self.progress < 1.0 else "",
        )

    def __repr__(self) -> str:
        return (
            f"ScalingDashboard(title={self.title!r}, progress={self.progress:.2f}, "
            f"runs={self.runs})"
        )


def dashboard(result_or_recorder: Any, **kwargs: Any) -> ScalingDashboard:
    """A scaling dashboard of one finished run.

    Args:
        result_or_recorder: a ``Recorder`` or anything with ``.recorder`` (a ``RunResult``).
        **kwargs: passed to :class:`ScalingDashboard` (``title``, ``slo_p95_ms``,
            ``replay``, ``controls``, ``width``, ``height``).

    Returns:
        The widget (it shows itself as the last expression of a cell).

    Raises:
        TypeError: the argument is not a recorder or a result with one.
        InvalidScenario: the recorder has no ``demand_rps`` series.
    """
    if result_or_recorder is None:
        raise TypeError(
            "dashboard needs a Recorder or a run result, got None; pass the result of "
            "scenario.run(cloud, ...) or its .recorder (for a live run use ScalingDashboard())"
        )
    return ScalingDashboard(as_recorder(result_or_recorder, what="dashboard"), **kwargs)
