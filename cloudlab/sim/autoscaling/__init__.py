"""Auto Scaling on the virtual clock: health and replacement, policies, scheduled actions.

- :mod:`~cloudlab.sim.autoscaling.groups`: the per-cloud controller (:func:`auto_scaling`)
  and its :class:`Activity` log (chart markers).
- :mod:`~cloudlab.sim.autoscaling.policies`: simple, step and target tracking policies run by
  CloudWatch alarms or ``execute_policy``.
- :mod:`~cloudlab.sim.autoscaling.schedules`: scheduled actions (cron, time zones).
"""

from __future__ import annotations

from cloudlab.sim.autoscaling.groups import TICK_S, Activity, AutoScaling, auto_scaling
from cloudlab.sim.autoscaling.schedules import next_occurrence, schedules

__all__ = ["TICK_S", "Activity", "AutoScaling", "auto_scaling", "next_occurrence", "schedules"]
