"""Web traffic through the architecture the learner built: :class:`WebTraffic`.

``cloud.run(WebTraffic(traffic, to="web-alb"), hours=24)`` sends a traffic model's requests
to a load balancer (by name, ARN or DNS name) or to one server (an Elastic IP address or an
instance id) for a stretch of virtual time, while everything else on the clock happens as it
would: health checks, alarms, Auto Scaling, scheduled actions, injected failures.

The run moves in stretches between clock events (the state of the architecture is constant
inside a stretch, so each one is a few vectorised numpy operations):

- the load balancer sends each request to a target in rotation (healthy targets, across
  zones); a request sent to a target whose web server does not answer fails (5xx);
- answering targets serve up to their capacity (the catalog's ``rps`` times the instance's
  speed); the rest fails; latency percentiles per minute come from the M/M/c model in
  :mod:`cloudlab.sim.latency`, plus the inter-AZ hop for the share of requests that cross
  zones;
- every minute the run publishes CloudWatch metrics (EC2 ``CPUUtilization`` per instance
  and per Auto Scaling group, every 5 minutes with basic monitoring; ALB ``RequestCount``,
  ``HTTPCode_ELB_5XX_Count``, ``ProcessedBytes``, ``TargetResponseTime``,
  ``HealthyHostCount``, ``RequestCountPerTarget``; an NLB's ``ProcessedBytes`` and host
  counts in ``AWS/NetworkELB``) so alarms see them and learners read them with boto3;
- cost accrues per second: running instances, their root volumes, each load balancer's
  hours at the price of its kind, the capacity units (or, for a Classic Load Balancer,
  the processed bytes) of the requests sent through one, public IPv4 addresses (see
  ``cloudlab/data/compute_prices.json``).

The result is a :class:`~cloudlab.sim.scenario.RunResult` whose recorder has the series the
scaling dashboard draws (``demand_rps``, ``served_rps``, ``errors_rps``, ``p95_ms``,
``instances:<az>``, ``desired``, ``cost_usd``, ...) and markers for alarms, scaling
activities and failures.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cloudlab.errors import InvalidScenario
from cloudlab.sim._collector import BusyCollector
from cloudlab.sim._validate import number
from cloudlab.sim.recorder import Marker, Recorder
from cloudlab.sim.scenario import LiveView, RunResult, _progress_bar
from cloudlab.sim.traffic import TrafficModel
from cloudlab.sim.workload_state import Route, Router

__all__ = ["WebTraffic"]

SERIES_UNITS = {
    "demand_rps": "req/s", "served_rps": "req/s", "errors_rps": "req/s",
    "capacity_rps": "req/s", "error_pct": "%", "p50_ms": "ms", "p95_ms": "ms", "p99_ms": "ms",
    "instances": "instances", "healthy_hosts": "instances", "desired": "instances",
    "cost_usd": "USD",
}
#: Virtual seconds between two redraws of a live view during a run.
LIVE_EVERY_S = 1800.0
_KNOWN = ("seconds", "minutes", "hours", "days", "progress", "live")


class WebTraffic:
    """Requests from a traffic model, sent to a load balancer or a single server.

    Args:
        traffic: a :class:`~cloudlab.sim.traffic.TrafficModel` (requests per second).
        to: a load balancer's name, ARN or DNS name; or an Elastic IP address or an
            instance id for a single server.
        step_s: seconds per sample (1 by default; 60 for long runs).
        timeout_ms: how long a request waits before it fails (5xx).
        name: label on charts.
    """

    def __init__(self, traffic: TrafficModel, *, to: str, step_s: float = 1.0,
                 timeout_ms: float = 3000.0, name: str | None = None) -> None:
        if not isinstance(traffic, TrafficModel):
            raise InvalidScenario(
                f"traffic must be a traffic model such as BusinessHours(...), got "
                f"{type(traffic).__name__}")
        if not isinstance(to, str) or not to:
            raise InvalidScenario("to= must name a load balancer (name, ARN or DNS name), an "
                                  "Elastic IP address or an instance id")
        self.traffic, self.to = traffic, to
        self.step_s = number("step_s", step_s, minimum=0.001)
        if 60 % self.step_s and self.step_s % 60:
            raise InvalidScenario(f"step_s must divide a minute (1, 5, 10, 60...), got {step_s}")
        self.timeout_ms = number("timeout_ms", timeout_ms, minimum=1.0)
        self.name = name or f"traffic to {to}"

    def __repr__(self) -> str:
        return f"WebTraffic({self.traffic!r}, to={self.to!r}, step_s={self.step_s:g})"

    def run(self, cloud: Any, /, *, seconds: float = 0, minutes: float = 0, hours: float = 0,
            days: float = 0, progress: bool | None = None, live: LiveView | None = None,
            **unknown: Any) -> RunResult:
        """Send the traffic for the given duration, moving the cloud's clock."""
        if unknown:
            import difflib

            bad = sorted(unknown)[0]
            close = difflib.get_close_matches(bad, _KNOWN, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InvalidScenario(f"unknown run option {bad!r}; {hint}a run takes "
                                  f"{', '.join(_KNOWN)}")
        duration = (number("seconds", seconds, minimum=0.0) + 60 * number("minutes", minutes,
                    minimum=0.0) + 3600 * number("hours", hours, minimum=0.0)
                    + 86400 * number("days", days, minimum=0.0))
        n = int(round(duration / self.step_s))
        if n < 1 or abs(n * self.step_s - duration) > 1e-6:
            raise InvalidScenario(
                f"the run needs a duration > 0 that is a whole number of {self.step_s:g} s "
                f"steps, got {duration:g} s; e.g. cloud.run(WebTraffic(...), hours=24)")
        return _Run(self, cloud, n, progress, live).go()


class _Run:
    def __init__(self, spec: WebTraffic, cloud: Any, n: int, progress: bool | None,
                 live: LiveView | None) -> None:
        self.spec, self.cloud, self.n, self.live = spec, cloud, n, live
        self.step = spec.step_s
        clock = cloud.clock
        self.t0 = float(clock.t)
        self.t_s = self.t0 + np.arange(n, dtype=float) * self.step
        self.demand = spec.traffic.rps(self.t_s, start=clock.start, rng=cloud.rng("traffic"))
        self.router = Router(cloud, spec.to)
        self.rec = Recorder(self.t_s, start=clock.start, step_s=self.step, events=[])
        self.arrays = {name: np.zeros(n) for name in SERIES_UNITS}
        self.arrays["demand_rps"] = self.demand
        for name in ("p50_ms", "p95_ms", "p99_ms"):
            self.arrays[name][:] = np.nan
        for name, arr in self.arrays.items():
            self.rec.add(name, arr, unit=SERIES_UNITS[name])
        # RunResult's summary speaks of unmet demand and utilisation, like the fleet runs
        self.utilization = np.zeros(n)
        self.rec.add("unmet_rps", self.arrays["errors_rps"], unit="req/s")
        self.rec.add("utilization", self.utilization, unit="fraction")
        self.az_arrays: dict[str, np.ndarray] = {}
        self.bar = _progress_bar(progress, n * self.step, spec.name)
        self.minute = _MinuteAccumulator(self)
        self._publish_add = self.minute.publisher.add
        # With steps of a minute or more every stretch is one step (_fill_step): the demand
        # as floats then, the values float(self.demand[i]) gives without a numpy scalar per
        # step (shorter steps fill most stretches at once: no list of a float per step)
        self._demand: list[float] | None = self.demand.tolist() if self.step >= 60 else None
        self.billed = 0.0
        self._rows: list[tuple[Any, ...]] = []  # steps filled but not yet in the arrays
        self._rows_from = 0

    def _az_array(self, az: str) -> np.ndarray:
        arr = self.az_arrays.get(az)
        if arr is None:
            arr = self.az_arrays[az] = np.zeros(self.n)
            self.rec.add(f"instances:{az}", arr, unit="instances")
        return arr

    def go(self) -> RunResult:
        clock = self.cloud.clock
        per_min = max(1, int(round(60 / self.step))) if self.step < 60 else 1
        unsubscribe = self.router.subscribe(self._marker)
        i, last_live = 0, 0
        # a week at one-minute steps loops 10,080 times: what each step uses is in locals
        n, t0, step, live, bar = self.n, self.t0, self.step, self.live, self.bar
        run_until, route_at, close = clock.run_until, self.router.route, self.minute.close
        collector = BusyCollector()
        try:
            while i < n:
                t = t0 + i * step
                run_until(t)
                route = route_at(t)
                if per_min == 1:  # steps of a minute or more: a stretch is one step
                    j = i + 1
                else:  # up to the next event, within the minute
                    nxt = clock.next_due()
                    j = n if nxt is None else min(n, max(i + 1, math.ceil(
                        (nxt - t0) / step - 1e-9)))
                    j = min(j, (i // per_min + 1) * per_min)
                if j == i + 1:
                    self._fill_step(route, i)  # what _fill does for one step
                else:
                    self._fill(route, i, j)
                if per_min == 1 or j % per_min == 0 or j == n:
                    close(j)
                if live is not None and ((j - last_live) * step >= LIVE_EVERY_S or j == n):
                    self.minute.latency()
                    self._write_rows()
                    live.update(self.rec, j)
                    last_live = j
                if bar is not None:
                    bar.update((j - i) * step / 3600.0)
                i = j
            clock.run_until(self.t0 + self.n * self.step)
            self.minute.latency()
            self._write_rows()
        finally:
            collector.restore()
            unsubscribe()
            if self.bar is not None:
                self.bar.close()
        self.rec.events.sort(key=lambda m: m.t_s)
        return RunResult(recorder=self.rec, name=self.spec.name, traffic=repr(self.spec.traffic),
                         fleet=self.spec.to)

    def _marker(self, marker: Marker) -> None:
        if self.t0 <= marker.t_s <= self.t0 + self.n * self.step:
            self.rec.events.append(marker)

    def _fill(self, route: Route, i: int, j: int) -> None:
        if j == i + 1:
            self._fill_step(route, i)
            return
        self._write_rows()
        a = self.arrays
        demand = self.demand[i:j]
        good = demand * route.good_share
        cap = route.capacity_rps
        served = np.minimum(good, cap)
        a["served_rps"][i:j] = served
        a["capacity_rps"][i:j] = cap
        errors = np.maximum(demand - served, 0.0)
        a["errors_rps"][i:j] = errors
        np.divide(served, cap, out=self.utilization[i:j], where=cap > 0)
        np.divide(100.0 * errors, demand, out=a["error_pct"][i:j], where=demand > 0)
        a["instances"][i:j] = route.running
        a["healthy_hosts"][i:j] = route.healthy
        a["desired"][i:j] = route.desired
        for az in set(route.per_az) | set(self.az_arrays):
            self._az_array(az)[i:j] = route.per_az.get(az, 0)
        rate = route.cost_per_s + route.usd_per_request * demand
        steps = np.cumsum(rate * self.step)
        a["cost_usd"][i:j] = self.billed + steps
        self.billed += float(steps[-1])
        self.minute.add(route, i, j, float(served.sum()) * self.step,
                        float(demand.sum()) * self.step, float(errors.sum()) * self.step)

    def _fill_step(self, route: Route, i: int) -> None:
        """:meth:`_fill` for a stretch of one step (every stretch at 1-minute steps), in
        plain floats: the same IEEE operations in the same order, without the overhead of a
        dozen numpy calls on one-element slices. The step's values wait in a row until
        :meth:`_write_rows` puts a batch of rows in the arrays at once."""
        step = self.step
        demand = float(self.demand[i]) if self._demand is None else self._demand[i]
        cap = route.capacity_rps
        # np.minimum(good, cap) and np.maximum(short, 0.0) of floats: NaN propagates and the
        # second wins a tie (signed zeros)
        good = demand * route.good_share
        served = good if good < cap or good != good else cap
        short = demand - served
        errors = short if short > 0.0 or short != short else 0.0
        if not self.az_arrays.keys() >= route.per_az.keys():  # a new AZ gets its array now
            for az in set(route.per_az) | set(self.az_arrays):
                self._az_array(az)
        cost = (route.cost_per_s + route.usd_per_request * demand) * step
        self.billed += cost
        if not self._rows:
            self._rows_from = i
        # served/cap, 100*errors/demand: left at the arrays' 0.0 where not defined, as _fill
        self._rows.append((served, cap, errors, served / cap if cap > 0 else 0.0,
                           100.0 * errors / demand if demand > 0 else 0.0, route.running,
                           route.healthy, route.desired, self.billed, route.per_az))
        # what self.minute.add(route, i, i + 1, ...) passes on ((i + 1 - i) * step == step)
        self._publish_add(route, step, served * step, demand * step, errors * step)

    def _write_rows(self) -> None:
        """Put the rows :meth:`_fill_step` kept into the recorder's arrays (before a live
        view reads them, before a many-step stretch and at the end of the run)."""
        rows = self._rows
        if not rows:
            return
        i, j = self._rows_from, self._rows_from + len(rows)
        columns = list(zip(*rows, strict=True))
        a = self.arrays
        for name, column in zip(_ROW_SERIES, columns, strict=False):
            target = self.utilization if name == "utilization" else a[name]
            target[i:j] = column
        per_az = columns[-1]
        for az, arr in self.az_arrays.items():
            arr[i:j] = [counts.get(az, 0) for counts in per_az]
        self._rows = []


#: The series of a row of :meth:`_Run._fill_step`, in its order (the row ends with the
#: instances per AZ).
_ROW_SERIES = ("served_rps", "capacity_rps", "errors_rps", "utilization", "error_pct",
               "instances", "healthy_hosts", "desired", "cost_usd")


class _MinuteAccumulator:
    """Sums one minute of a run, publishes its CloudWatch datapoints and keeps the queue
    it saw; :meth:`latency` turns the queues into p50/p95/p99 in one vectorised pass."""

    def __init__(self, run: _Run) -> None:
        from cloudlab.sim.workload_metrics import MinutePublisher

        self.run = run
        self.start_index = 0
        self.publisher = MinutePublisher(run.cloud, run.router, run.spec.timeout_ms)
        self.pending: list[tuple[int, int, tuple[float, float, float, float]]] = []

    def add(self, route: Route, i: int, j: int, served: float, requests: float,
            errors: float) -> None:
        self.publisher.add(route, (j - i) * self.run.step, served, requests, errors)

    def close(self, j: int) -> None:
        i = self.start_index
        if j <= i:
            return
        queue = self.publisher.close(self.run.t0 + j * self.run.step)
        if queue is not None:
            self.pending.append((i, j, queue))
        self.start_index = j

    def latency(self) -> None:
        from cloudlab.sim.workload_metrics import percentiles

        if not self.pending:
            return
        window = 60.0 if self.run.step < 60 else self.run.step
        p = percentiles([q for _, _, q in self.pending], self.run.spec.timeout_ms, window)
        # each minute's percentiles go to its steps [i, j): one fancy assignment per series
        # instead of three slice assignments per minute (10,080 minutes in a week)
        spans = np.array([(i, j) for i, j, _ in self.pending], dtype=np.int64)
        lengths = spans[:, 1] - spans[:, 0]
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths,
                                                             lengths)
        steps = np.repeat(spans[:, 0], lengths) + offsets
        a = self.run.arrays
        for column, name in enumerate(("p50_ms", "p95_ms", "p99_ms")):
            a[name][steps] = np.repeat(p[:, column], lengths)
        self.pending.clear()
