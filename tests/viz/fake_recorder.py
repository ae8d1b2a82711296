"""A small stand-in for ``cloudlab.sim.Recorder`` and ``RunResult``, for the viz tests.

The chart is duck-typed on the recorder interface of the contract, so these tests do not
depend on the simulation. ``tests/viz/test_with_sim.py`` repeats the key checks with the
real ``cloudlab.sim`` when it is importable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

START = datetime(2026, 1, 5, tzinfo=UTC)


@dataclass(frozen=True)
class FakeMarker:
    """An event marker as the contract describes it."""

    t_s: float
    label: str
    kind: str = "event"


@dataclass
class FakeRecorder:
    """Minimal recorder: a time axis and named series of the same length."""

    t_s: np.ndarray
    series: dict[str, np.ndarray]
    start: datetime = START
    step_s: float = 1.0
    events: list[FakeMarker] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.series[name]

    @property
    def names(self) -> list[str]:
        return list(self.series)

    def upto(self, i: int) -> FakeRecorder:
        return FakeRecorder(
            self.t_s[:i],
            {k: v[:i] for k, v in self.series.items()},
            self.start,
            self.step_s,
            [m for m in self.events if i and m.t_s <= self.t_s[i - 1]],
            self.units,
        )


@dataclass
class FakeResult:
    """Minimal RunResult: a recorder and a name."""

    recorder: FakeRecorder
    name: str


def make_recorder(
    hours: float = 24.0,
    step_s: float = 60.0,
    *,
    fleet_rps: float = 1000.0,
    per_instance_rps: float = 200.0,
    price_per_hour: float = 0.096,
    spike_at_s: float | None = None,
    events: list[FakeMarker] | None = None,
) -> FakeRecorder:
    """A day of business-hours demand served by a fixed fleet (numbers are made up)."""
    t = np.arange(0.0, hours * 3600.0, step_s)
    hour = (t / 3600.0) % 24
    demand = 300.0 + 900.0 * np.exp(-(((hour - 13.5) / 3.0) ** 2))
    if spike_at_s is not None:
        demand[np.argmin(np.abs(t - spike_at_s))] = 5000.0
    n = math_ceil(fleet_rps / per_instance_rps)
    capacity = np.full_like(t, n * per_instance_rps)
    served = np.minimum(demand, capacity)
    instances = np.full_like(t, float(n))
    cost = np.cumsum(instances * price_per_hour * step_s / 3600.0)
    return FakeRecorder(
        t,
        {
            "demand_rps": demand,
            "capacity_rps": capacity,
            "served_rps": served,
            "unmet_rps": demand - served,
            "instances": instances,
            "utilization": served / capacity,
            "cost_usd": cost,
        },
        step_s=step_s,
        events=list(events or []),
        units={"demand_rps": "requests/s", "cost_usd": "USD", "instances": "count"},
    )


def math_ceil(x: float) -> int:
    return int(np.ceil(x))
