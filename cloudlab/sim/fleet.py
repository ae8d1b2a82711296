"""Fleets: the servers that serve the traffic, how many run at each moment, what they cost.

- :class:`FixedFleet`: the same servers all the time (sized by hand, or read from the
  mini cloud with :meth:`FixedFleet.from_cloud`: the instances a learner launched).
- :class:`ElasticFleet`: scales out and in with demand, like an Auto Scaling group with a
  target-tracking policy. New instances are billed from launch but serve only after
  ``boot_s``.
- :class:`ScheduledFleet`: on only inside a weekly schedule (test servers 40 h a week).

Helpers answer sizing questions: :func:`instances_needed` (scale out: how many of one type)
and :func:`smallest_type_for` (scale up: one bigger box).

A fleet is a description; :meth:`Fleet.start_run` returns the per-run state that a
:class:`~cloudlab.sim.scenario.Scenario` advances chunk by chunk. Billing follows
:mod:`cloudlab.sim.cost` (per second, 60-second minimum per launch).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from cloudlab.errors import InvalidScenario, UnknownInstanceType
from cloudlab.sim._validate import integer, number
from cloudlab.sim.catalog import InstanceType, instance_type, instance_types
from cloudlab.sim.cost import MINIMUM_BILLED_S
from cloudlab.sim.weekly import day_and_hour, parse_days

__all__ = [
    "ElasticFleet",
    "Fleet",
    "FixedFleet",
    "FleetRun",
    "ScheduledFleet",
    "instances_needed",
    "parse_days",
    "smallest_type_for",
]



def instances_needed(
    rps: float, instance: str | InstanceType, *, target_utilization: float = 1.0
) -> int:
    """How many instances of one type serve ``rps`` requests/s at ``target_utilization``.

    Example:
        >>> instances_needed(1000, "m5.large")                          # 200 req/s each
        5
        >>> instances_needed(1000, "m5.large", target_utilization=0.7)  # keep 30% headroom
        8
    """
    it = instance_type(instance)
    rps = number("rps", rps, minimum=0.0)
    target = number("target_utilization", target_utilization, minimum=0.0, maximum=1.0)
    if target == 0:
        raise InvalidScenario("target_utilization must be > 0 and <= 1, got 0")
    return int(_ceil(np.float64(rps / (it.rps * target)), demand=rps))


def smallest_type_for(rps: float, *, family: str | None = None) -> InstanceType | None:
    """The cheapest single instance type that serves ``rps`` on its own (scale up),
    optionally within one ``family`` such as ``"m5"``; None when no type is big enough."""
    rps = number("rps", rps, minimum=0.0)
    candidates = instance_types()
    if family is not None:
        families = sorted({it.family for it in candidates})
        if family not in families:
            raise InvalidScenario(
                f"unknown family {family!r}; known families: {', '.join(families)}"
            )
        candidates = [it for it in candidates if it.family == family]
    return next((it for it in candidates if it.rps >= rps), None)


@dataclass
class FleetRun:
    """Per-run state of a fleet: fills the arrays for steps ``[i0, i1)`` on each advance.

    Attributes:
        capacity_rps: requests/s the serving instances can handle, per step.
        instances: instances running (billed, booting or serving), per step.
        charge_usd: USD billed during each step.
    """

    capacity_rps: np.ndarray
    instances: np.ndarray
    charge_usd: np.ndarray

    def advance(self, i0: int, i1: int) -> None:
        """Fill steps ``[i0, i1)``; fleets that know the whole run up front do nothing."""


class Fleet:
    """Base class of fleets. Subclasses implement :meth:`start_run`."""

    def start_run(
        self, *, t_s: np.ndarray, demand_rps: np.ndarray, step_s: float, start: datetime
    ) -> FleetRun:
        """Per-run state for a run over ``t_s`` with the given (whole-run) demand."""
        raise NotImplementedError


# -- fixed ------------------------------------------------------------------------------------
class FixedFleet(Fleet):
    """The same instances for the whole run.

    Args:
        instance_type: a type name (with ``count``) or a mapping ``{"m5.large": 2, ...}``.
        count: number of instances when ``instance_type`` is a name (>= 0).

    Example:
        >>> FixedFleet("m5.large", 4).capacity_rps
        800.0
        >>> FixedFleet({"m5.large": 2, "c5.xlarge": 1}).price_per_hour
        0.362
    """

    def __init__(
        self, instance_type: str | InstanceType | Mapping[str, int], count: int | None = None
    ) -> None:
        if isinstance(instance_type, Mapping):
            if count is not None:
                raise InvalidScenario(
                    "give either a mapping {type: count} or a type and a count, not both"
                )
            items: list[tuple[object, object]] = list(instance_type.items())
        else:
            if count is None:
                raise InvalidScenario(
                    f"FixedFleet({instance_type!r}) needs a count, e.g. FixedFleet('m5.large', 4)"
                )
            items = [(instance_type, count)]
        counts: dict[InstanceType, int] = {}
        for name, n in items:
            it = _lookup(name)
            counts[it] = counts.get(it, 0) + integer(f"count of {it.name}", n, minimum=0)
        self.counts: dict[InstanceType, int] = {k: v for k, v in counts.items() if v}

    @classmethod
    def from_cloud(cls, cloud: Any, region: str | None = None) -> FixedFleet:
        """The RUNNING EC2 instances of the mini cloud (``describe_instances``), by type.

        Learners launch servers with ``ec2.run_instances``; this reads them back so the
        simulation serves traffic on exactly those servers. Zero instances is a valid fleet
        (it serves nothing).

        Raises:
            UnknownInstanceType: an instance's type is not in the simulation's catalog.
        """
        ec2 = cloud.client("ec2", region=region)
        paginator = ec2.get_paginator("describe_instances")
        found: Counter[str] = Counter()
        example: dict[str, str] = {}
        pages = paginator.paginate(
            Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
        )
        for page in pages:
            for reservation in page["Reservations"]:
                for inst in reservation["Instances"]:
                    found[inst["InstanceType"]] += 1
                    example.setdefault(inst["InstanceType"], inst["InstanceId"])
        for name in sorted(found):
            try:
                instance_type(name)
            except UnknownInstanceType as err:
                raise UnknownInstanceType(
                    f"instance {example[name]} is a {name}, which the simulation cannot serve "
                    f"traffic with: {err}. Terminate it (ec2.terminate_instances) and launch a "
                    f"catalog type instead, e.g. InstanceType='m5.large'"
                ) from None
        return cls(dict(sorted(found.items())))

    @property
    def count(self) -> int:
        """Total number of instances."""
        return sum(self.counts.values())

    @property
    def capacity_rps(self) -> float:
        """Requests/s the whole fleet serves at full load."""
        return float(sum(it.rps * n for it, n in self.counts.items()))

    @property
    def price_per_hour(self) -> float:
        """USD per hour for the whole fleet."""
        return float(round(sum(it.price_per_hour * n for it, n in self.counts.items()), 10))

    def start_run(
        self, *, t_s: np.ndarray, demand_rps: np.ndarray, step_s: float, start: datetime
    ) -> FleetRun:
        n = len(t_s)
        return FleetRun(
            capacity_rps=np.full(n, self.capacity_rps),
            instances=np.full(n, self.count, dtype=np.int64),
            charge_usd=np.full(n, self.price_per_hour / 3600.0 * step_s),
        )

    def __repr__(self) -> str:
        if not self.counts:
            return "FixedFleet(no instances)"
        parts = ", ".join(f"{n} x {it.name}" for it, n in self.counts.items())
        return f"FixedFleet({parts})"


# -- scheduled --------------------------------------------------------------------------------
class ScheduledFleet(Fleet):
    """``count`` instances running only inside a weekly schedule, none outside it.

    Args:
        instance_type: type name, e.g. ``"t3.large"``.
        count: instances while on (>= 0).
        days: weekdays it runs, e.g. ``"Mon-Fri"``, ``"Mon-Sun"``, ``"Sat,Sun"`` (UTC days).
        start_h: UTC hour it starts each of those days (0 <= start_h < end_h).
        end_h: UTC hour it stops (<= 24).

    Example:
        >>> ScheduledFleet("m5.large", 2).hours_per_week          # Mon-Fri 09-17
        40.0
    """

    def __init__(
        self,
        instance_type: str | InstanceType,
        count: int,
        *,
        days: str = "Mon-Fri",
        start_h: float = 9,
        end_h: float = 17,
    ) -> None:
        self.instance_type = _lookup(instance_type)
        self.count = integer("count", count, minimum=0)
        self.days = str(days)
        self.weekdays = parse_days(days)
        self.start_h = number("start_h", start_h, minimum=0.0, maximum=24.0)
        self.end_h = number("end_h", end_h, minimum=0.0, maximum=24.0)
        if not (self.end_h - self.start_h) * 3600.0 >= MINIMUM_BILLED_S:
            raise InvalidScenario(
                f"start_h must be before end_h (at least a minute apart), got "
                f"start_h={start_h:g}, end_h={end_h:g}"
            )

    @property
    def hours_per_week(self) -> float:
        """Hours the fleet runs each week."""
        return len(self.weekdays) * (self.end_h - self.start_h)

    def is_on(self, t_s: np.ndarray, start: datetime) -> np.ndarray:
        """Boolean mask: is the fleet on at each time (seconds since ``start``)?"""
        day, hour = day_and_hour(t_s, start)
        on_day = np.isin(day, sorted(self.weekdays))
        return on_day & (hour >= self.start_h) & (hour < self.end_h)

    def start_run(
        self, *, t_s: np.ndarray, demand_rps: np.ndarray, step_s: float, start: datetime
    ) -> FleetRun:
        running = self.is_on(t_s, start).astype(np.int64) * self.count
        it = self.instance_type
        return FleetRun(
            capacity_rps=running * it.rps,
            instances=running,
            charge_usd=running * (it.price_per_second * step_s),
        )

    def __repr__(self) -> str:
        return (
            f"ScheduledFleet({self.count} x {self.instance_type.name}, {self.days} "
            f"{self.start_h:g}-{self.end_h:g}h UTC, {self.hours_per_week:g} h/week)"
        )


# -- elastic ----------------------------------------------------------------------------------
class ElasticFleet(Fleet):
    """Instances that follow demand, like an Auto Scaling group with target tracking.

    Every ``evaluation_s`` seconds the policy computes
    ``desired = ceil(demand_rps / (instance rps * target_utilization))``, clamped to
    ``[min_size, max_size]``. Scale-out launches the difference at once; new instances are
    billed from launch but serve only after ``boot_s``. Scale-in terminates the newest
    instances at once (booting ones first), at most once per ``scale_in_cooldown_s``.
    A run starts warm: with ``desired`` instances for the first second's demand, all serving.

    Args:
        instance_type: type name, e.g. ``"m5.large"``.
        min_size: fewest instances (>= 0).
        max_size: most instances (>= min_size, >= 1).
        target_utilization: share of each instance's rps the policy aims to use (0 < x <= 1).
        boot_s: seconds from launch until an instance serves (>= 0).
        evaluation_s: seconds between policy evaluations (> 0).
        scale_in_cooldown_s: least seconds between two scale-ins (>= 0).
    """

    def __init__(
        self,
        instance_type: str | InstanceType,
        *,
        min_size: int = 1,
        max_size: int = 100,
        target_utilization: float = 0.7,
        boot_s: float = 180,
        evaluation_s: float = 60,
        scale_in_cooldown_s: float = 300,
    ) -> None:
        self.instance_type = _lookup(instance_type)
        self.min_size = integer("min_size", min_size, minimum=0)
        self.max_size = integer("max_size", max_size, minimum=1)
        if self.max_size < self.min_size:
            raise InvalidScenario(
                f"max_size must be >= min_size, got max_size={max_size}, min_size={min_size}"
            )
        self.target_utilization = number(
            "target_utilization", target_utilization, minimum=0.0, maximum=1.0
        )
        if self.target_utilization == 0:
            raise InvalidScenario("target_utilization must be > 0 and <= 1, got 0")
        self.boot_s = number("boot_s", boot_s, minimum=0.0)
        self.evaluation_s = number("evaluation_s", evaluation_s, minimum=0.0)
        if self.evaluation_s == 0:
            raise InvalidScenario("evaluation_s must be > 0, got 0; e.g. evaluation_s=60")
        self.scale_in_cooldown_s = number("scale_in_cooldown_s", scale_in_cooldown_s, minimum=0.0)

    def desired(self, demand_rps: np.ndarray | float) -> np.ndarray:
        """The policy's desired instance count for each demand value (clamped)."""
        per = self.instance_type.rps * self.target_utilization
        demand = np.asarray(demand_rps, dtype=float)
        raw = _ceil(demand / per, demand=demand)
        return np.clip(raw, self.min_size, self.max_size).astype(np.int64)

    def start_run(
        self, *, t_s: np.ndarray, demand_rps: np.ndarray, step_s: float, start: datetime
    ) -> FleetRun:
        return _ElasticRun(self, demand_rps, step_s)

    def __repr__(self) -> str:
        return (
            f"ElasticFleet({self.instance_type.name}, {self.min_size}-{self.max_size} instances, "
            f"target {self.target_utilization:.0%}, boot {self.boot_s:g}s)"
        )


