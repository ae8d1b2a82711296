"""The metric recorder: named time series on one common time axis, plus event markers.

A :class:`Recorder` is what a simulation run writes and what charts read. Every series
shares the time axis ``t_s`` (seconds since the cloud's start) and has a unit. Markers
(:class:`Marker`) label moments such as the start of a sale. Views never copy:
``rec.upto(i)`` shows the first ``i`` samples (a live chart during a run) and
``rec.resample(60)`` aggregates to coarser steps for plotting.

Example:
    >>> import numpy as np
    >>> from datetime import datetime, timezone
    >>> rec = Recorder(np.arange(4.0), start=datetime(2026, 1, 5, tzinfo=timezone.utc), step_s=1)
    >>> rec.add("demand_rps", np.array([1.0, 3.0, 5.0, 7.0]), unit="req/s")
    >>> rec.resample(2)["demand_rps"]
    array([2., 6.])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np

from cloudlab.errors import InvalidScenario

__all__ = ["DEFAULT_HOW", "Marker", "Recorder"]

Aggregation = Literal["mean", "max", "min", "sum", "last"]

#: How :meth:`Recorder.resample` aggregates a series unless told otherwise: rates are
#: averaged, counts keep their peak, cumulative figures keep their last value.
DEFAULT_HOW: dict[str, Aggregation] = {
    "instances": "max",
    "cost_usd": "last",
}


@dataclass(frozen=True)
class Marker:
    """A labelled moment on the time axis (e.g. the start of a sale).

    Attributes:
        t_s: seconds since the cloud's start.
        label: text shown next to the marker, e.g. ``"Diwali sale"``.
        kind: what happened, e.g. ``"spike"``, ``"spike_end"``, ``"note"``.
    """

    t_s: float
    label: str
    kind: str = "note"


class Recorder:
    """Named series (numpy arrays) sharing the time axis ``t_s``.

    Args:
        t_s: sample times in seconds since the cloud's start (1-D, increasing).
        start: the calendar instant of ``t_s == 0`` (the cloud's start).
        step_s: spacing of the samples in seconds.
        events: markers to show on charts.

    Attributes:
        t_s: the time axis.
        start: calendar instant of ``t == 0``.
        step_s: sample spacing in seconds.
        units: unit of each series, e.g. ``rec.units["cost_usd"] == "USD"``.
        events: list of :class:`Marker`.
    """

    def __init__(
        self,
        t_s: np.ndarray,
        *,
        start: datetime,
        step_s: float,
        events: list[Marker] | None = None,
    ) -> None:
        self.t_s = np.asarray(t_s, dtype=float)
        if self.t_s.ndim != 1:
            raise InvalidScenario(f"t_s must be a 1-D array, got shape {self.t_s.shape}")
        if not step_s > 0:
            raise InvalidScenario(f"step_s must be > 0, got {step_s!r}")
        self.start = start
        self.step_s = float(step_s)
        self.units: dict[str, str] = {}
        self.events: list[Marker] = list(events or [])
        self._series: dict[str, np.ndarray] = {}
        self._how: dict[str, Aggregation] = {}

    # -- writing ----------------------------------------------------------------------
    def add(
        self, name: str, values: np.ndarray, *, unit: str = "", how: Aggregation | None = None
    ) -> None:
        """Add (or replace) the series ``name``; it must match the time axis in length.

        Args:
            name: series name, e.g. ``"demand_rps"``.
            values: one value per sample of ``t_s``.
            unit: unit shown on charts and tables, e.g. ``"req/s"``.
            how: default aggregation for :meth:`resample` (see :data:`DEFAULT_HOW`).
        """
        arr = np.asarray(values)
        if arr.shape != self.t_s.shape:
            raise InvalidScenario(
                f"series {name!r} has {arr.shape[0] if arr.ndim else 0} samples but the time "
                f"axis has {len(self.t_s)}; give one value per sample"
            )
        self._series[name] = arr
        self.units[name] = unit
        self._how[name] = how or DEFAULT_HOW.get(name, "mean")

    # -- reading ----------------------------------------------------------------------
    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._series[name]
        except KeyError:
            raise KeyError(
                f"no series {name!r} in this recorder; it has {', '.join(self.names) or 'none'}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._series

    def __iter__(self) -> Iterator[str]:
        return iter(self._series)

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def names(self) -> list[str]:
        """Series names in the order they were added."""
        return list(self._series)

    @property
    def duration_s(self) -> float:
        """Seconds of virtual time covered by the samples."""
        return len(self.t_s) * self.step_s

    def times(self) -> list[datetime]:
        """The time axis as calendar instants (handy for a small table; slow for long runs)."""
        return [self.start + timedelta(seconds=float(t)) for t in self.t_s]

    def __repr__(self) -> str:
        span = f"t={self.t_s[0]:g}..{self.t_s[-1]:g}s" if len(self.t_s) else "empty"
        return (
            f"<Recorder {len(self.t_s)} samples every {self.step_s:g}s, {span}, "
            f"series={self.names}, events={len(self.events)}>"
        )

    # -- views ------------------------------------------------------------------------
    def upto(self, i: int) -> Recorder:
        """A view of the first ``i`` samples (arrays are shared, not copied)."""
        i = max(0, min(int(i), len(self.t_s)))
        view = self._like(self.t_s[:i], self.step_s)
        for name, arr in self._series.items():
            view._series[name] = arr[:i]
        end = self.t_s[i - 1] + self.step_s if i else -np.inf
        view.events = [m for m in self.events if m.t_s < end]
        return view

    def resample(
        self, step_s: float, how: Mapping[str, Aggregation] | None = None
    ) -> Recorder:
        """Aggregate to a coarser step (a whole multiple of the current one), for plotting.

        Args:
            step_s: the new spacing in seconds, e.g. 60 for one sample a minute.
            how: aggregation per series name (``"mean"``, ``"max"``, ``"min"``, ``"sum"``,
                ``"last"``); unnamed series use :data:`DEFAULT_HOW` (else ``"mean"``).

        Raises:
            InvalidScenario: ``step_s`` is not a positive whole multiple of the current step,
                or an aggregation is unknown.
        """
        ratio = float(step_s) / self.step_s if step_s and step_s > 0 else 0.0
        k = int(round(ratio))
        if k < 1 or abs(ratio - k) > 1e-9:
            raise InvalidScenario(
                f"resample step_s must be a whole multiple of the recorder's step "
                f"({self.step_s:g}s), got {step_s!r}"
            )
        how = dict(how or {})
        for name, agg in how.items():
            if agg not in _REDUCERS:
                raise InvalidScenario(
                    f"unknown aggregation {agg!r} for {name!r}; use one of {', '.join(_REDUCERS)}"
                )
        n = len(self.t_s)
        starts = np.arange(0, n, k)
        out = self._like(self.t_s[starts], self.step_s * k)
        for name, arr in self._series.items():
            agg = how.get(name, self._how.get(name, "mean"))
            out._series[name] = _REDUCERS[agg](arr, starts, n) if n else arr[:0]
        out.events = list(self.events)
        return out

    def _like(self, t_s: np.ndarray, step_s: float) -> Recorder:
        other = Recorder.__new__(Recorder)
        other.t_s = t_s
        other.start = self.start
        other.step_s = step_s
        other.units = dict(self.units)
        other.events = list(self.events)
        other._series = {}
        other._how = dict(self._how)
        return other


def _mean(arr: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    counts = np.diff(np.append(starts, n))
    return np.add.reduceat(arr.astype(float), starts) / counts


def _last(arr: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    return arr[np.append(starts[1:], n) - 1]


_REDUCERS = {
    "mean": _mean,
    "max": lambda a, s, n: np.maximum.reduceat(a, s),
    "min": lambda a, s, n: np.minimum.reduceat(a, s),
    "sum": lambda a, s, n: np.add.reduceat(a, s),
    "last": _last,
}
