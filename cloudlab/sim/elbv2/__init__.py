"""Elastic Load Balancing on the virtual clock: target health checks, draining, routing.

- :mod:`~cloudlab.sim.elbv2.health`: one target group's checks and target states.
- :mod:`~cloudlab.sim.elbv2.balancers`: the per-cloud :class:`LoadBalancing`
  (:func:`load_balancing`): balancers, rotation, the truthful ``describe_target_health``.
"""

from __future__ import annotations

from cloudlab.sim.elbv2.balancers import Balancer, LoadBalancing, load_balancing
from cloudlab.sim.elbv2.health import TargetGroupHealth, TargetState

__all__ = ["Balancer", "LoadBalancing", "TargetGroupHealth", "TargetState", "load_balancing"]
