"""The data side of the scaling dashboard: what a recorder must hold, and what is read from it.

This module owns the checks on the input (:func:`as_recorder`), the peak-preserving index
downsampling used for drawing (:func:`minmax_indices`), the alarm bands read from
``alarm``/``alarm_ok`` markers (:func:`alarm_bands`), and the run summary shown below the
panels (:class:`Summary`, :func:`summarize`). Drawing lives in
:mod:`cloudlab.viz.dashboard_render`, the widget in :mod:`cloudlab.viz.dashboard`.

Series read from the recorder (all optional except ``demand_rps``): ``served_rps``,
``capacity_rps``, ``errors_rps``, ``error_pct``, ``p50_ms``, ``p95_ms``, ``p99_ms`` (NaN
where there was no traffic), ``instances``, ``instances:<az>``, ``desired``,
``healthy_hosts`` and ``cost_usd``. Marker kinds: ``alarm``, ``alarm_ok``, ``scale_out``,
``scale_in``, ``failure``, ``recovery``, ``spike``, ``spike_end``, ``note``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cloudlab.errors import InvalidScenario
from cloudlab.viz.drawing import is_recorder, series

__all__ = [
    "AZ_PREFIX",
    "AlarmBand",
    "Summary",
    "alarm_bands",
    "as_recorder",
    "az_series",
    "error_pct_series",
    "change_indices",
    "merge_bands",
    "label_rows",
    "minmax_indices",
    "series",
    "summarize",
]

#: Prefix of the per-Availability-Zone instance counts, e.g. ``instances:us-east-1a``.
AZ_PREFIX = "instances:"

_DRAWN = (
    "demand_rps, served_rps, capacity_rps, errors_rps or error_pct, p50_ms/p95_ms/p99_ms, "
    "instances, instances:<az>, desired, healthy_hosts, cost_usd"
)


def as_recorder(obj: object, *, what: str = "the dashboard") -> Any:
    """The recorder inside ``obj`` (a ``Recorder`` or anything with ``.recorder``), checked.

    Args:
        obj: a ``Recorder``, a ``RunResult`` or another object with a ``.recorder``.
        what: who asks, for the error message (e.g. ``"the replay function's result"``).

    Returns:
        The recorder.

    Raises:
        TypeError: ``obj`` is neither a recorder nor has one.
        InvalidScenario: the recorder has no ``demand_rps`` series.
    """
    rec = obj
    if not is_recorder(rec) and is_recorder(getattr(obj, "recorder", None)):
        rec = obj.recorder  # type: ignore[attr-defined]
    if not is_recorder(rec):
        raise TypeError(
            f"{what} needs a Recorder (or a run result with .recorder), got "
            f"{type(obj).__name__} {_short(obj)}; pass e.g. result.recorder from "
            "scenario.run(cloud, ...), or a cloudlab.sim.Recorder you filled"
        )
    if "demand_rps" not in list(rec.names):  # type: ignore[attr-defined]
        names = ", ".join(rec.names) or "none"  # type: ignore[attr-defined]
        raise InvalidScenario(
            f"{what} needs a 'demand_rps' series in the recorder, but it has {names}; "
            f"record demand_rps (req/s) and any of {_DRAWN}"
        )
    return rec


def _short(obj: object) -> str:
    text = repr(obj)
    return text if len(text) <= 60 else text[:57] + "..."


def az_series(rec: Any) -> dict[str, np.ndarray]:
    """In-service instances per Availability Zone, ``{az: counts}``, sorted by AZ name."""
    return {
        name[len(AZ_PREFIX) :]: np.asarray(rec[name], dtype=float)
        for name in sorted(rec.names)
        if name.startswith(AZ_PREFIX) and len(name) > len(AZ_PREFIX)
    }


def error_pct_series(rec: Any) -> np.ndarray | None:
    """Errors as a percentage of demand: ``error_pct`` if recorded, else from ``errors_rps``."""
    pct = series(rec, "error_pct")
    if pct is not None:
        return pct
    errors = series(rec, "errors_rps")
    demand = series(rec, "demand_rps")
    if errors is None or demand is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(demand > 0, 100.0 * errors / np.where(demand > 0, demand, 1.0), 0.0)


# -- downsampling -------------------------------------------------------------------------


def minmax_indices(values: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` samples that keep every peak and trough.

    The samples are cut into ``max_points // 2`` equal buckets; each keeps the index of its
    minimum and of its maximum (NaN ignored), in time order. Because the result is a set
    of real sample indices, several series can be drawn at the same instants
    (``t[idx]``, ``a[idx]``, ``b[idx]``): stacked areas stay consistent.

    Args:
        values: the series that decides which samples matter (1-D).
        max_points: upper bound on the indices returned (>= 4).

    Returns:
        Increasing indices into ``values`` (all of them when there are few enough).
    """
    n = int(values.shape[0])
    if n <= max_points:
        return np.arange(n)
    size = math.ceil(n / (max(4, max_points) // 2))
    buckets = math.ceil(n / size)
    pad = buckets * size - n
    v = np.pad(np.asarray(values, dtype=float), (0, pad), mode="edge").reshape(buckets, size)
    nan = np.isnan(v)
    hi = np.where(nan, -np.inf, v) if nan.any() else v
    lo = np.where(nan, np.inf, v) if nan.any() else v
    base = np.arange(buckets) * size
    i_min = base + lo.argmin(axis=1)
    i_max = base + hi.argmax(axis=1)
    idx = np.sort(np.stack([i_min, i_max], axis=1), axis=1).ravel()
    return np.minimum(idx, n - 1)


def change_indices(*arrays: np.ndarray, max_points: int) -> np.ndarray | None:
    """Indices where any of ``arrays`` changes value (plus the first and last sample).

    Drawn with ``steps-post``, these samples reproduce a step series exactly (instance
    counts, desired capacity), in far fewer points than the samples.

    Returns:
        Increasing indices, or ``None`` when there are more than ``max_points`` changes
        (then use :func:`minmax_indices`).
    """
    n = int(arrays[0].shape[0])
    if n == 0:
        return np.arange(0)
    changed = np.zeros(n, dtype=bool)
    changed[0] = changed[-1] = True
    for values in arrays:
        v = np.asarray(values, dtype=float)
        diff = v[1:] != v[:-1]
        diff &= ~(np.isnan(v[1:]) & np.isnan(v[:-1]))
        changed[1:] |= diff
    if int(changed.sum()) > max_points:
        return None
    return np.flatnonzero(changed)


# -- alarms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmBand:
    """A time span an alarm spent in the ALARM state.

    Attributes:
        name: the alarm's name (marker label before ``":"``), e.g. ``"cpu-high"``.
        t0_s: when it went to ALARM.
        t1_s: when it went back to OK; ``None`` while still in ALARM.
    """

    name: str
    t0_s: float
    t1_s: float | None


def _alarm_name(label: str) -> str:
    return str(label).split(":", 1)[0].strip() or str(label)


def alarm_bands(events: Any) -> list[AlarmBand]:
    """Pair ``alarm`` markers with the next ``alarm_ok`` of the same alarm name.

    Args:
        events: markers with ``t_s``, ``label`` and ``kind``; labels like
            ``"cpu-high: ALARM"`` / ``"cpu-high: OK"`` (the name is the part before ``:``).

    Returns:
        Bands in time order; an alarm never back to OK has ``t1_s=None``.
    """
    open_at: dict[str, float] = {}
    bands: list[AlarmBand] = []
    for marker in sorted(events or [], key=lambda m: float(m.t_s)):
        name = _alarm_name(marker.label)
        if marker.kind == "alarm" and name not in open_at:
            open_at[name] = float(marker.t_s)
        elif marker.kind == "alarm_ok" and name in open_at:
            bands.append(AlarmBand(name, open_at.pop(name), float(marker.t_s)))
    bands += [AlarmBand(name, t0, None) for name, t0 in open_at.items()]
    return sorted(bands, key=lambda b: (b.t0_s, b.name))


def merge_bands(bands: list[AlarmBand], min_gap_s: float) -> list[AlarmBand]:
    """Join bands of the same alarm that are less than ``min_gap_s`` apart (a flapping
    alarm over a week would otherwise draw thousands of slivers)."""
    merged: list[AlarmBand] = []
    last: dict[str, int] = {}
    for band in bands:
        k = last.get(band.name)
        prev = merged[k] if k is not None else None
        if prev is not None and prev.t1_s is not None and band.t0_s - prev.t1_s < min_gap_s:
            merged[k] = AlarmBand(band.name, prev.t0_s, band.t1_s)  # type: ignore[index]
        else:
            last[band.name] = len(merged)
            merged.append(band)
    return merged


# -- summary ------------------------------------------------------------------------------


def label_rows(starts: Sequence[float], widths: Sequence[float], right: float,
               rows: int = 2) -> list[int | None]:
    """Rows for labels that start at ``starts`` and are ``widths`` long (both in axis
    units, in order of start): each label takes the first row whose previous label has
    ended, or ``None`` (not drawn) when none has, or when it would run past ``right``."""
    free = [-math.inf] * rows
    placed: list[int | None] = []
    for x0, width in zip(starts, widths, strict=True):
        row = next((r for r, end in enumerate(free) if x0 >= end), None)
        if row is not None and x0 + width > right:
            row = None
        if row is not None:
            free[row] = x0 + width
        placed.append(row)
    return placed


def _finite_max(values: np.ndarray | None) -> float | None:
    if values is None or values.size == 0 or np.isnan(values).all():
        return None
    return float(np.nanmax(values))


@dataclass(frozen=True)
class Summary:
    """The headline numbers of one run, shown below the panels.

    Attributes:
        label: which run, e.g. ``"run 2: scale_out_cpu=60"``.
        peak_demand_rps: highest demand (req/s).
        peak_instances: most instances in service (``None``: not recorded).
        p95_max_ms: worst p95 latency (``None``: not recorded or no traffic).
        error_pct: 5xx responses as a percentage of all requests (``None``: not recorded).
        cost_usd: cumulative cost at the end (``None``: not recorded).
    """

    label: str
    peak_demand_rps: float | None
    peak_instances: float | None
    p95_max_ms: float | None
    error_pct: float | None
    cost_usd: float | None

    #: Column headings, in the order of :meth:`cells`.
    HEADINGS = ("peak demand", "peak instances", "p95 max", "errors", "cost")

    def cells(self) -> list[str]:
        """The numbers as short texts (``"n/a"`` for what was not recorded)."""

        def fmt(value: float | None, pattern: str) -> str:
            return "n/a" if value is None else pattern.format(value)

        return [
            fmt(self.peak_demand_rps, "{:,.0f} req/s"),
            fmt(self.peak_instances, "{:,.0f}"),
            fmt(self.p95_max_ms, "{:,.0f} ms"),
            fmt(self.error_pct, "{:.2f}%"),
            fmt(self.cost_usd, "${:,.2f}"),
        ]

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form (for the synced ``summary`` trait)."""
        return {
            "label": self.label,
            "peak_demand_rps": self.peak_demand_rps,
            "peak_instances": self.peak_instances,
            "p95_max_ms": self.p95_max_ms,
            "error_pct": self.error_pct,
            "cost_usd": self.cost_usd,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        """Inverse of :meth:`as_dict`."""
        return cls(
            label=str(data.get("label", "")),
            peak_demand_rps=data.get("peak_demand_rps"),
            peak_instances=data.get("peak_instances"),
            p95_max_ms=data.get("p95_max_ms"),
            error_pct=data.get("error_pct"),
            cost_usd=data.get("cost_usd"),
        )

    def text(self) -> str:
        """One line, e.g. ``"run 1: peak demand 2,100 req/s, peak instances 9, ..."``."""
        parts = [f"{h} {c}" for h, c in zip(self.HEADINGS, self.cells(), strict=True)]
        return f"{self.label}: " + ", ".join(parts)


def summarize(rec: Any, label: str = "this run") -> Summary:
    """Headline numbers of the samples in ``rec`` (see :class:`Summary`).

    The error percentage weighs each sample by its demand: total 5xx responses over total
    requests (``errors_rps`` summed over ``demand_rps``; from ``error_pct`` when only that
    is recorded).
    """
    demand = series(rec, "demand_rps")
    instances = series(rec, "instances")
    if instances is None:
        per_az = az_series(rec)
        if per_az:
            instances = np.sum(list(per_az.values()), axis=0)
    errors = series(rec, "errors_rps")
    if errors is None:
        pct = series(rec, "error_pct")
        errors = None if pct is None or demand is None else pct / 100.0 * demand
    error_pct: float | None = None
    if errors is not None and demand is not None:
        total = float(np.nansum(demand))
        error_pct = 100.0 * float(np.nansum(errors)) / total if total > 0 else 0.0
    cost = series(rec, "cost_usd")
    return Summary(
        label=label,
        peak_demand_rps=_finite_max(demand),
        peak_instances=_finite_max(instances),
        p95_max_ms=_finite_max(series(rec, "p95_ms")),
        error_pct=error_pct,
        cost_usd=float(cost[-1]) if cost is not None and cost.size else None,
    )
