"""Auto Scaling groups on the virtual clock: health, replacement, cooldowns and activities.

moto stores groups and launches instances when the desired capacity changes (balanced
across AZs by :mod:`cloudlab.cloud.moto_autoscaling`), but it never checks health, never
replaces an instance and never runs a policy. :class:`AutoScaling` does, every
:data:`TICK_S` seconds of virtual time while any group exists:

- **health**: after the grace period, an instance is unhealthy when EC2 status checks fail
  (its host or AZ failed) or it is not running; with ``HealthCheckType="ELB"`` also when a
  target group of the group reports it ``unhealthy``, or a Classic Load Balancer of the
  group (``LoadBalancerNames``) reports it ``OutOfService`` after failed checks. With the
  default ``EC2`` type a dead web server on a running instance stays *InService*: the
  classic trap. Unhealthy instances are terminated and replaced (desired capacity
  unchanged).
- **rebalancing**: when one AZ has two or more instances more than another (after an AZ
  comes back), the group launches one instance into the emptiest AZ first and, once it is
  in service, terminates one in the fullest AZ, so capacity never dips (AWS may exceed the
  maximum size by up to 10 % while it does this, and so does the simulation:
  https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html).
- **activities**: every change is recorded as an :class:`Activity` (also a chart marker).

Policies (simple, step, target tracking) and scheduled actions live in
:mod:`cloudlab.sim.autoscaling.policies` and :mod:`cloudlab.sim.autoscaling.schedules`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from cloudlab.cloud import moto_direct
from cloudlab.sim._kept import Kept as _Kept
from cloudlab.sim.autoscaling.quiet import QuietPass
from cloudlab.sim.ec2.addresses import disassociate, elastic_ips
from cloudlab.sim.ec2.instances import InstanceBook, instance_book
from cloudlab.sim.elbv2.balancers import load_balancing
from cloudlab.sim.elbv2.classic import KEY_PREFIX

__all__ = ["TICK_S", "Activity", "AutoScaling", "GroupView", "auto_scaling"]

#: Seconds of virtual time between two passes of the Auto Scaling controller.
TICK_S = 30.0


@dataclass(frozen=True)
class Activity:
    """One scaling activity: ``t_s``, the group, what happened and why."""

    t_s: float
    group: str
    kind: str  # "scale_out", "scale_in", "replace", "rebalance", "scheduled"
    description: str
    cause: str


@dataclass
class GroupView:
    """A group's settings as last read from the backend, plus controller state."""

    name: str
    min_size: int
    max_size: int
    desired: int
    health_check_type: str
    grace_s: float
    default_cooldown_s: float
    target_groups: tuple[str, ...]
    instances: list[dict[str, Any]]
    arn: str = ""
    azs: frozenset[str] = frozenset()
    cooldown_until: float = 0.0
    warming: dict[str, float] = field(default_factory=dict)
    step_in_progress: tuple[float, int] = (0.0, 0)
    default_warmup_s: float | None = None
    #: a rebalancing in progress: (the instance launched first, the AZ to take one from)
    rebalancing: tuple[str, str] | None = None

    def warmup_s(self, policy_warmup: float | None = None) -> float:
        """Seconds a new instance warms up after ``InService``: the policy's
        ``EstimatedInstanceWarmup``, else the group's ``DefaultInstanceWarmup``, else its
        ``DefaultCooldown`` (what AWS falls back to)."""
        if policy_warmup is not None:
            return float(policy_warmup)
        if self.default_warmup_s is not None and self.default_warmup_s >= 0:
            return self.default_warmup_s
        return self.default_cooldown_s


