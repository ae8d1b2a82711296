"""One minute of a traffic run: its latency percentiles and its CloudWatch datapoints.

:class:`MinutePublisher` sums what happened during a minute of
:class:`~cloudlab.sim.workload.WebTraffic` (requests, errors, each instance's busy share,
servers in use) and, at the minute's end, turns it into

- p50/p95/p99 latency from the M/M/c model (:func:`~cloudlab.sim.latency.tier_latency`)
  plus the inter-AZ hop for the share of requests that cross zones;
- CloudWatch datapoints, stamped with the start of their period as CloudWatch does:
  ``AWS/EC2 CPUUtilization`` and ``NetworkIn``/``NetworkOut`` per instance and per Auto
  Scaling group (every minute with detailed monitoring, as 5-minute averages with basic
  monitoring), and ``AWS/ApplicationELB`` ``RequestCount``, ``HTTPCode_ELB_5XX_Count``,
  ``ProcessedBytes``, ``TargetResponseTime``, ``HealthyHostCount``, ``UnHealthyHostCount``
  and ``RequestCountPerTarget`` for the load balancer and its target groups; for a Network
  (Gateway) Load Balancer ``AWS/NetworkELB`` (``AWS/GatewayELB``) ``ProcessedBytes``,
  ``HealthyHostCount`` and ``UnHealthyHostCount``; for a Classic Load Balancer ``AWS/ELB``
  ``RequestCount``, ``HTTPCode_ELB_5XX``, ``Latency``, ``HealthyHostCount`` and
  ``UnHealthyHostCount`` by ``LoadBalancerName``.

Idle instances report :data:`IDLE_CPU_PCT`; request and response sizes are model figures.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from cloudlab.sim.cloudwatch.metrics import Layout, MetricKey, metric_key
from cloudlab.sim.latency import inter_az_rtt_ms, tier_latency
from cloudlab.sim.workload_rows import (
    IDLE_CPU_PCT,
    METRIC_UNITS,
    PROCESSED_BYTES,
    REQUEST_BYTES,
    RESPONSE_BYTES,
    minute_mean_s,
)
from cloudlab.sim.workload_state import Route, Router
from cloudlab.sim.workload_writer import MinuteWriter

__all__ = ["IDLE_CPU_PCT", "REQUEST_BYTES", "RESPONSE_BYTES", "MinutePublisher", "percentiles"]

BASIC_PERIOD_S = 300
#: The CloudWatch namespace of the metrics of a Network or Gateway Load Balancer, by kind
#: (an Application Load Balancer's are ``AWS/ApplicationELB``, a Classic's ``AWS/ELB``).
LAYER4_NAMESPACES = {"network": "AWS/NetworkELB", "gateway": "AWS/GatewayELB"}


class MinutePublisher:
    """Accumulates a minute of a run and publishes it."""

    def __init__(self, cloud: Any, router: Router, timeout_ms: float) -> None:
        from cloudlab.sim.cloudwatch import metrics

        self.cloud, self.router, self.timeout_ms = cloud, router, timeout_ms
        self.store = metrics(cloud)
        self.rtt_ms = inter_az_rtt_ms()
        self.basic: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        self._keys: dict[tuple[str, str, tuple[tuple[str, str], ...]], MetricKey] = {}
        self._per_instance: dict[str, tuple[MetricKey, MetricKey, MetricKey]] = {}
        self._row_keys: list[MetricKey] = []  # the metrics of the last row put, and their
        self._layout: Layout | None = None  # layout in the store
        self._alb: tuple[Any, ...] | None = None  # see _alb_keys
        self._kept_plan: tuple[Any, ...] | None = None  # see _plan
        self._kept_queue: tuple[Any, ...] = (None, None, None)  # see _route_queue
        self._minutes = MinuteWriter(self)
        # per instance: busy share-seconds, running seconds, requests (see _spread)
        self.busy: dict[str, float] = defaultdict(float)
        self.alive: dict[str, float] = defaultdict(float)
        self.routed: dict[str, float] = defaultdict(float)
        self._reset()

    def _reset(self) -> None:
        self.seconds = 0.0
        self.requests = self.served = self.errors = 0.0
        self.server_s = self.capacity_s = self.cross_s = 0.0
        if self.busy or self.alive or self.routed:  # (a minute of one stretch leaves them empty)
            self.busy, self.alive, self.routed = (defaultdict(float), defaultdict(float),
                                                  defaultdict(float))
        self.last: Route | None = None
        self._stretches = 0
        # the minute's first stretch (route, seconds, served, requests), not yet spread over
        # busy/alive/routed: a minute of one stretch (every minute at 1-minute steps) is
        # published straight from it (see _one_stretch)
        self._first: tuple[Route, float, float, float] | None = None
        # While the minute has one stretch, its seconds, served requests and queue sums
        # are not made (they stay 0.0): they are added when a second stretch comes (_sum),
        # and close() takes a minute of one stretch from _first.

    def add(self, route: Route, seconds: float, served: float, requests: float,
            errors: float) -> None:
        if not self._stretches:
            self.requests = 0.0 + requests  # the sums from 0.0 (see _reset)
            self.errors = 0.0 + errors
            kept = self._kept_plan  # _plan() checks the route as spreading it would
            if (kept is None or kept[0] is not route.targets
                    or kept[1] is not route.target_rps or kept[2] is not route.running_ids):
                self._plan(route)
            self._first = (route, seconds, served, requests)
            self._stretches = 1
            self.last = route
            return
        self.requests += requests
        self.errors += errors
        if self._stretches == 1:  # the first stretch's sums, not made yet
            first = self._first
            assert first is not None
            self._sum(first[0], first[1], first[2])
        self._sum(route, seconds, served)
        if self._first is not None:
            self._spread(*self._first)
            self._first = None
        self._spread(route, seconds, served, requests)
        self._stretches += 1
        self.last = route

    def _sum(self, route: Route, seconds: float, served: float) -> None:
        """Add a stretch's seconds, served requests and the sums of its queue."""
        self.seconds += seconds
        self.served += served
        parts = _queue_parts(route, seconds)
        if parts is not None:
            self.server_s += parts[0]
            self.capacity_s += parts[1]
            self.cross_s += parts[2]

    def _queue_shape(self, seconds: float, server_s: float, capacity_s: float,
                     cross_s: float) -> tuple[float, float, float] | None:
        """``(servers, service_ms, hop_ms)`` of a minute's queue from its sums (``None``:
        no server ran)."""
        if not server_s > 0:
            return None
        servers = max(1, int(round(server_s / seconds)))
        capacity = capacity_s / seconds
        return float(servers), 1000.0 * servers / capacity, self.rtt_ms * (cross_s / seconds)

    def _route_queue(self, route: Route, seconds: float) -> tuple[float, float, float] | None:
        """:meth:`_queue_shape` of a minute of one stretch of ``route`` lasting ``seconds``
        (of the sums :meth:`_sum` makes from 0.0), kept for the next minutes: close()
        takes it while the route (not changed once made) and the seconds are the same,
        as in most minutes of a run."""
        parts = _queue_parts(route, seconds)
        shape = (None if parts is None else self._queue_shape(
            0.0 + seconds, 0.0 + parts[0], 0.0 + parts[1], 0.0 + parts[2]))
        self._kept_queue = (route, seconds, shape)
        return shape

    def _spread(self, route: Route, seconds: float, served: float, requests: float) -> None:
        """Add a stretch's requests, busy time and running time to each instance's."""
        ok_share = route.good_share
        routed, busy, alive = self.routed, self.busy, self.alive
        for (record, share, ok), cap in zip(route.targets, route.target_rps, strict=True):
            routed[record.instance_id] += share * requests
            if ok and ok_share > 0:
                busy[record.instance_id] += served * (share / ok_share) / cap
        for iid in route.running_ids:  # the members running at the route's time (now)
            alive[iid] += seconds

    def _plan(self, route: Route) -> list[tuple[str, int, list[tuple[float, bool, float]]]]:
        """Per running instance, in :meth:`_spread`'s order: its id, how often it is listed
        as running, and its targets' ``(share, answers, capacity)``. Kept while the route
        has the same lists (a route's lists are not changed once made; routes of the same
        shape share them), held here so their ids cannot be reused."""
        kept = self._kept_plan
        if (kept is not None and kept[0] is route.targets and kept[1] is route.target_rps
                and kept[2] is route.running_ids):
            return kept[3]
        targets: dict[str, list[tuple[float, bool, float]]] = {}
        for (record, share, ok), cap in zip(route.targets, route.target_rps, strict=True):
            targets.setdefault(record.instance_id, []).append((share, ok, cap))
        listed: dict[str, int] = {}
        for iid in route.running_ids:
            listed[iid] = listed.get(iid, 0) + 1
        plan = [(iid, n, targets.get(iid, [])) for iid, n in listed.items()]
        self._kept_plan = (route.targets, route.target_rps, route.running_ids, plan)
        return plan

    def _one_stretch(self) -> Iterator[tuple[str, float, float, float]]:
        """``(instance id, running seconds, busy share-seconds, requests)`` of each running
        instance for a minute of the one stretch ``_first``: the sums :meth:`_spread` would
        make, each from 0.0 in the same order, without the dictionaries."""
        assert self._first is not None
        route, seconds, served, requests = self._first
        ok_share = route.good_share
        for iid, listed, targets in self._plan(route):
            alive = 0.0
            for _ in range(listed):
                alive += seconds
            busy = routed = 0.0
            for share, ok, cap in targets:
                routed += share * requests
                if ok and ok_share > 0:
                    busy += served * (share / ok_share) / cap
            yield iid, alive, busy, routed

    def _instances(self) -> Iterable[tuple[str, float, float, float]]:
        """``(instance id, running seconds, busy share-seconds, requests)`` of each instance
        that ran during the minute."""
        if self._first is not None:
            return self._one_stretch()
        busy, routed = self.busy, self.routed
        return ((iid, alive, busy.get(iid, 0.0), routed.get(iid, 0.0))
                for iid, alive in self.alive.items())

    def close(self, t_end: float) -> tuple[float, float, float, float] | None:
        """Finish the minute ending at ``t_end``; returns the queue it saw
        ``(served_rps, servers, service_ms, hop_ms)`` (``None`` if nothing was served), for
        :func:`percentiles` to turn into latency in one vectorised pass."""
        if self._stretches == 1:  # a minute of one stretch: its sums are 0.0 + the stretch's
            route, seconds, served, _ = self._first  # type: ignore[misc]
            total_s = 0.0 + seconds
            if total_s <= 0:  # (as below: nothing closed, the next stretch adds to it)
                return None
            queue = None
            served_total = 0.0 + served
            if served_total > 0:
                kept = self._kept_queue  # _route_queue(), its check inlined
                shape = (kept[2] if kept[0] is route and kept[1] == seconds
                         else self._route_queue(route, seconds))
                if shape is not None:
                    queue = (served_total / total_s,) + shape
            t0 = t_end - total_s
            if not self._publish_minute(t0, queue):
                self._publish(t0, self._mean_s(queue))
                self._reset()
            else:  # _reset() of what such a minute changed: it spread nothing, and the
                self._stretches = 0  # next stretch sets requests, errors, _first and last
            return queue
        if self.seconds <= 0:
            return None
        queue = None
        if self.served > 0:
            shape = self._queue_shape(self.seconds, self.server_s, self.capacity_s,
                                      self.cross_s)
            if shape is not None:
                queue = (self.served / self.seconds, shape[0], shape[1], shape[2])
        t0 = t_end - self.seconds
        if self._first is None or not self._publish_minute(t0, queue):
            self._publish(t0, self._mean_s(queue))
        self._reset()
        return queue

    def _mean_s(self, queue: tuple[float, float, float, float] | None) -> float:
        """The minute's mean response time in seconds (NaN: nothing was served)."""
        return math.nan if queue is None else minute_mean_s(queue, self.timeout_ms)

    # -- a minute of one stretch, its datapoints computed when needed --------------------
    def _publish_minute(self, t0: float, queue: tuple[float, float, float, float] | None
                        ) -> bool:
        """Publish a minute of one stretch through :class:`MinuteWriter` (``False``: it
        published nothing, the minute takes :meth:`_publish`)."""
        return self._minutes.publish(t0, queue)

    # -- CloudWatch ---------------------------------------------------------------------
    def _key(self, namespace: str, name: str, *dims: tuple[str, str]) -> MetricKey:
        """A metric's identity, built once per run instead of once per datapoint."""
        k = (namespace, name, dims)
        key = self._keys.get(k)
        if key is None:
            key = self._keys[k] = metric_key(namespace, name, dict(dims))
        return key

    def _instance_keys(self, iid: str) -> tuple[MetricKey, MetricKey, MetricKey]:
        """An instance's CPUUtilization, NetworkIn and NetworkOut keys."""
        keys = self._per_instance.get(iid)
        if keys is None:
            dim = ("InstanceId", iid)
            keys = self._per_instance[iid] = (
                self._key("AWS/EC2", "CPUUtilization", dim), self._key("AWS/EC2", "NetworkIn", dim),
                self._key("AWS/EC2", "NetworkOut", dim))
        return keys

    def _publish(self, t0: float, mean_s: float) -> None:
        # the minute's datapoints go to the store as one row (MetricStore.put_row): keys and
        # values in the order the datapoints are made
        keys: list[MetricKey] = []
        values: list[float] = []
        route = self.last
        records = self.router.book.records
        per_instance = self._per_instance
        groups: dict[str, list[float]] = defaultdict(list)
        basic_groups: set[str] = set()  # groups with an instance on basic monitoring
        for iid, alive, busy, routed in self._instances():
            record = records[iid]
            cpu = min(100.0, IDLE_CPU_PCT + 100.0 * busy / max(alive, 1e-9))
            net_in = routed * REQUEST_BYTES
            net_out = routed * RESPONSE_BYTES
            if record.asg:
                groups[record.asg].append(cpu)
                if not record.detailed_monitoring:
                    basic_groups.add(record.asg)
            if record.detailed_monitoring:
                keys.extend(per_instance.get(iid) or self._instance_keys(iid))
                values += (cpu, net_in, net_out)
            else:
                keys, values = self._put(t0, keys, values)  # what comes before, first
                self._basic(iid, t0, cpu, net_in, net_out)
        for name, cpus in groups.items():
            # np.mean's own steps (numpy/_core/_methods.py _mean: add.reduce, then divide by
            # the count) without its dispatch and checks, a third of its cost
            cpu = float(np.add.reduce(np.asarray(cpus, dtype=float)) / len(cpus))
            if name not in basic_groups:
                keys.append(self._key("AWS/EC2", "CPUUtilization",
                                      ("AutoScalingGroupName", name)))
                values.append(cpu)
            else:
                keys, values = self._put(t0, keys, values)
                self._basic(f"asg:{name}", t0, cpu, 0.0, 0.0)
        if route is not None and route.lb is not None:
            if route.lb.kind == "classic":
                self._publish_classic(route, mean_s, keys, values)
            elif route.lb.kind in LAYER4_NAMESPACES:
                self._publish_layer4(route, keys, values)
            else:
                self._publish_alb(route, mean_s, keys, values)
        self._put(t0, keys, values)

    def _put(self, t0: float, keys: list[MetricKey],
             values: list[float]) -> tuple[list[MetricKey], list[float]]:
        """Put a row of datapoints at ``t0``; returns new empty lists for the next ones."""
        if keys:
            if keys != self._row_keys:  # the same metrics as the last row: the same layout
                self._row_keys = keys
                self._layout = self.store.layout(keys, [METRIC_UNITS[k[1]] for k in keys])
            assert self._layout is not None
            self.store.put_row(self._layout, t0, values)
        return [], []

    def _publish_alb(self, route: Route, mean_s: float, keys: list[MetricKey],
                     values: list[float]) -> None:
        """An Application Load Balancer's ``AWS/ApplicationELB`` metrics."""
        request_key, error_key, bytes_key, time_key, per_group = self._alb_keys(route.lb)
        keys += (request_key, error_key, bytes_key)
        values += (self.requests, self.errors, self.requests * PROCESSED_BYTES)
        if not math.isnan(mean_s):
            keys.append(time_key)
            values.append(mean_s)
        groups = self.router.lbs.groups
        for arn, group_keys in per_group:
            group = groups.get(arn)
            if group is None:
                continue
            counts = group.counts()
            healthy = counts.get("healthy", 0)
            keys += group_keys
            values += (healthy, counts.get("unhealthy", 0), self.requests / max(1, healthy))

    def _alb_keys(self, lb: Any) -> tuple[MetricKey, MetricKey, MetricKey, MetricKey,
                                          list[tuple[str, tuple[MetricKey, ...]]]]:
        """The keys of a load balancer's metrics (RequestCount, HTTPCode_ELB_5XX_Count,
        ProcessedBytes, TargetResponseTime) and, per target group, of its HealthyHostCount,
        UnHealthyHostCount and RequestCountPerTarget: built again only when the balancer,
        its ARN or its target groups change."""
        kept = self._alb
        if kept is None or kept[0] is not lb or kept[1] != lb.arn \
                or kept[2] != lb.target_groups:
            key, ns = self._key, "AWS/ApplicationELB"
            lb_dim = ("LoadBalancer", lb.metric_id)
            per_group = []
            for arn in lb.target_groups:
                tg_dim = _target_group_dim(arn)
                per_group.append((arn, (key(ns, "HealthyHostCount", tg_dim, lb_dim),
                                        key(ns, "UnHealthyHostCount", tg_dim, lb_dim),
                                        key(ns, "RequestCountPerTarget", tg_dim))))
            kept = self._alb = (lb, lb.arn, lb.target_groups, (
                key(ns, "RequestCount", lb_dim), key(ns, "HTTPCode_ELB_5XX_Count", lb_dim),
                key(ns, "ProcessedBytes", lb_dim), key(ns, "TargetResponseTime", lb_dim),
                per_group))
        return kept[3]

    def _publish_layer4(self, route: Route, keys: list[MetricKey],
                        values: list[float]) -> None:
        """A Network (or Gateway) Load Balancer's metrics, in ``AWS/NetworkELB``
        (``AWS/GatewayELB``): the bytes it processed and, per target group, its healthy and
        unhealthy targets. A layer-4 load balancer sees flows, not HTTP requests: it has no
        request count, HTTP error count or response time
        (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html)."""
        lb, key = route.lb, self._key
        ns = LAYER4_NAMESPACES[lb.kind]
        lb_dim = ("LoadBalancer", lb.metric_id)
        keys.append(key(ns, "ProcessedBytes", lb_dim))
        values.append(self.requests * PROCESSED_BYTES)
        groups = self.router.lbs.groups
        for arn in lb.target_groups:
            group = groups.get(arn)
            if group is None:
                continue
            counts = group.counts()
            tg_dim = _target_group_dim(arn)
            keys += (key(ns, "HealthyHostCount", tg_dim, lb_dim),
                     key(ns, "UnHealthyHostCount", tg_dim, lb_dim))
            values += (counts.get("healthy", 0), counts.get("unhealthy", 0))

    def _publish_classic(self, route: Route, mean_s: float, keys: list[MetricKey],
                         values: list[float]) -> None:
        """A Classic Load Balancer's ``AWS/ELB`` metrics, by ``LoadBalancerName``
        (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-cloudwatch-metrics.html)."""
        key = self._key
        dim = ("LoadBalancerName", route.lb.name)
        keys += (key("AWS/ELB", "RequestCount", dim), key("AWS/ELB", "HTTPCode_ELB_5XX", dim))
        values += (self.requests, self.errors)
        if not math.isnan(mean_s):
            keys.append(key("AWS/ELB", "Latency", dim))
            values.append(mean_s)
        counts: dict[str, int] = defaultdict(int)
        for arn in route.lb.target_groups:
            group = self.router.lbs.groups.get(arn)
            for state, n in (group.counts() if group is not None else {}).items():
                counts[state] += n
        keys += (key("AWS/ELB", "HealthyHostCount", dim), key("AWS/ELB", "UnHealthyHostCount", dim))
        values += (counts["healthy"], counts["unhealthy"])

    def _basic(self, key: str, t0: float, cpu: float, net_in: float, net_out: float) -> None:
        """Basic monitoring: average five minutes, publish at the period's end."""
        period_start = math.floor(t0 / BASIC_PERIOD_S) * BASIC_PERIOD_S
        acc = self.basic[key]
        if acc[3] and acc[3] != period_start:
            self._flush_basic(key)
            acc = self.basic[key]
        acc[0] += cpu
        acc[1] += net_in
        acc[2] += net_out
        acc[3] = period_start
        acc.append(1.0)
        if t0 + 60 >= period_start + BASIC_PERIOD_S:
            self._flush_basic(key)

    def _flush_basic(self, key: str) -> None:
        acc = self.basic.pop(key)
        n = max(1, len(acc) - 4)
        start = acc[3]
        put = self.store.put_key
        if key.startswith("asg:"):
            put(self._key("AWS/EC2", "CPUUtilization", ("AutoScalingGroupName", key[4:])),
                start, acc[0] / n, unit="Percent")
            return
        dim = ("InstanceId", key)
        put(self._key("AWS/EC2", "CPUUtilization", dim), start, acc[0] / n, unit="Percent")
        put(self._key("AWS/EC2", "NetworkIn", dim), start, acc[1], unit="Bytes")
        put(self._key("AWS/EC2", "NetworkOut", dim), start, acc[2], unit="Bytes")


