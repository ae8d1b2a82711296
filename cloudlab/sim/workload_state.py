"""Where requests go at one instant: the :class:`Router` and its :class:`Route`.

A :class:`Router` resolves what :class:`~cloudlab.sim.workload.WebTraffic` sends to (a load
balancer, an Elastic IP or an instance) and, at any virtual time, returns a :class:`Route`:
which instances get requests and in what share, which of them answer, how much they can
serve, how many instances run per AZ, and what the whole cloud costs per second right now.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cloudlab.sim._kept import Kept as _Kept
from cloudlab.sim.autoscaling.groups import auto_scaling
from cloudlab.sim.catalog import InstanceType, instance_type
from cloudlab.sim.ec2.addresses import elastic_ips
from cloudlab.sim.ec2.instances import InstanceRecord, instance_book
from cloudlab.sim.elbv2.balancers import load_balancing
from cloudlab.sim.recorder import Marker
from cloudlab.sim.run_prices import lb_rate, prices

__all__ = ["Route", "Router"]


@dataclass
class Route:
    """The architecture's state for a stretch of a run."""

    targets: list[tuple[InstanceRecord, float, bool]] = field(default_factory=list)
    good_share: float = 0.0
    capacity_rps: float = 0.0
    servers: int = 0
    cross_az: float = 0.0
    running: int = 0
    healthy: int = 0
    desired: int = 0
    per_az: dict[str, int] = field(default_factory=dict)
    cost_per_s: float = 0.0
    members: list[InstanceRecord] = field(default_factory=list)
    lb: Any = None
    zonal: set[str] = field(default_factory=set)
    #: per target (same order), the requests per second it can serve (0.0: it does not answer)
    target_rps: list[float] = field(default_factory=list)
    #: instance ids of the members that are running
    running_ids: list[str] = field(default_factory=list)
    #: what one request costs on top of ``cost_per_s`` (a load balancer's capacity units or
    #: processed bytes; nothing straight to an instance or an Elastic IP)
    usd_per_request: float = 0.0

    def at(self, desired: int, cost_per_s: float) -> Route:
        """A copy with another desired capacity and cost per second: what changes while the
        route's shape is kept (a shallow copy, as ``dataclasses.replace`` makes, without its
        per-field checks: the router makes one whenever either changes)."""
        route = object.__new__(Route)
        route.__dict__.update(self.__dict__)
        route.desired, route.cost_per_s = desired, cost_per_s
        return route


