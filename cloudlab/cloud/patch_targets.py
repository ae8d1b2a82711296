"""Patch 10 of :mod:`cloudlab.cloud.patches`: Auto Scaling registers with its target groups
only the targets that registering would change (and 10b: looks at Classic Load Balancers only
when it has some).

After every change of a group's instances (each ``SetDesiredCapacity``, each replacement),
moto's ``AutoScalingBackend.update_attached_target_groups`` registers *every* instance of
the group with each of its target groups again. ``FakeTargetGroup.register`` then, for each
target in turn:

1. looks the instance up in the target group's EC2 backend and raises ``TargetNotRunning``
   if it is not ``running`` (after registering the targets before it);
2. sets ``targets[id] = {"Id": id, "Port": port}`` (``port``: the target group's);
3. drops ``id`` from ``deregistered_targets``.

For a target already in ``targets`` as ``{"Id": id, "Port": port}``, not in
``deregistered_targets``, whose instance is running, that changes nothing moto shows: step 2
replaces a value by an equal new dict at the same place of the (insertion-ordered) dict,
step 3 finds nothing, and nothing else (``terminated_targets``, health) is touched. No one
keeps the old dict (moto's describe calls read ``targets`` anew), so which of two equal
dicts is stored is not observable.

Patch 10: the same registration, without those no-op targets.
    The patched method reads the same group and target groups (``describe_target_groups``,
    with its errors) and gives ``register_targets`` only the targets that would change
    something, in moto's order (the order of the same set of ids, built the same way), so
    new targets are added in the same order. It leaves everything to moto's own method
    whenever registering could raise: an instance of the group that is not ``running``, or a
    target group whose EC2 backend is not the group's, or not built yet (its lookup by id
    could then differ).
    A week of Auto Scaling (~700 actions of ~10 instances) then registers ~360 targets
    instead of ~7,000.

Patch 10b: Classic Load Balancers looked at only when the group has some.
    moto's ``update_attached_elbs`` (twice per ``SetDesiredCapacity``) first builds the set
    of the group's in-service instance ids, then returns when the group has no
    ``LoadBalancerNames``. Building that set reads attributes and changes nothing, so the
    patched method makes the test first and otherwise calls moto's.

``tests/cloud/test_patch_targets.py`` compares moto's target-group state after scale-out,
scale-in, a stopped and a terminated instance, and replacements, with and without it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["install_target_registration"]

_installed: set[str] = set()


def install_target_registration() -> bool:
    """Replace ``AutoScalingBackend.update_attached_target_groups`` with one that registers
    only the targets that change, and ``update_attached_elbs`` with one that tests first
    whether there are any. Idempotent; False if moto changed shape."""
    if "target_registration" in _installed:
        return True
    try:
        from moto.autoscaling.models import AutoScalingBackend
        from moto.ec2.models import ec2_backends
        from moto.elbv2.models import FakeTargetGroup
    except ImportError:  # pragma: no cover - moto moved it
        return False
    original = getattr(AutoScalingBackend, "update_attached_target_groups", None)
    elbs = getattr(AutoScalingBackend, "update_attached_elbs", None)
    if original is None or elbs is None or not hasattr(FakeTargetGroup, "register") \
            or not isinstance(ec2_backends, dict):
        return False  # pragma: no cover - moto moved it

    def _ec2_backend(target_group: Any) -> Any:
        # FakeTargetGroup.ec2_backend is ec2_backends[account][region], a lookup that
        # builds a missing entry and adds ec2_backends to BackendDict._instances (~2 us,
        # comparing it with every BackendDict). An entry already built is what it returns,
        # and ec2_backends is in _instances already: the group's Auto Scaling backend was
        # built with that lookup after the cloud's start last emptied the list. So an
        # entry read directly is the answer; a missing one is left to moto's method.
        account = dict.get(ec2_backends, target_group.account_id)
        return None if account is None else dict.get(account, target_group.region_name)

    def update_attached_target_groups(self: Any, group_name: str) -> None:
        group = self.autoscaling_groups[group_name]
        if not group.target_group_arns:
            return original(self, group_name)  # nothing to do: moto returns at once
        states = group.instance_states
        if any(state.instance.state != "running" for state in states):
            return original(self, group_name)  # moto raises TargetNotRunning: let it
        group_instance_ids = {state.instance.id for state in states}  # as moto builds it
        target_groups = self.elbv2_backend.describe_target_groups(
            target_group_arns=group.target_group_arns, load_balancer_arn=None, names=None)
        ec2 = group.autoscaling_backend.ec2_backend
        changing: list[tuple[Any, list[dict[str, Any]]]] = []
        for target_group in target_groups:
            if _ec2_backend(target_group) is not ec2:  # pragma: no cover - not in one cloud
                return original(self, group_name)
            port = target_group.port
            registered, deregistered = target_group.targets, target_group.deregistered_targets
            changing.append((target_group, [
                {"Id": x, "Port": port} for x in group_instance_ids
                if registered.get(x) != {"Id": x, "Port": port} or x in deregistered]))
        for target_group, targets in changing:
            if targets:
                self.elbv2_backend.register_targets(target_group.arn, targets)
        return None

    def update_attached_elbs(self: Any, group_name: str) -> None:
        if not self.autoscaling_groups[group_name].load_balancer_names:
            return None  # what moto returns there, after building a set it does not use
        return elbs(self, group_name)

    update_attached_target_groups.__wrapped__ = original  # type: ignore[attr-defined]
    update_attached_elbs.__wrapped__ = elbs  # type: ignore[attr-defined]
    AutoScalingBackend.update_attached_target_groups = (  # type: ignore[method-assign]
        update_attached_target_groups)
    AutoScalingBackend.update_attached_elbs = update_attached_elbs  # type: ignore[method-assign]
    _installed.add("target_registration")
    return True