def _target_group_dim(arn: str) -> tuple[str, str]:
    """The ``TargetGroup`` dimension of a target group's metrics: ``targetgroup/name/id``,
    the end of its ARN."""
    return ("TargetGroup", arn.split(":", 5)[-1])


def _queue_parts(route: Route, seconds: float) -> tuple[float, float, float] | None:
    """What a stretch of ``route`` lasting ``seconds`` adds to a minute's server-seconds,
    capacity-seconds and cross-zone seconds (``None``: no target answers)."""
    ok_share = route.good_share
    if ok_share > 0 and route.capacity_rps > 0:
        return (route.servers * seconds, route.capacity_rps * seconds,
                route.cross_az / ok_share * seconds)
    return None


def percentiles(queues: list[tuple[float, float, float, float]], timeout_ms: float,
                window_s: float) -> np.ndarray:
    """p50/p95/p99 (ms) of many minutes at once: an ``(n, 3)`` array.

    Minutes are grouped by service time (one vectorised :func:`tier_latency` per group);
    the inter-AZ hop is added afterwards, as :func:`tier_latency` would add it."""
    out = np.full((len(queues), 3), np.nan)
    if not queues:
        return out
    arr = np.asarray(queues, dtype=float)
    keys = np.round(arr[:, 2], 9)
    for key in np.unique(keys):
        rows = np.nonzero(keys == key)[0]
        ls = tier_latency(arr[rows, 0], arr[rows, 1].astype(int), service_ms=float(key),
                          timeout_ms=timeout_ms, window_s=window_s)
        hop = arr[rows, 3]
        out[rows, 0] = ls.p50_ms + hop
        out[rows, 1] = ls.p95_ms + hop
        out[rows, 2] = ls.p99_ms + hop
    return out