class AutoScaling:
    """The per-cloud Auto Scaling controller."""

    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self.book: InstanceBook = instance_book(cloud)
        self.groups: dict[str, GroupView] = {}
        self.activities: list[Activity] = []
        self.listeners: list[Any] = []
        #: DefaultInstanceWarmup per group (moto drops it; the hooks keep what was asked)
        self.default_warmups: dict[str, int] = {}
        self._seen_generation = -1
        self._tick_event: Any = None
        self._busy = False
        #: per group: its running instances (see _running_at), with the book generation
        #: and the time span they hold for
        self._running: dict[str, _Kept] = {}
        #: what the last periodic pass read, if it found nothing to do (see QuietPass)
        self._quiet: QuietPass | None = None

    # -- reading ------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        if self._busy or (not force and self._seen_generation == self.book.config_generation):
            return
        self._busy = True
        try:
            self._seen_generation = self.book.config_generation
            self.book.sync()
            client = self.cloud.client("autoscaling")
            fresh: dict[str, GroupView] = {}
            for page in client.get_paginator("describe_auto_scaling_groups").paginate():
                for g in page["AutoScalingGroups"]:
                    old = self.groups.get(g["AutoScalingGroupName"])
                    view = _view(g)
                    warmup = self.default_warmups.get(view.name)
                    view.default_warmup_s = None if warmup is None else float(warmup)
                    if old is not None:
                        view.cooldown_until, view.warming = old.cooldown_until, old.warming
                        view.step_in_progress = old.step_in_progress
                        view.rebalancing = old.rebalancing
                    fresh[view.name] = view
            self.groups = fresh
        finally:
            self._busy = False
        if self.groups and self._tick_event is None:
            self._tick_event = self.cloud.every(TICK_S, self._tick, name="Auto Scaling")

    def group(self, name: str) -> GroupView:
        self.refresh()
        try:
            return self.groups[name]
        except KeyError:
            from cloudlab.errors import UnknownResource

            names = ", ".join(sorted(self.groups)) or "none yet"
            raise UnknownResource(
                f"no Auto Scaling group {name!r} (there are: {names}); create one with "
                "autoscaling.create_auto_scaling_group(...)") from None

    def in_service(self, name: str, t: float | None = None) -> list[str]:
        """Instance ids of a group that are running (launched and not ended)."""
        t = self.cloud.t if t is None else t
        return list(self._running_at(self.group(name), t).ids)

    def capacity(self, view: GroupView, warmup_s: float,
                 t: float | None = None) -> tuple[int, int]:
        """How many instances of the group run at ``t`` (default: now), and how many of
        them are still warming up (reached ``running`` less than ``warmup_s`` before
        ``t``): what target tracking counts."""
        t = self.cloud.t if t is None else t
        running = self._running_at(view, t)
        warming = 0
        for since in running.newest_first:
            if not since + warmup_s > t:
                break  # the ones that started running earlier have warmed up too
            warming += 1
        return len(running.ids), warming

    def _running_at(self, view: GroupView, t: float) -> _Running:
        kept = self._running.get(view.name)
        if kept is not None and kept.holds((self.book.generation,), t):
            return kept.value  # type: ignore[no-any-return]
        # Which instances run changes only when the book changes (launches, ends, starts:
        # `generation`) or when one reaches running or its end: the earliest such time
        # after `t` bounds the answer (state_at compares `t >=` each of these times).
        ids: list[str] = []
        starts: list[float] = []
        since, until = -math.inf, math.inf
        for inst in view.instances:
            record = self.book.records.get(inst["InstanceId"])
            if record is None:
                continue
            running_t = record.running_t
            for change in (running_t, record.ended_t):
                if change is None:
                    continue
                if change > t:
                    until = min(until, change)
                else:
                    since = max(since, change)
            if record.state_at(t) == "running":
                ids.append(record.instance_id)
                starts.append(running_t)
        running = _Running(tuple(ids), tuple(sorted(starts, reverse=True)))
        self._running[view.name] = _Kept((self.book.generation,), since, until, running)
        return running

    # -- acting -------------------------------------------------------------------------
    def record(self, activity: Activity) -> None:
        self.activities.append(activity)
        for listener in self.listeners:
            listener(activity)

    def set_desired(self, view: GroupView, desired: int, *, kind: str, cause: str) -> int:
        """Change a group's desired capacity within [min, max]; returns the new value."""
        desired = max(view.min_size, min(view.max_size, desired))
        if desired == view.desired:
            return desired
        old = view.desired
        with self.book.own_calls():
            if not moto_direct.set_desired_capacity(self.cloud, self.cloud.region, view.name,
                                                    desired):
                self.cloud.client("autoscaling").set_desired_capacity(
                    AutoScalingGroupName=view.name, DesiredCapacity=desired,
                    HonorCooldown=False)
        view.desired = desired
        verb = "Launching" if desired > old else "Terminating"
        count = abs(desired - old)
        self.record(Activity(self.cloud.t, view.name, kind,
                             f"{verb} {count} instance{'s' * (count != 1)}: "
                             f"desired capacity {old} -> {desired}", cause))
        self._learn(view)
        return desired

    def replace(self, view: GroupView, instance_id: str, *, kind: str, cause: str) -> None:
        client = self.cloud.client("autoscaling")
        with self.book.own_calls():
            client.set_instance_health(InstanceId=instance_id, HealthStatus="Unhealthy")
            client.terminate_instance_in_auto_scaling_group(
                InstanceId=instance_id, ShouldDecrementDesiredCapacity=False)
        self.book.ended([instance_id])
        self.record(Activity(self.cloud.t, view.name, kind,
                             f"Terminating {instance_id} and launching a replacement", cause))
        self._learn(view)

    def _learn(self, view: GroupView) -> None:
        """After the simulation's own call on a group: read that group alone and the
        instances it launched (from moto's records when embedded, else one call each), and
        apply to its target groups what Auto Scaling did, instead of re-reading every
        service."""
        group = moto_direct.auto_scaling_group(self.cloud, self.cloud.region, view.name)
        if group is None:
            with self.book.own_calls():
                found = self.cloud.client("autoscaling").describe_auto_scaling_groups(
                    AutoScalingGroupNames=[view.name])["AutoScalingGroups"]
            if not found:
                return
            group = found[0]
        before = {i["InstanceId"] for i in view.instances}
        after = {i["InstanceId"] for i in group["Instances"]}
        added = sorted(after - before)
        removed = sorted(before - after)
        view.desired, view.instances = int(group["DesiredCapacity"]), list(group["Instances"])
        self.book.learn([i for i in added if i not in self.book.records])
        self.book.ended(removed)
        holders = set(elastic_ips(self.cloud).values())
        holding = [i for i in removed if i in holders]
        if holding:  # EC2 disassociates the Elastic IP of a terminated instance
            disassociate(self.cloud, self.cloud.region, holding)
        load_balancing(self.cloud).apply_registrations(view.target_groups, added, removed)

    # -- the periodic pass --------------------------------------------------------------
    def _tick(self, clock: Any) -> None:
        if self._seen_generation != self.book.config_generation:  # else refresh() reads nothing
            self.refresh()
        if not self.groups:
            if self._tick_event is not None:
                self._tick_event.cancel()
                self._tick_event = None
            return
        t = clock.t
        if self._quiet is not None and self._quiet.holds(self, t):
            return
        generation = self.book.generation
        for name in sorted(self.groups):
            view = self.groups.get(name)
            if view is not None:
                self._check_health(view, clock.t)
        settled = True  # every group counted its AZs (none was finishing a rebalancing)
        for name in sorted(self.groups):
            view = self.groups.get(name)
            if view is not None:
                settled = settled and view.rebalancing is None
                self._rebalance(view)
        # Every action (a replacement, a rebalancing step) bumps the book's generation.
        self._quiet = (QuietPass.after(self, t) if settled and generation == self.book.generation
                       else None)

    def _unhealthy_in_elb(self, view: GroupView) -> set[str]:
        if view.health_check_type != "ELB" or not view.target_groups:
            return set()
        lbs = load_balancing(self.cloud)
        lbs.refresh()
        bad = set()
        for arn in view.target_groups:
            group = lbs.groups.get(arn)
            if group is None:
                continue
            for target in group.targets.values():
                if target.state == "unhealthy":
                    bad.add(target.target_id)
        return bad

    def _check_health(self, view: GroupView, t: float) -> None:
        elb_bad = self._unhealthy_in_elb(view)
        for inst in list(view.instances):
            record = self.book.records.get(inst["InstanceId"])
            if record is None or t - record.launch_t < view.grace_s:
                continue
            reason = None
            if record.state_at(t) in ("stopped", "terminated"):
                reason = "the instance is no longer running"
            elif record.impaired(self.book.down_azs):
                reason = "EC2 status checks failed (impaired)"
            elif record.instance_id in elb_bad:
                reason = "the load balancer reports it unhealthy (HealthCheckType ELB)"
            if reason is not None:
                self.replace(view, record.instance_id, kind="replace",
                             cause=f"an instance was taken out of service because {reason}")

    def _rebalance(self, view: GroupView) -> None:
        if view.rebalancing is not None:
            self._finish_rebalance(view)
            return
        counts: dict[str, list[str]] = {}
        for inst in view.instances:
            counts.setdefault(inst["AvailabilityZone"], []).append(inst["InstanceId"])
        usable = set(view.azs) - self.book.down_azs
        for az in usable:
            counts.setdefault(az, [])
        counts = {az: ids for az, ids in counts.items() if az in usable}
        if len(counts) < 2:
            return
        most = max(counts, key=lambda z: (len(counts[z]), z))
        least = min(counts, key=lambda z: (len(counts[z]), z))
        if len(counts[most]) - len(counts[least]) < 2:
            return
        before = {i["InstanceId"] for i in view.instances}
        with self.book.own_calls():  # above MaxSize for a moment, as AWS allows
            self.cloud.client("autoscaling").set_desired_capacity(
                AutoScalingGroupName=view.name, DesiredCapacity=view.desired + 1,
                HonorCooldown=False)
        self.record(Activity(self.cloud.t, view.name, "rebalance",
                             f"Launching 1 instance in {least} before terminating one in "
                             f"{most}", f"rebalancing: {most} has {len(counts[most])} "
                             f"instances, {least} has {len(counts[least])}"))
        self._learn(view)
        launched = sorted({i["InstanceId"] for i in view.instances} - before)
        view.rebalancing = (launched[0] if launched else "", most)

    def _finish_rebalance(self, view: GroupView) -> None:
        launched, az = view.rebalancing or ("", "")
        record = self.book.records.get(launched)
        if record is not None and record.state_at(self.cloud.t) == "pending":
            return  # terminate only once the new instance is in service
        view.rebalancing = None
        victims = [i["InstanceId"] for i in view.instances
                   if i["AvailabilityZone"] == az and i["InstanceId"] != launched]
        if not victims:
            return
        with self.book.own_calls():
            self.cloud.client("autoscaling").terminate_instance_in_auto_scaling_group(
                InstanceId=victims[0], ShouldDecrementDesiredCapacity=True)
        self.book.ended([victims[0]])
        self.record(Activity(self.cloud.t, view.name, "rebalance",
                             f"Terminating {victims[0]} in {az}: its replacement is in "
                             "service", "rebalancing"))
        self._learn(view)


