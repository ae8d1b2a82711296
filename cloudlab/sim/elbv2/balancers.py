"""The load balancers of one cloud: their target groups, health checks and routing.

:class:`LoadBalancing` reads load balancers, listeners, target groups and registrations from
the backend (again only after a call that may have changed them), keeps a
:class:`~cloudlab.sim.elbv2.health.TargetGroupHealth` per target group, schedules each
group's health checks on the virtual clock, and answers two questions:

- which targets of a load balancer get new requests right now (:meth:`rotation`);
- what ``describe_target_health`` should say (it rewrites moto's always-healthy answer),
  and ``describe_instance_health`` for Classic Load Balancers.

Classic Load Balancers (boto3 ``elb``) are read by :mod:`~cloudlab.sim.elbv2.classic` into
the same shapes: a :class:`Balancer` of kind ``"classic"`` and one target group keyed
``"classic:<name>"``, so routing, draining and Auto Scaling's ELB health checks need no
second code path.

The load balancer's DNS name never changes while targets come and go: clients should use it,
never instance addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudlab.sim.ec2.instances import InstanceBook, instance_book
from cloudlab.sim.elbv2.classic import KEY_PREFIX, describe_instance_states, read_classic
from cloudlab.sim.elbv2.health import TargetGroupHealth, TargetState

__all__ = ["Balancer", "LoadBalancing", "load_balancing"]


@dataclass
class Balancer:
    """One load balancer as the simulation sees it."""

    arn: str
    name: str
    dns_name: str
    kind: str
    azs: frozenset[str]
    created_t: float
    target_groups: tuple[str, ...] = ()

    @property
    def metric_id(self) -> str:
        """The ``LoadBalancer`` dimension value of its CloudWatch metrics (``app/name/id``)."""
        return self.arn.split(":loadbalancer/", 1)[-1]


class LoadBalancing:
    """Per-cloud view of load balancers and target health."""

    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self.book: InstanceBook = instance_book(cloud)
        self.balancers: dict[str, Balancer] = {}
        self.groups: dict[str, TargetGroupHealth] = {}
        self._seen_generation = -1
        self._refreshing = False
        self.known_created: dict[str, float] = {}

    # -- reading the backend -------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read balancers and registrations if a mutating call happened since."""
        if self._refreshing or self._seen_generation == self.book.config_generation:
            return
        self._refreshing = True
        try:
            self._seen_generation = self.book.config_generation
            self.book.sync()
            self._read()
        finally:
            self._refreshing = False

    def _read(self) -> None:
        elb = self.cloud.client("elbv2")
        now = self.cloud.t
        balancers: dict[str, Balancer] = {}
        for lb in elb.describe_load_balancers().get("LoadBalancers", []):
            arn = lb["LoadBalancerArn"]
            created = self.known_created.setdefault(arn, now)
            groups: list[str] = []
            for listener in elb.describe_listeners(LoadBalancerArn=arn).get("Listeners", []):
                for action in listener.get("DefaultActions", []):
                    if action.get("TargetGroupArn"):
                        groups.append(action["TargetGroupArn"])
                    for tg in (action.get("ForwardConfig") or {}).get("TargetGroups", []):
                        groups.append(tg["TargetGroupArn"])
            balancers[arn] = Balancer(
                arn=arn, name=lb["LoadBalancerName"], dns_name=lb.get("DNSName", ""),
                kind=lb.get("Type", "application"),
                azs=frozenset(z["ZoneName"] for z in lb.get("AvailabilityZones", [])),
                created_t=created, target_groups=tuple(dict.fromkeys(groups)))
        self.balancers = balancers
        seen = set()
        for tg in elb.describe_target_groups().get("TargetGroups", []):
            arn = tg["TargetGroupArn"]
            seen.add(arn)
            attrs = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(
                TargetGroupArn=arn).get("Attributes", [])}
            fresh = TargetGroupHealth.from_api(tg, attrs)
            users = [b for b in balancers.values() if arn in b.target_groups]
            fresh.load_balancers = tuple(b.arn for b in users) or fresh.load_balancers
            registered = {
                (d["Target"]["Id"], int(d["Target"].get("Port") or fresh.port))
                for d in elb.describe_target_health(TargetGroupArn=arn).get(
                    "TargetHealthDescriptions", [])
                if not self._ended(d["Target"]["Id"], now)
            }
            self._adopt(arn, fresh, users, registered, now)
        for lb, fresh, registered in read_classic(self.cloud, self.known_created, now):
            balancers[lb.arn] = lb
            seen.add(fresh.arn)
            self._adopt(fresh.arn, fresh, [lb],
                        {k for k in registered if not self._ended(k[0], now)}, now)
        for arn in list(self.groups):
            if arn not in seen:
                event = self.groups.pop(arn).event
                if event is not None:
                    event.cancel()

    def _adopt(self, key: str, fresh: TargetGroupHealth, users: list[Balancer],
               registered: set[tuple[str, int]], now: float) -> None:
        """Keep (or start) the health of target group ``key`` with ``fresh`` settings."""
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = fresh
        else:
            interval_changed = group.interval_s != fresh.interval_s
            group.update_settings(fresh)
            if interval_changed and group.event is not None:
                group.event.cancel()
                group.event = None
        group.lb_azs = frozenset().union(*(b.azs for b in users)) if users else frozenset()
        group.sync_registrations(registered, now)
        self._schedule_checks(key, group)

    def _schedule_checks(self, arn: str, group: TargetGroupHealth) -> None:
        if group.event is None and group.targets:
            group.event = self.cloud.every(group.interval_s, self._checker(arn),
                                           name=f"health checks of {group.name}")

    def apply_registrations(self, target_groups: tuple[str, ...], added: list[str],
                            removed: list[str]) -> None:
        """What Auto Scaling does to its target groups when it launches (``added``) or
        terminates (``removed``) instances, applied without re-reading the backend."""
        self.refresh()
        now = self.cloud.t
        for arn in target_groups:
            group = self.groups.get(arn)
            if group is None:  # not read yet: read everything at the next refresh
                self._seen_generation = -1
                continue
            registered = {key for key, target in group.targets.items()
                          if target.state != "draining" and key[0] not in removed}
            registered.update((iid, group.port) for iid in added)
            group.sync_registrations(registered, now)
            self._schedule_checks(arn, group)

    def _ended(self, target_id: str, t: float) -> bool:
        # moto keeps terminated instances registered; AWS deregisters them (draining).
        record = self.book.records.get(target_id)
        return record is not None and record.state_at(t) == "terminated"

    def _checker(self, arn: str) -> Any:
        book = self.book

        def run(clock: Any) -> None:
            # refresh() re-reads only after a call that changed the configuration: its test
            # first, here, saves a call in the 20,000 rounds of a week that find none
            if self._seen_generation != book.config_generation:
                self.refresh()
            group = self.groups.get(arn)
            if group is not None:
                group.check(clock.t, book)
        return run

    # -- answers ------------------------------------------------------------------------
    def balancer(self, name_or_arn: str) -> Balancer:
        """A load balancer by name, ARN or DNS name."""
        self.refresh()
        for lb in self.balancers.values():
            if name_or_arn in (lb.arn, lb.name, lb.dns_name):
                return lb
        from cloudlab.errors import UnknownResource

        names = ", ".join(sorted(b.name for b in self.balancers.values())) or "none yet"
        raise UnknownResource(
            f"no load balancer {name_or_arn!r} in the mini cloud (there are: {names}); "
            "create one with elbv2.create_load_balancer(...) (or a Classic Load Balancer "
            "with elb.create_load_balancer(...))")

    def rotation(self, lb: Balancer) -> list[TargetState]:
        """Targets that get new requests from ``lb`` now (across zones, as ALB does)."""
        self.refresh()
        out: list[TargetState] = []
        for arn in lb.target_groups:
            group = self.groups.get(arn)
            if group is not None:
                out.extend(group.in_rotation())
        return out

    def shares(self, lb: Balancer) -> list[tuple[TargetState, float, bool]]:
        """Each target in rotation, the share of ``lb``'s new requests it gets, and whether
        it gets them only from the load balancer node in its own AZ (cross-zone off).

        With cross-zone load balancing on (an ALB's default) every target in rotation gets
        an equal share. A target group with ``load_balancing.cross_zone.enabled`` = ``false``
        splits its part equally between the load balancer's nodes (one per AZ), and each node
        splits its part equally between the targets of its own AZ, so two targets in one AZ
        get half as much each as a lone target in another. Requests of a node with no
        target at all fail (its share is missing from the total).
        """
        self.refresh()
        parts: list[tuple[TargetGroupHealth, Any]] = []
        for arn in lb.target_groups:
            group = self.groups.get(arn)
            if group is None:
                continue
            if group.cross_zone:
                parts.append((group, group.in_rotation()))
            else:
                parts.append((group, group.zonal_rotation(lb.azs, self.book)))
        sizes = [len(members) if group.cross_zone else sum(len(ts) for _, ts in members)
                 for group, members in parts]
        total = sum(sizes)
        out: list[tuple[TargetState, float, bool]] = []
        if total == 0:
            return out
        for (group, members), size in zip(parts, sizes, strict=True):
            if group.cross_zone:  # every target in rotation gets the same share
                out.extend((t, 1.0 / total, False) for t in members)
                continue
            weight = size / total
            for _, targets in members:
                out.extend((t, weight / len(members) / len(targets), True) for t in targets)
        return out

    def rewrite_target_health(self, params: dict[str, Any], parsed: Any) -> None:
        if self._refreshing:
            return
        self.refresh()
        group = self.groups.get(str(params.get("TargetGroupArn", "")))
        if group is None:
            return
        described: list[dict[str, Any]] = []
        for target in group.targets.values():
            described.append({
                "Target": {"Id": target.target_id, "Port": target.port},
                "HealthCheckPort": str(group.port_checked(target)),
                "TargetHealth": target.describe(),
            })
        wanted = {t.get("Id") for t in params.get("Targets") or []}
        if wanted:
            described = [d for d in described if d["Target"]["Id"] in wanted]
        parsed["TargetHealthDescriptions"] = sorted(
            described, key=lambda d: (d["Target"]["Id"], d["Target"]["Port"]))


    def rewrite_instance_health(self, params: dict[str, Any], parsed: Any) -> None:
        """Replace moto's always-``InService`` ``describe_instance_health`` of a Classic
        Load Balancer with what its health checks found."""
        if self._refreshing:
            return
        self.refresh()
        group = self.groups.get(KEY_PREFIX + str(params.get("LoadBalancerName", "")))
        if group is not None:
            parsed["InstanceStates"] = describe_instance_states(group, params, self.book,
                                                                self.cloud.t)


def load_balancing(cloud: Any) -> LoadBalancing:
    """The per-cloud :class:`LoadBalancing` (created on first use, dropped on reset)."""
    return cloud.state("sim.elbv2", lambda: LoadBalancing(cloud))  # type: ignore[no-any-return]