class Router:
    """Resolves a run's destination and the route requests take at a given time."""

    def __init__(self, cloud: Any, to: str) -> None:
        self.cloud = cloud
        self.book = instance_book(cloud)
        self.lbs = load_balancing(cloud)
        self.to = to
        self.lb = None
        self._cost = _Kept()
        self._live: list[InstanceRecord] = []
        self._billable_seen = 0
        self._billable_of: dict[str, InstanceRecord] | None = None
        self._shape = _Kept()
        self._groups_seen: dict[str, Any] | None = None
        self._last: Route | None = None  # the route route() returned last, and its shape
        self._last_shape: Route | None = None
        self._feeding: list[Any] = []
        # the cloud's Auto Scaling controller, once needed (kept as the book and the load
        # balancing state are: a router lives within one run of one cloud)
        self._scaler: Any = None
        self._types: dict[str, InstanceType] = {}  # see _type
        self._price_per_s: dict[str, float] = {}  # per instance type, see _bill
        if not (to.startswith("i-") or _looks_like_ip(to)):
            self.lb = self.lbs.balancer(to)
        elif to.startswith("i-"):
            self.book.get(to)

    # -- markers ------------------------------------------------------------------------
    def subscribe(self, sink: Callable[[Marker], None]) -> Callable[[], None]:
        """Send alarm transitions, scaling activities and failures to ``sink`` as markers
        until the returned function is called."""
        from cloudlab.sim.failures import failure_log

        active = [True]
        scaler = auto_scaling(self.cloud)

        def on_activity(a: Any) -> None:
            if active[0]:
                sink(Marker(a.t_s, f"{a.group}: {a.description}", a.kind))

        def on_failure(t_s: float, label: str, kind: str) -> None:
            if active[0]:
                sink(Marker(t_s, label, kind))

        def on_alarm(tr: Any) -> None:
            if active[0]:
                kind = "alarm" if tr.new_state == "ALARM" else "alarm_ok"
                sink(Marker(tr.t_s, f"{tr.alarm_name}: {tr.new_state}", kind))

        scaler.listeners.append(on_activity)
        log = failure_log(self.cloud)
        log.listeners.append(on_failure)
        try:
            from cloudlab.sim.cloudwatch import alarms

            alarms(self.cloud).on_transition(on_alarm)
        except ImportError:  # pragma: no cover - cloudwatch is part of the package
            pass

        def unsubscribe() -> None:
            active[0] = False
            if on_activity in scaler.listeners:
                scaler.listeners.remove(on_activity)
            if on_failure in log.listeners:
                log.listeners.remove(on_failure)
        return unsubscribe

    # -- the route ----------------------------------------------------------------------
    def route(self, t: float) -> Route:
        """Where requests go at ``t``. The route's shape (targets, shares, health, capacity,
        instances per AZ) is kept while nothing it depends on changes: the instance book
        (``generation``), a learner's configuration (``config_generation``), a target's
        health or registration (the target groups' ``version``), or an instance reaching
        ``running``, serving or its end. Desired capacity and cost are read every time."""
        lb = self.lb
        if lb is not None:  # what shares() would do first: re-read after a change
            self.lbs.refresh()
        key = self._shape_key()
        kept = self._shape
        if key == kept.key and kept.since <= t < kept.until:  # kept.holds(key, t), inlined
            shape: Route = kept.value
        else:
            shape = self._route_shape(t)
            if kept.value is not None:
                _share_lists(shape, kept.value)
            kept.keep(key, t, _next_change(shape, t), shape)
        desired = shape.desired
        if lb is not None:
            desired = 0
            for group in self._feeding_groups(lb):
                desired += group.desired
        cost = self._cost_per_s(t)
        last = self._last
        # the last route again when nothing in it changed (routes are not changed once
        # made): most minutes of a run keep their shape, desired capacity and cost
        if (last is not None and last.cost_per_s == cost and last.desired == desired
                and self._last_shape is shape):
            return last
        self._last, self._last_shape = shape.at(desired, cost), shape
        return self._last

    def _feeding_groups(self, lb: Any) -> list[Any]:
        """The Auto Scaling groups (their current views) that register instances in the load
        balancer's target groups. The controller replaces its ``groups`` dict whenever it
        re-reads the backend, so the match is kept while that dict is the same object."""
        scaler = self._scaler
        if scaler is None:
            scaler = self._scaler = auto_scaling(self.cloud)
        scaler.refresh()
        groups = scaler.groups
        if groups is not self._groups_seen:
            tgs = set(lb.target_groups)
            self._feeding = [g for g in groups.values() if tgs & set(g.target_groups)]
            self._groups_seen = groups
        return self._feeding

    def _shape_key(self) -> tuple[int, ...]:
        book = self.book
        if self.lb is None:
            return (book.generation, book.config_generation, len(book.records))
        groups = self.lbs.groups
        key = [book.generation, book.config_generation, len(book.records)]
        for arn in self.lb.target_groups:
            group = groups.get(arn)
            key.append(-1 if group is None else group.version)
        return tuple(key)

    def _route_shape(self, t: float) -> Route:
        route = Route(lb=self.lb)
        book = self.book
        records, down = book.records, book.down_azs
        if self.lb is not None:
            route.usd_per_request = lb_rate(prices().lb_usd_per_request, self.lb.kind)
            targets, zonal_ids, record_of = route.targets, route.zonal, records.get
            for target, share, zonal in self.lbs.shares(self.lb):
                record = record_of(target.target_id)
                if record is None:
                    continue
                targets.append((record, share, record.serves(t, down, target.port)))
                if zonal:  # cross-zone off: only the node in its own AZ sends it requests
                    zonal_ids.add(record.instance_id)
            members: set[str] = set()
            healthy = 0
            groups = self.lbs.groups
            for arn in self.lb.target_groups:
                group = groups.get(arn)
                if group is None:
                    continue
                for key, x in group.targets.items():
                    if x.state == "healthy":
                        healthy += 1
                    members.add(key[0])
            route.healthy = healthy
            route.members = [records[i] for i in sorted(members) if i in records]
        else:
            record = self._single()
            if record is not None:
                ok = record.serves(t, down, 80)
                route.targets.append((record, 1.0, ok))
                route.members = [record]
                route.healthy = int(ok)
                route.desired = 1
        self._measure(route, t)
        return route

    def _type(self, name: str) -> InstanceType:
        """The catalog's instance type of that name (kept per name: the catalog is read
        once per process, so a name always gives the same type)."""
        it = self._types.get(name)
        if it is None:
            it = self._types[name] = instance_type(name)
        return it

    def _measure(self, route: Route, t: float) -> None:
        # sums in target order, as the route's fields would add them one by one
        lb_azs = self.lb.azs if self.lb is not None else frozenset()
        per_zone = 1.0 / len(lb_azs) if lb_azs else 0.0
        good_share, capacity, servers, cross_az = 0.0, 0.0, 0, 0.0
        zonal, target_rps, types = route.zonal, route.target_rps, self._types
        for record, share, ok in route.targets:
            rps = 0.0
            if ok:  # (an InstanceType is always true: `or` asks the catalog on a miss)
                it = types.get(record.instance_type) or self._type(record.instance_type)
                rps = it.rps * record.speed
                good_share += share
                capacity += rps
                servers += it.vcpu
                if lb_azs and record.instance_id not in zonal:
                    cross_az += share * (1.0 - (per_zone if record.az in lb_azs else 0.0))
            target_rps.append(rps)
        if abs(good_share - 1.0) < 1e-9:  # n shares of 1/n add up to 1 - epsilon
            good_share = 1.0
        route.good_share, route.capacity_rps = good_share, capacity
        route.servers, route.cross_az = servers, cross_az
        running_ids, per_az = route.running_ids, route.per_az
        for record in route.members:
            if record.state_at(t) == "running":
                running_ids.append(record.instance_id)
                per_az[record.az] = per_az.get(record.az, 0) + 1
        route.running = len(running_ids)

    def _cost_per_s(self, t: float) -> float:
        """What the whole cloud costs per second at ``t``. It changes only when an instance
        changes state (at a ``running_t`` or ``ended_t``), when the instance book changes
        (``generation``) or when a learner's call may have changed Elastic IPs or load
        balancers (``config_generation``), so it is computed again only then."""
        book = self.book
        key = (book.generation, book.config_generation, len(book.records),
               len(self.lbs.balancers))
        kept = self._cost
        if key == kept.key and kept.since <= t < kept.until:  # kept.holds(key, t), inlined
            return float(kept.value)
        total, until = self._bill(t)
        self._cost.keep(key, t, until, total)
        return total

    def _bill(self, t: float) -> tuple[float, float]:
        """The cost per second at ``t`` and the earliest later time an instance changes state."""
        p = prices()
        total = 0.0
        until = math.inf
        # Every Elastic IP is billed, associated or not, whatever its instance does; an
        # instance's auto-assigned address only while it runs and holds no Elastic IP.
        eips = elastic_ips(self.cloud)
        with_eip = {iid for iid in eips.values() if iid}
        ips = len(eips)
        volume_per_s = p.root_volume_per_s
        per_s = self._price_per_s
        for record in self._billable(t):
            state = record.state_at(t)
            if state == "running":
                price = per_s.get(record.instance_type)
                if price is None:
                    price = per_s[record.instance_type] = (
                        self._type(record.instance_type).price_per_hour / 3600.0)
                total += price
                ips += int(record.public_ip and record.instance_id not in with_eip)
            if state == "running" or state == "pending" or state == "stopped":
                total += volume_per_s
            ended_t = record.ended_t
            if ended_t is not None and ended_t > t and ended_t < until:
                until = ended_t
            running_t = record.running_t
            if running_t > t and running_t < until:
                until = running_t
        kinds: dict[str, int] = {}  # (a Counter's counts, without its cost)
        for lb in self.lbs.balancers.values():
            kinds[lb.kind] = kinds.get(lb.kind, 0) + 1
        for kind in sorted(kinds):  # each load balancer at the hourly price of its kind
            total += lb_rate(p.lb_per_s, kind) * kinds[kind]
        total += p.ipv4_per_s * ips
        return total, until

    def _billable(self, t: float) -> list[InstanceRecord]:
        """The book's records, in its order, without those terminated by ``t`` (they cost
        nothing, and a terminated instance stays terminated): a long run keeps hundreds.
        Records the book added since the last call join at the end (the book only adds
        them, in order), instead of walking every record again after each launch."""
        records = self.book.records
        seen = self._billable_seen
        if records is not self._billable_of or len(records) < seen:
            self._billable_of = records
            self._live = list(records.values())
        elif len(records) > seen:  # the book only adds records, at its end: add those
            self._live.extend(itertools.islice(records.values(), seen, None))
        self._billable_seen = len(records)
        self._live = [r for r in self._live if not (
            r.ended == "terminated" and r.ended_t is not None and t >= r.ended_t)]
        return self._live

    def _addresses(self) -> tuple[dict[str, str], int]:
        """Elastic IPs (public IP -> instance id) and how many are not associated."""
        ips = elastic_ips(self.cloud)
        return ips, sum(1 for iid in ips.values() if not iid)

    def _single(self) -> InstanceRecord | None:
        if self.to.startswith("i-"):
            return self.book.records.get(self.to)
        instance = self._addresses()[0].get(self.to)
        return self.book.records.get(instance) if instance else None


