"""When Auto Scaling's periodic pass may be skipped: :class:`QuietPass`.

A pass (every 30 virtual seconds) that found no instance to replace and no group to
rebalance records what it read; the following passes are skipped while that is unchanged.
A week of Auto Scaling makes some 20,000 passes, and nine in ten find nothing to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudlab.sim.elbv2.balancers import load_balancing

if TYPE_CHECKING:
    from cloudlab.sim.autoscaling.groups import AutoScaling

__all__ = ["QuietPass"]


@dataclass
class QuietPass:
    """A periodic pass that found nothing to do (no instance to replace, no group to
    rebalance) and what it read: the next passes find nothing either, so they are skipped,
    while :meth:`holds`.

    What a pass reads, and what says it is unchanged:

    - the groups' instance lists and settings, the instances' records (launch and end
      times, failed hosts and crashed servers) and the failed AZs: the instance book's
      ``generation``, which every change of them bumps (a learner's call through the
      hooks, the simulation's own launches and terminations in ``_learn``, an injected
      failure or recovery);
    - the target groups' unhealthy targets (``HealthCheckType="ELB"``): each group's
      ``unhealthy_version``, bumped whenever a target may have become or stopped being
      unhealthy (a change of state to or from ``unhealthy``, registrations, settings); a
      new target turning healthy changes nothing the pass reads;
    - the time: an instance leaves its grace period or reaches its end at ``until``.
    """

    generation: int
    #: (ARN, target group health or None, its unhealthy_version)
    elb: tuple[tuple[str, Any, int], ...]
    until: float
    #: the load balancing state's target groups by ARN (a dict it keeps and updates)
    lb_groups: dict[str, Any]

    @classmethod
    def after(cls, scaler: AutoScaling, t: float) -> QuietPass:
        """What a quiet pass at ``t`` read."""
        elb: dict[str, tuple[str, Any, int]] = {}
        until = math.inf
        records = scaler.book.records
        groups: dict[str, Any] = {}  # none read unless a group checks ELB health
        for name in sorted(scaler.groups):
            view = scaler.groups[name]
            if view.health_check_type == "ELB" and view.target_groups:
                groups = load_balancing(scaler.cloud).groups
                for arn in view.target_groups:
                    group = groups.get(arn)
                    elb[arn] = (arn, group, -1 if group is None else group.unhealthy_version)
            for inst in view.instances:
                record = records.get(inst["InstanceId"])
                if record is None:
                    continue
                if t - record.launch_t < view.grace_s:
                    until = min(until, record.launch_t + view.grace_s)
                if record.ended_t is not None and record.ended_t > t:
                    until = min(until, record.ended_t)
        # a microsecond early: at the boundary itself the full pass decides
        return cls(scaler.book.generation, tuple(elb.values()), until - 1e-6, groups)

    def holds(self, scaler: AutoScaling, t: float) -> bool:
        """Whether a pass at ``t`` would read what the quiet pass read: a few compares."""
        if scaler.book.generation != self.generation or t >= self.until:
            return False
        # The pass would first refresh the load balancing state; that re-reads nothing here:
        # it re-reads after a call that bumped the book's config_generation (which bumps
        # `generation` too) or after apply_registrations (run by _learn, after the book's
        # ended() bumped `generation`), and the pass that recorded this one refreshed it.
        groups = self.lb_groups
        for arn, group, version in self.elb:
            if groups.get(arn) is not group or (group is not None
                                                and group.unhealthy_version != version):
                return False
        return True
