"""Elastic Load Balancing on the virtual clock: target health checks, draining, routing.

- :mod:`~cloudlab.sim.elbv2.health`: one target group's checks and target states.
- :mod:`~cloudlab.sim.elbv2.balancers`: the per-cloud :class:`LoadBalancing`
  (:func:`load_balancing`): balancers, rotation, the truthful ``describe_target_health``.
- :mod:`~cloudlab.sim.elbv2.classic`: Classic Load Balancers (boto3 ``elb``) read into the
  same shapes, with their defaults and the truthful ``describe_instance_health``.
"""

from __future__ import annotations

from cloudlab.sim.elbv2.balancers import Balancer, LoadBalancing, load_balancing
from cloudlab.sim.elbv2.health import TargetGroupHealth, TargetState

__all__ = ["Balancer", "LoadBalancing", "TargetGroupHealth", "TargetState", "load_balancing"]
