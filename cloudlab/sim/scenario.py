"""Scenarios: serve a traffic model with a fleet over virtual time, and report the result.

``Scenario(traffic, fleet).run(cloud, hours=24)`` (or ``cloud.run(scenario, hours=24)``)
computes the demand for the whole run up front, then moves the cloud's clock forward one
virtual hour at a time, so events scheduled on the clock fire in order between chunks and a
live chart can redraw. Inside a chunk everything is numpy. The result is a
:class:`RunResult` holding a :class:`~cloudlab.sim.recorder.Recorder` with these series:

=============  ===========  ============================================================
name           unit         meaning
=============  ===========  ============================================================
demand_rps     req/s        requests arriving
capacity_rps   req/s        requests the serving (booted) instances can handle
served_rps     req/s        ``min(demand, capacity)``
unmet_rps      req/s        ``demand - served`` (errors or timeouts for users)
instances      instances    instances running and billed (booting ones included)
utilization    fraction     ``served / capacity`` (0 when there is no capacity)
cost_usd       USD          bill since the start of the run (cumulative)
=============  ===========  ============================================================
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from cloudlab.errors import InvalidScenario
from cloudlab.sim._validate import number
from cloudlab.sim.fleet import Fleet
from cloudlab.sim.recorder import Recorder
from cloudlab.sim.traffic import TrafficModel

__all__ = ["CHUNK_S", "PROGRESS_AFTER_S", "Comparison", "LiveView", "RunResult", "Scenario",
           "compare"]

#: Virtual seconds simulated between two clock advances (and live-chart updates).
CHUNK_S = 3600.0
#: Runs longer than this (virtual seconds) show a progress bar unless ``progress=False``.
PROGRESS_AFTER_S = 6 * 3600.0

UNITS = {
    "demand_rps": "req/s",
    "capacity_rps": "req/s",
    "served_rps": "req/s",
    "unmet_rps": "req/s",
    "instances": "instances",
    "utilization": "fraction",
    "cost_usd": "USD",
}


class LiveView(Protocol):
    """Anything that wants to see a run as it happens (the chart widget)."""

    def update(self, recorder: Recorder, upto: int) -> None: ...


class Scenario:
    """A traffic model served by a fleet.

    Args:
        traffic: the demand, e.g. ``BusinessHours(50, 400) * Noise(0.05)``.
        fleet: the servers, e.g. ``ElasticFleet("m5.large")``.
        name: label in tables and charts (default: the fleet's description).
        step_s: simulation resolution in seconds (> 0; default 1 s).

    Example:
        >>> from cloudlab import Cloud                                  # doctest: +SKIP
        >>> from cloudlab.sim import BusinessHours, FixedFleet, Scenario
        >>> scenario = Scenario(BusinessHours(50, 400), FixedFleet("m5.large", 2))
        >>> result = cloud.run(scenario, hours=24)                      # doctest: +SKIP
        >>> result.cost_usd                                             # doctest: +SKIP
        4.608
    """

    def __init__(
        self, traffic: TrafficModel, fleet: Fleet, *, name: str = "", step_s: float = 1.0
    ) -> None:
        if not isinstance(traffic, TrafficModel):
            raise InvalidScenario(
                f"traffic must be a traffic model (Constant, BusinessHours, Spike, Noise, or a "
                f"sum/product of them), got {type(traffic).__name__}"
            )
        if not isinstance(fleet, Fleet):
            raise InvalidScenario(
                f"fleet must be a FixedFleet, ElasticFleet or ScheduledFleet, "
                f"got {type(fleet).__name__}"
            )
        step = number("step_s", step_s)
        if step <= 0:
            raise InvalidScenario(f"step_s must be > 0, got {step_s!r}; e.g. step_s=1")
        self.traffic = traffic
        self.fleet = fleet
        self.name = str(name) or repr(fleet)
        self.step_s = step

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}: {self.traffic!r} on {self.fleet!r}, step {self.step_s:g}s)"

    def run(
        self,
        cloud: Any,
        /,
        *,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
        progress: bool | None = None,
        live: LiveView | None = None,
        advance_clock: bool = True,
        **unknown: Any,
    ) -> RunResult:
        """Simulate from the cloud's current time for the given duration, advancing its clock.

        Args:
            cloud: the :class:`~cloudlab.cloud.Cloud` (clock, seeded ``rng("traffic")``).
            seconds, minutes, hours, days: the duration (added up; must be > 0 and a whole
                number of ``step_s``).
            progress: ``None`` shows a progress bar for runs over 6 virtual hours,
                ``True`` always, ``False`` never.
            live: an object with ``.update(recorder, upto)``, called after every chunk.
            advance_clock: ``False`` makes a what-if run: the same window is simulated but
                the clock stays where it is (used by :class:`~cloudlab.sim.Experiment` to
                give several fleets the same day).

        Raises:
            InvalidScenario: the duration is not positive or not a whole number of steps,
                or an unknown keyword was given (``hour=`` for ``hours=``).
        """
        if unknown:
            known = ["seconds", "minutes", "hours", "days", "progress", "live", "advance_clock"]
            name = sorted(unknown)[0]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InvalidScenario(
                f"unknown run option {name!r}; {hint}a run takes {', '.join(known)}"
            )
        duration = sum(
            number(name, v, minimum=0.0) * k
            for name, v, k in (("seconds", seconds, 1), ("minutes", minutes, 60),
                               ("hours", hours, 3600), ("days", days, 86400))
        )
        if duration <= 0:
            raise InvalidScenario(
                "the run needs a duration > 0, got 0 seconds; e.g. cloud.run(scenario, hours=24)"
            )
        steps = duration / self.step_s
        n = int(round(steps))
        if n < 1 or abs(steps - n) > 1e-9 * max(1.0, steps):
            raise InvalidScenario(
                f"the run duration ({duration:g}s) must be a whole number of steps of "
                f"{self.step_s:g}s; change the duration or step_s"
            )
        clock = cloud.clock
        t0, start = float(clock.t), clock.start
        t_s = t0 + np.arange(n, dtype=float) * self.step_s
        demand = self.traffic.rps(t_s, start=start, rng=cloud.rng("traffic"))
        fleet_run = self.fleet.start_run(
            t_s=t_s, demand_rps=demand, step_s=self.step_s, start=start
        )
        end = t0 + duration
        events = sorted(
            (m for m in self.traffic.markers(start) if t0 <= m.t_s < end), key=lambda m: m.t_s
        )
        rec = Recorder(t_s, start=start, step_s=self.step_s, events=events)
        served, unmet, util, cost = (np.zeros(n) for _ in range(4))
        for name, arr in (("demand_rps", demand), ("capacity_rps", fleet_run.capacity_rps),
                          ("served_rps", served), ("unmet_rps", unmet),
                          ("instances", fleet_run.instances), ("utilization", util),
                          ("cost_usd", cost)):
            rec.add(name, arr, unit=UNITS[name])

        bar = _progress_bar(progress, duration, self.name)
        chunk = max(1, int(round(CHUNK_S / self.step_s)))
        billed = 0.0
        try:
            for i0 in range(0, n, chunk):
                i1 = min(n, i0 + chunk)
                fleet_run.advance(i0, i1)
                cap = fleet_run.capacity_rps[i0:i1]
                np.minimum(demand[i0:i1], cap, out=served[i0:i1])
                np.subtract(demand[i0:i1], served[i0:i1], out=unmet[i0:i1])
                np.divide(served[i0:i1], cap, out=util[i0:i1], where=cap > 0)
                np.cumsum(fleet_run.charge_usd[i0:i1], out=cost[i0:i1])
                cost[i0:i1] += billed
                billed = float(cost[i1 - 1])
                if advance_clock:
                    clock.run_until(t0 + i1 * self.step_s)
                if live is not None:
                    live.update(rec, i1)
                if bar is not None:
                    bar.update((i1 - i0) * self.step_s / 3600.0)
        finally:
            if bar is not None:
                bar.close()
        return RunResult(recorder=rec, name=self.name, traffic=repr(self.traffic),
                         fleet=repr(self.fleet))


def _progress_bar(progress: bool | None, duration: float, name: str) -> Any:
    if progress is False or (progress is None and duration <= PROGRESS_AFTER_S):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=duration / 3600.0, unit="h", desc=name[:40], leave=False)


# -- results ------------------------------------------------------------------------------
# (attribute, label, unit, format) for tables
_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("duration_h", "Duration", "h", "{:,.1f}"),
    ("peak_demand_rps", "Peak demand", "req/s", "{:,.0f}"),
    ("peak_instances", "Peak instances", "instances", "{:,d}"),
    ("instance_hours", "Instance-hours", "h", "{:,.1f}"),
    ("mean_utilization_pct", "Mean utilization", "%", "{:.1f}"),
    ("served_requests", "Requests served", "requests", "{:,.0f}"),
    ("unmet_requests", "Requests not served", "requests", "{:,.0f}"),
    ("unmet_pct", "Not served", "%", "{:.2f}"),
    ("cost_usd", "Cost", "USD", "{:,.2f}"),
)


@dataclass
class RunResult:
    """What a run produced: the recorded series and the figures a learner asks about.

    Attributes:
        recorder: the time series (see the table in this module's docstring).
        name: the scenario's name.
        traffic: description of the traffic model.
        fleet: description of the fleet.
    """

    recorder: Recorder
    name: str
    traffic: str = ""
    fleet: str = ""

    def _total(self, series: str) -> float:
        return float(self.recorder[series].sum()) * self.recorder.step_s

    @property
    def duration_h(self) -> float:
        """Virtual hours simulated."""
        return self.recorder.duration_s / 3600.0

    @property
    def cost_usd(self) -> float:
        """Bill for the run in USD."""
        cost = self.recorder["cost_usd"]
        return float(cost[-1]) if len(cost) else 0.0

    @property
    def served_requests(self) -> float:
        """Requests served during the run."""
        return self._total("served_rps")

    @property
    def unmet_requests(self) -> float:
        """Requests that found no capacity (users saw errors or timeouts)."""
        return self._total("unmet_rps")

    @property
    def unmet_pct(self) -> float:
        """Share of the requests not served, in percent (0 when there was no demand)."""
        total = self.served_requests + self.unmet_requests
        return 100.0 * self.unmet_requests / total if total > 0 else 0.0

    @property
    def peak_demand_rps(self) -> float:
        """Highest demand in req/s."""
        return float(self.recorder["demand_rps"].max())

    @property
    def peak_instances(self) -> int:
        """Most instances running at once."""
        return int(self.recorder["instances"].max())

    @property
    def instance_hours(self) -> float:
        """Instance-hours billed (instances x hours)."""
        return self._total("instances") / 3600.0

    @property
    def mean_utilization(self) -> float:
        """Served requests / capacity offered, over the run (0..1; 0 with no capacity).
        Weighted by capacity, so it answers: what share of what we paid for did we use?"""
        capacity = self._total("capacity_rps")
        return self.served_requests / capacity if capacity > 0 else 0.0

    @property
    def mean_utilization_pct(self) -> float:
        """:attr:`mean_utilization` in percent."""
        return 100.0 * self.mean_utilization

    def summary(self) -> dict[str, Any]:
        """The headline figures as a plain dict (name, duration_h, cost_usd, ...)."""
        out: dict[str, Any] = {"name": self.name}
        for attr, *_ in _ROWS:
            if attr != "mean_utilization_pct":
                out[attr] = getattr(self, attr)
            else:
                out["mean_utilization"] = self.mean_utilization
        return out

    def __repr__(self) -> str:
        return (
            f"<RunResult {self.name!r}: {self.duration_h:g} h, cost {self.cost_usd:,.2f} USD, "
            f"peak {self.peak_demand_rps:,.0f} req/s, not served {self.unmet_pct:.2f}%, "
            f"peak {self.peak_instances} instances, utilization {self.mean_utilization:.0%}>"
        )

    def _repr_html_(self) -> str:
        return compare(self)._repr_html_()


def compare(*results: RunResult) -> Comparison:
    """Side-by-side table of several runs: ``compare(fixed, elastic, scheduled)``."""
    flat: list[RunResult] = []
    for r in results:
        flat.extend(r.results if isinstance(r, Comparison) else [r])
    for r in flat:
        if not isinstance(r, RunResult):
            raise InvalidScenario(
                f"compare() takes run results (what cloud.run(...) returns), got {type(r).__name__}"
            )
    return Comparison(flat)


@dataclass
class Comparison:
    """Several :class:`RunResult` side by side; renders as a table in a notebook."""

    results: list[RunResult]

    def __getitem__(self, name: str) -> RunResult:
        """The result called ``name``: ``day["elastic"].cost_usd``."""
        for r in self.results:
            if r.name == name:
                return r
        names = ", ".join(repr(r.name) for r in self.results)
        raise KeyError(f"no result named {name!r} in this comparison; names: {names}")

    def __iter__(self) -> Iterator[RunResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def names(self) -> list[str]:
        """Names of the results, in order."""
        return [r.name for r in self.results]

    def rows(self) -> list[tuple[str, str, list[str]]]:
        """(label, unit, formatted value per result) for each figure."""
        return [
            (label, unit, [fmt.format(getattr(r, attr)) for r in self.results])
            for attr, label, unit, fmt in _ROWS
        ]

    def summaries(self) -> list[dict[str, Any]]:
        """:meth:`RunResult.summary` of each result."""
        return [r.summary() for r in self.results]

    def __repr__(self) -> str:
        header = ["", "unit", *[r.name for r in self.results]]
        body = [[label, unit, *values] for label, unit, values in self.rows()]
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
            for row in [header, *body]
        ]
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f'<th style="text-align:right">{esc(r.name)}</th>' for r in self.results)
        body = "".join(
            f"<tr><th style=\"text-align:left\">{esc(label)}</th><td>{esc(unit)}</td>"
            + "".join(f'<td style="text-align:right">{esc(v)}</td>' for v in values)
            + "</tr>"
            for label, unit, values in self.rows()
        )
        return (
            '<table class="cloudlab-result">'
            f"<thead><tr><th></th><th>unit</th>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
