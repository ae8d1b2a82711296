"""The one place where cloudlab changes what moto's Auto Scaling *does* (not just how fast).

moto 5.2 launches every instance of an Auto Scaling group into the first subnet of
``VPCZoneIdentifier`` and removes the oldest instances on scale-in, so a group spread over
three Availability Zones ends up in one, and an AZ outage takes the whole group down. AWS
instead keeps groups balanced across their AZs
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html#arch-AutoScalingMultiAZ)
and its default termination policy picks the AZ with the most instances first
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-termination-policies.html).

No public extension point chooses the subnet of a group's launch, so this module wraps two
methods of ``moto.autoscaling.models.FakeAutoScalingGroup`` and one of its backend:

- ``replace_autoscaling_group_instances(count, tags)`` launches one instance at a time into
  the subnet of the AZ with the fewest instances (ties: the order of ``VPCZoneIdentifier``),
  skipping AZs the simulation marks as down, by calling moto's own method with the group's
  ``vpc_zone_identifier`` narrowed to that subnet;
- ``set_desired_capacity(n)`` orders the group's instances before moto removes "the first
  ones", so scale-in takes from the AZ with the most instances, oldest first;
- ``AutoScalingBackend.create_auto_scaling_group`` keeps the ``HealthCheckGracePeriod`` it
  was given: moto turns ``0`` (and a missing value) into 300 s, AWS keeps 0, its API default
  (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html).
  A group with ELB health checks and no grace period replaces instances that are still
  booting: the trap learners should meet.

Higher layers say which AZs are down with :func:`set_unavailable_azs_provider` (the cloud
layer never imports them). ``tests/cloud/test_moto_autoscaling.py`` fails loudly if a moto
upgrade renames what is wrapped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

__all__ = ["install", "set_unavailable_azs_provider"]

_installed = False
_unavailable: Callable[[], set[str]] = set


def set_unavailable_azs_provider(provider: Callable[[], set[str]]) -> None:
    """Tell Auto Scaling which AZs cannot take launches (an AZ outage)."""
    global _unavailable
    _unavailable = provider


#: attribute of an EC2 backend keeping, per list of subnet ids, what describe_subnets gave
_KEPT_SUBNETS = "_cloudlab_group_subnets"


def _subnets(group: Any) -> list[tuple[str, str]]:
    """The group's (subnet id, AZ) options, in ``describe_subnets``' order (its ties)."""
    ids = [s for s in (group.vpc_zone_identifier or "").split(",") if s]
    if not ids:
        return [("", az) for az in group.availability_zones]
    return _described_subnets(group.autoscaling_backend.ec2_backend, ids)


def _described_subnets(ec2: Any, ids: list[str]) -> list[tuple[str, str]]:
    """``[(s.id, s.availability_zone) for s in ec2.describe_subnets(subnet_ids=ids)]``,
    kept per ``ids`` while every subnet of the answer is still where moto keeps it.

    moto's answer is every subnet whose id is in ``ids``, in the order of its
    ``subnets[az][id]`` dictionaries, or an error if one is missing; it copies and filters
    every subnet of the Region (~20 us, once per launch). While each subnet of a kept
    answer is the same object at the same place, the answer is the same: those subnets
    still match, in the same relative order (dictionaries keep their order when others are
    added or removed), and no other can (a subnet id is drawn once, and a kept answer has
    one subnet per id). A deleted subnet makes moto answer again (and raise)."""
    kept: dict[tuple[str, ...], list[tuple[Any, str, str]]] = ec2.__dict__.setdefault(
        _KEPT_SUBNETS, {})
    key = tuple(ids)
    answer = kept.get(key)
    if answer is None or any(ec2.subnets.get(az, {}).get(sid) is not subnet
                             for subnet, sid, az in answer):
        answer = kept[key] = [(s, s.id, s.availability_zone)
                              for s in ec2.describe_subnets(subnet_ids=ids)]
    return [(sid, az) for _, sid, az in answer]


def _az(state: Any) -> str:
    placement = state.instance.placement
    return str(getattr(placement, "zone", placement))


def _az_counts(group: Any) -> Counter[str]:
    # counted by Counter's C loop over a list (not `counts[_az(state)] += 1` per state)
    return Counter([_az(state) for state in group.instance_states])


def install() -> bool:
    """Wrap the three methods (idempotent). Returns False if moto changed shape."""
    global _installed
    if _installed:
        return True
    try:
        from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup
    except ImportError:
        return False
    launch = getattr(FakeAutoScalingGroup, "replace_autoscaling_group_instances", None)
    resize = getattr(FakeAutoScalingGroup, "set_desired_capacity", None)
    create = getattr(AutoScalingBackend, "create_auto_scaling_group", None)
    if launch is None or resize is None or create is None:
        return False

    def create_keeping_grace(self: Any, *args: Any, **kwargs: Any) -> Any:
        group = create(self, *args, **kwargs)
        given = kwargs.get("health_check_period")
        group.health_check_grace_period = int(given or 0)
        return group

    def balanced_launch(self: Any, count_needed: int, propagated_tags: dict[str, str]) -> None:
        options = _subnets(self)
        down = _unavailable()
        usable = [o for o in options if o[1] not in down] or options
        saved_vpc, saved_azs = self.vpc_zone_identifier, self.availability_zones
        try:
            for _ in range(count_needed):
                counts = _az_counts(self)
                subnet, az = min(usable, key=lambda o: (counts[o[1]], usable.index(o)))
                if subnet:
                    self.vpc_zone_identifier = subnet
                self.availability_zones = [az]
                launch(self, 1, dict(propagated_tags))
        finally:
            self.vpc_zone_identifier, self.availability_zones = saved_vpc, saved_azs

    def balanced_resize(self: Any, new_capacity: int | None) -> None:
        target = self.min_size if new_capacity is None else new_capacity
        excess = len(self.instance_states) - (target or 0)
        if excess > 0:
            pool = [s for s in self.instance_states if not s.protected_from_scale_in]
            counts = _az_counts(self)
            victims = []
            for _ in range(min(excess, len(pool))):
                az = max(counts, key=lambda z: (counts[z], z))
                choice = next(s for s in pool if _az(s) == az)
                pool.remove(choice)
                victims.append(choice)
                counts[az] -= 1
                if counts[az] == 0:
                    del counts[az]
            rest = [s for s in self.instance_states if s not in victims]
            self.instance_states = victims + rest
        before = {id(s): k for k, s in enumerate(self.instance_states)}
        resize(self, new_capacity)
        # moto keeps the survivors of a scale-in as list(set(...) - set(...)): an order that
        # follows memory addresses. Keep them in the order they had, so the next scale-in's
        # "oldest first" is the same on every machine.
        self.instance_states.sort(key=lambda s: before.get(id(s), len(before)))

    balanced_launch.__wrapped__ = launch  # type: ignore[attr-defined]
    balanced_resize.__wrapped__ = resize  # type: ignore[attr-defined]
    create_keeping_grace.__wrapped__ = create  # type: ignore[attr-defined]
    AutoScalingBackend.create_auto_scaling_group = create_keeping_grace  # type: ignore[method-assign]
    FakeAutoScalingGroup.replace_autoscaling_group_instances = balanced_launch  # type: ignore[method-assign]
    FakeAutoScalingGroup.set_desired_capacity = balanced_resize  # type: ignore[method-assign]
    _installed = True
    return True