class _ElasticRun(FleetRun):
    """Policy loop over evaluation points; counts kept as difference arrays, so a chunk's
    series are a cumulative sum (evaluation ``j`` only changes steps ``>= j``)."""

    def __init__(self, fleet: ElasticFleet, demand_rps: np.ndarray, step_s: float) -> None:
        n = len(demand_rps)
        super().__init__(np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n))
        self.fleet = fleet
        self.n = n
        self.step_s = step_s
        self.desired = fleet.desired(demand_rps)
        self.eval_steps = max(1, round(fleet.evaluation_s / step_s))
        self.boot_steps = _ceil(np.float64(fleet.boot_s / step_s))
        self.cooldown_steps = _ceil(np.float64(fleet.scale_in_cooldown_s / step_s))
        self.d_billed = np.zeros(n + 1, dtype=np.int64)
        self.d_ready = np.zeros(n + 1, dtype=np.int64)
        self.top_up = np.zeros(n)
        warm = int(self.desired[0]) if n else fleet.min_size
        self.live: list[tuple[int, int]] = [(-1, -1)] * warm  # (launch step, ready step)
        self.billed = warm
        self.ready = warm
        self.last_scale_in: int | None = None

    def advance(self, i0: int, i1: int) -> None:
        f, live, d_billed, d_ready = self.fleet, self.live, self.d_billed, self.d_ready
        first = -(-i0 // self.eval_steps) * self.eval_steps
        for i in range(first, i1, self.eval_steps):
            want, have = int(self.desired[i]), len(live)
            if want > have:
                ready = min(i + self.boot_steps, self.n)
                live.extend([(i, ready)] * (want - have))
                d_billed[i] += want - have
                d_ready[ready] += want - have
            elif want < have and (
                self.last_scale_in is None or i - self.last_scale_in >= self.cooldown_steps
            ):
                for _ in range(have - want):
                    launched, ready = live.pop()
                    d_billed[i] -= 1
                    d_ready[max(ready, i)] -= 1
                    ran_s = (i - launched) * self.step_s
                    if launched >= 0 and ran_s < MINIMUM_BILLED_S:
                        self.top_up[i] += (MINIMUM_BILLED_S - ran_s) * (
                            f.instance_type.price_per_second
                        )
                self.last_scale_in = i
        billed = self.billed + np.cumsum(d_billed[i0:i1])
        ready = self.ready + np.cumsum(d_ready[i0:i1])
        if i1 > i0:
            self.billed, self.ready = int(billed[-1]), int(ready[-1])
        it = f.instance_type
        self.instances[i0:i1] = billed
        self.capacity_rps[i0:i1] = ready * it.rps
        self.charge_usd[i0:i1] = billed * (it.price_per_second * self.step_s) + self.top_up[i0:i1]


# -- helpers ----------------------------------------------------------------------------------
def _lookup(name: object) -> InstanceType:
    if isinstance(name, InstanceType):
        return name
    return instance_type(name)  # type: ignore[arg-type]


def _ceil(x: Any, demand: Any = 0.0) -> Any:
    """Instances for ``x`` instance-loads: a ceiling that ignores float dust (1400 / (200 * 0.7)
    is 10, not 11); any ``demand`` above zero needs at least one instance."""
    n = np.ceil(np.asarray(x, dtype=float) * (1.0 - 1e-12)).astype(np.int64)
    return np.where(np.asarray(demand) > 0, np.maximum(n, 1), n)