@dataclass(frozen=True)
class _Running:
    """A group's running instances: their ids in the group's order, and the times they
    reached ``running``, the latest first."""

    ids: tuple[str, ...]
    newest_first: tuple[float, ...]


def _view(g: dict[str, Any]) -> GroupView:
    return GroupView(
        name=g["AutoScalingGroupName"], min_size=int(g["MinSize"]),
        max_size=int(g["MaxSize"]), desired=int(g["DesiredCapacity"]),
        health_check_type=g.get("HealthCheckType") or "EC2",
        grace_s=float(g.get("HealthCheckGracePeriod") or 0),
        default_cooldown_s=float(g.get("DefaultCooldown") or 300),
        # a Classic Load Balancer's health lives under the key "classic:<name>"
        target_groups=tuple(g.get("TargetGroupARNs") or ())
        + tuple(KEY_PREFIX + n for n in g.get("LoadBalancerNames") or ()),
        instances=list(g.get("Instances") or []),
        arn=g.get("AutoScalingGroupARN", ""),
        azs=frozenset(g.get("AvailabilityZones") or ()))


def auto_scaling(cloud: Any) -> AutoScaling:
    """The per-cloud :class:`AutoScaling` controller (created on first use)."""
    return cloud.state("sim.autoscaling", lambda: AutoScaling(cloud))  # type: ignore[no-any-return]
