"""A run's minutes as rows whose datapoints are computed when the metric store needs them.

Every minute of a run publishes some 25 datapoints (per instance ``CPUUtilization``,
``NetworkIn`` and ``NetworkOut``, the group's CPU, the load balancer's metrics), yet only
the group's CPU is read every minute (by its alarms); the rest waits in the metric store
until a learner reads metrics or they are published (see
:class:`~cloudlab.sim.cloudwatch.rows.Rows`). So a minute whose requests took one route
(one stretch: every minute at steps of a minute or more) keeps only what its datapoints
are computed from: the instances' CPU (the group's CPU needs it now), the requests, the
few load balancer values and the queue the mean response time comes from. A
:class:`MinuteRows` block computes a metric's values for all its minutes in one pass
when the store folds it, with the same IEEE operations on the same operands, in the same
order, as the minute-by-minute computation in
:class:`~cloudlab.sim.workload_metrics.MinutePublisher` (numpy's element-wise
``* / + minimum`` round exactly as Python's float operations do), so the store ends up
with the same bits.

:class:`MinutePlan` is what such a minute needs from its route, kept per route shape;
:class:`~cloudlab.sim.workload_writer.MinuteWriter` publishes the minutes as rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cloudlab.sim.cloudwatch.rows import Layout, Rows
from cloudlab.sim.latency import mean_response_s
from cloudlab.sim.pairwise import add_reduce, add_reduce_same

__all__ = ["IDLE_CPU_PCT", "PROCESSED_BYTES", "REQUEST_BYTES", "RESPONSE_BYTES", "MinutePlan",
           "MinuteRows", "METRIC_UNITS", "Queue", "group_cpus", "minute_mean_s"]

#: CPU utilisation of a running instance that serves nothing (model figure, percent).
IDLE_CPU_PCT = 2.0
#: Model sizes of one request and one response, in bytes (for NetworkIn/NetworkOut).
REQUEST_BYTES = 2_000
RESPONSE_BYTES = 20_000
#: What a load balancer processes per request: the request and its response (the
#: ``ProcessedBytes`` metric, and the bytes its capacity units are billed on).
PROCESSED_BYTES = REQUEST_BYTES + RESPONSE_BYTES

#: The unit of each metric the run publishes, by metric name.
METRIC_UNITS = {
    "CPUUtilization": "Percent", "NetworkIn": "Bytes", "NetworkOut": "Bytes",
    "RequestCount": "Count", "HTTPCode_ELB_5XX_Count": "Count", "HTTPCode_ELB_5XX": "Count",
    "HealthyHostCount": "Count", "UnHealthyHostCount": "Count",
    "RequestCountPerTarget": "Count", "TargetResponseTime": "Seconds", "Latency": "Seconds",
    "ProcessedBytes": "Bytes",
}

#: (served requests per second, servers, service time in ms, inter-AZ hop in ms)
Queue = tuple[float, float, float, float]


def _mean_response_s(rps: float, servers: int, service_ms: float, timeout_ms: float) -> float:
    """Mean response time of the M/M/c queue (the timeout when it is overloaded).

    Overloaded means either test says so: ``rps >= servers * service_rps``, or the
    utilisation ``mean_response_s`` computes is not below 1. The two can differ in the last
    bit at exactly full load (e.g. 3 servers of 7.3 ms at 410.958904109589 requests/s),
    where the M/M/c mean alone is infinite, and the store refuses an infinite datapoint."""
    service_rps = 1000.0 / service_ms
    if rps >= servers * service_rps or not rps / service_rps / int(servers) < 1.0:
        return timeout_ms / 1000.0
    # MMc(rps, service_rps, servers).mean_response_s without building and checking an MMc
    return float(mean_response_s(float(rps), service_rps, int(servers)))


def minute_mean_s(queue: Queue, timeout_ms: float) -> float:
    """The ``TargetResponseTime`` (``Latency``) of a minute: mean response plus the hop."""
    served_rps, servers, service_ms, hop = queue
    return _mean_response_s(served_rps, int(servers), service_ms, timeout_ms) + hop / 1000.0


def group_cpus(plan: MinutePlan, cpus: list[float]) -> list[float]:
    """Each group's CPU, the mean of its instances' as ``MinutePublisher._publish`` takes it
    (``np.mean``'s steps, see :func:`~cloudlab.sim.pairwise.add_reduce`), of one value when
    all are the same."""
    if plan.uniform is not None:
        return [add_reduce_same(cpus[0], count) / count for _, _, count in plan.groups]
    return [add_reduce(cpus if members is None else [cpus[j] for j in members]) / count
            for _, members, count in plan.groups]


class MinutePlan:
    """What a minute of one stretch needs from its route, in the order the publisher
    publishes: per running instance (as listed once in ``running_ids``) its id and metric
    keys, ``(share / good_share, capacity)`` of each target that answers (``_plan``'s
    order) and the shares of all its targets (its requests); per group its CPU's key,
    its members' positions (``None``: every instance) and their number."""

    __slots__ = ("ids", "keys", "answering", "single", "uniform", "groups", "shares")

    def __init__(self, ids: list[str], keys: list[Any],
                 answering: list[list[tuple[float, float]]], shares: list[list[float]],
                 groups: list[tuple[Any, list[int] | None, int]]) -> None:
        self.ids, self.keys, self.shares, self.groups = ids, keys, shares, groups
        self.answering = answering
        #: each instance's one answering target (share / good_share, capacity); ``None``
        #: when an instance has several, or none (then its busy time is a sum, or 0.0)
        self.single = ([a[0] for a in answering] if all(len(a) == 1 for a in answering)
                       else None)
        #: the one ``(share / good_share, capacity)`` of every instance, when they all have
        #: the same (equal shares of one instance type: the usual group); ``None`` otherwise.
        #: The floats are finite and never -0.0, so ``==`` is equality of their bits.
        self.uniform = (self.single[0] if self.single and all(
            pair == self.single[0] for pair in self.single) else None)

    def cpus(self, served: float, alive: float) -> list[float]:
        """Each instance's CPU for a minute that served ``served`` requests while each
        instance ran ``alive`` seconds, as :meth:`MinutePublisher._publish` computes it:
        ``min(100, IDLE + 100 * busy / alive)`` with ``busy = 0.0 + served * (share /
        good_share) / capacity (+ ...)``. With one answering target per instance the
        leading ``0.0 +`` is left out: it only turns a -0.0 into 0.0, as ``IDLE +`` does.
        Instances with the same operands get the same value: it is computed once."""
        if self.uniform is not None:
            ratio, cap = self.uniform
            return [min(100.0, IDLE_CPU_PCT + 100.0 * (served * ratio / cap) / alive)
                    ] * len(self.ids)
        if self.single is not None:
            return [min(100.0, IDLE_CPU_PCT + 100.0 * (served * ratio / cap) / alive)
                    for ratio, cap in self.single]
        out = []
        for targets in self.answering:
            busy = 0.0
            for ratio, cap in targets:
                busy += served * ratio / cap
            out.append(min(100.0, IDLE_CPU_PCT + 100.0 * busy / alive))
        return out


class MinuteRows(Rows):
    """Minutes of one layout, as the metric store keeps them: per minute the instances'
    CPU, the requests, the queue (for the mean response time, when the layout has it at
    ``mean_at``) and the other values (``tail``: the groups' CPU, requests, errors, per
    target group healthy, unhealthy and requests per target), and the :class:`MinutePlan`
    of each stretch of minutes (``plans``: first row and plan; the instances' requests
    come from its shares). The layout is the plan's instance keys, then ``tail``'s keys
    with the mean's inserted at ``mean_at``."""

    __slots__ = ("n", "timeout_ms", "mean_at", "plans", "cpus", "requests", "queues",
                 "tails", "_cpus", "_tails", "_routed")

    def __init__(self, layout: Layout, n: int, timeout_ms: float, mean_at: int) -> None:
        super().__init__(layout)
        self.n, self.timeout_ms, self.mean_at = n, timeout_ms, mean_at
        self.plans: list[tuple[int, MinutePlan]] = []
        self.cpus: list[list[float]] = []
        self.requests: list[float] = []
        self.queues: list[Queue] = []
        self.tails: list[list[float]] = []
        self._cpus: np.ndarray | None = None  # the matrices of cpus and tails, when folded
        self._tails: np.ndarray | None = None
        self._routed: np.ndarray | None = None

    def add(self, t0: float, plan: MinutePlan, cpus: list[float], requests: float,
            queue: Queue | None, tail: list[float]) -> None:
        """Keep a minute (its row is the newest)."""
        if not self.plans or self.plans[-1][1] is not plan:
            self.plans.append((len(self.times), plan))
        self.add_row(t0, cpus, requests, queue, tail)

    def add_row(self, t0: float, cpus: list[float], requests: float, queue: Queue | None,
                tail: list[float]) -> None:
        """Keep a minute of the block's last plan (its row is the newest)."""
        self.times.append(t0)
        self.cpus.append(cpus)
        self.requests.append(requests)
        if queue is not None:
            self.queues.append(queue)
        self.tails.append(tail)
        self._cpus = self._tails = self._routed = None

    def column(self, i: int) -> list[float]:
        n = self.n
        if i < 3 * n:
            j, kind = divmod(i, 3)
            if kind == 0:
                if self._cpus is None:
                    self._cpus = np.array(self.cpus, dtype=float)
                return self._cpus[:, j].tolist()  # type: ignore[no-any-return]
            if self._routed is None:
                self._routed = self._routed_matrix()
            size = REQUEST_BYTES if kind == 1 else RESPONSE_BYTES
            return (self._routed[:, j] * size).tolist()  # type: ignore[no-any-return]
        k = i - 3 * n
        if k == self.mean_at:
            return [minute_mean_s(q, self.timeout_ms) for q in self.queues]
        k -= k > self.mean_at >= 0
        if self._tails is None:  # float() of each value, as the store's put does
            self._tails = np.array(self.tails, dtype=float)
        return self._tails[:, k].tolist()  # type: ignore[no-any-return]

    def _routed_matrix(self) -> np.ndarray:
        """Each minute's requests to each instance: ``0.0 + share * requests (+ ...)`` over
        the instance's targets in order, as the minute sums them; a plan's instances with
        fewer targets get ``0.0 * requests`` for the others, which adds nothing (the sum
        starts at 0.0, so it is never -0.0)."""
        parts = []
        ends = [start for start, _ in self.plans[1:]] + [len(self.times)]
        for (start, plan), end in zip(self.plans, ends, strict=True):
            requests = np.array(self.requests[start:end])[:, None]
            routed = np.zeros((end - start, self.n))
            slots = max((len(shares) for shares in plan.shares), default=0)
            for k in range(slots):
                share = np.array([shares[k] if k < len(shares) else 0.0
                                  for shares in plan.shares])
                routed += requests * share
            parts.append(routed)
        return np.concatenate(parts)

    def last(self, i: int) -> float:
        n = self.n
        if i < 3 * n:
            j, kind = divmod(i, 3)
            if kind == 0:
                return self.cpus[-1][j]
            routed = 0.0
            for share in self.plans[-1][1].shares[j]:
                routed += share * self.requests[-1]
            return routed * (REQUEST_BYTES if kind == 1 else RESPONSE_BYTES)
        k = i - 3 * n
        if k == self.mean_at:
            return minute_mean_s(self.queues[-1], self.timeout_ms)
        k -= k > self.mean_at >= 0
        return float(self.tails[-1][k])

    def group_at(self, i: int) -> int:
        """Where the layout's metric ``i`` is in a row's ``tail`` when it is a group's CPU
        (a float, as :meth:`last` would give it); -1 for any other metric."""
        k = i - 3 * self.n
        if k < 0 or k == self.mean_at:
            return -1
        k -= k > self.mean_at >= 0
        return k if k < len(self.plans[-1][1].groups) else -1