def _share_lists(shape: Route, old: Route) -> None:
    """Give a new route shape the lists of the old one (``targets``, ``target_rps``,
    ``running_ids``) where they hold the same: the same records (the same objects) with the
    same shares and health, the same capacities, the same running instances. Readers keep
    what they derive from a route's lists while the lists are the same objects (the
    publisher's plan of a minute, see :meth:`MinuteWriter.plan
    <cloudlab.sim.workload_writer.MinuteWriter.plan>`), and about half the changes of a
    route's shape leave them as they were (a target group's version or a pending instance
    changes only ``healthy`` or ``members``). Shares and capacities are finite and never
    -0.0, so ``==`` of the floats is equality of their bits."""
    if len(shape.targets) == len(old.targets) and all(
            a[0] is b[0] and a[1] == b[1] and a[2] == b[2]
            for a, b in zip(shape.targets, old.targets, strict=True)):
        shape.targets = old.targets
    if shape.target_rps == old.target_rps:
        shape.target_rps = old.target_rps
    if shape.running_ids == old.running_ids:
        shape.running_ids = old.running_ids


def _next_change(route: Route, t: float) -> float:
    """The earliest time after ``t`` at which an instance of the route starts running,
    starts serving or ends (what :meth:`InstanceRecord.serves` and ``state_at`` compare
    with); ``inf`` if none does. (Plain compares: it runs after every change of a route,
    for each of up to 20 targets and their members.)"""
    until = math.inf
    for records in ([r for r, _, _ in route.targets], route.members):
        for record in records:
            launch_t, plan = record.launch_t, record.plan
            x = launch_t + plan.running_after_s
            if t < x < until:
                until = x
            ended_t = record.ended_t
            if ended_t is not None and t < ended_t < until:
                until = ended_t
            if plan.serving_after_s is not None:
                x = launch_t + plan.serving_after_s
                if t < x < until:
                    until = x
    return until


def _looks_like_ip(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)
