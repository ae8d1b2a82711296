"""CloudWatch in the mini cloud: metrics on the virtual clock, alarm evaluation, actions.

moto stores metrics and alarms but never evaluates an alarm, runs an action or answers
``describe_alarm_history``. This package owns what is missing:

- :func:`metrics` / :class:`MetricStore`: every datapoint, from the simulation
  (``put``, ``put_series``) and from learners' ``put_metric_data`` (``series``: numpy
  columns, statistics per period, percentiles); lazy, batched publishing to the backend
  before any learner read (``flush``).
- :func:`alarms` / :class:`AlarmEngine`: evaluates every metric alarm each minute of
  virtual time with AWS's rules (M out of N, evaluation range, ``TreatMissingData``),
  writes the state back with ``set_alarm_state``, records history
  (:class:`AlarmTransition`, ``describe_alarm_history``) and runs actions (SNS topics, and
  handlers from :func:`register_alarm_action`; Auto Scaling ones every minute in the state).
- AWS's ``PutMetricAlarm`` validation that moto skips.

The botocore hooks (:mod:`~cloudlab.sim.cloudwatch.hooks`) attach on first use of
:func:`metrics` or :func:`alarms` (or :func:`install`; ``add_start_hook(install)`` would give
every Cloud CloudWatch behaviour). State lives in ``cloud.state`` and goes with
``cloud.reset()``; the next CloudWatch call starts afresh.

Example::

    engine = alarms(cloud)                      # evaluates every virtual minute from now on
    metrics(cloud).put_series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, t_s, cpu)
    cloud.advance(hours=1)
    engine.history                              # [AlarmTransition(t_s=..., ...), ...]

Imports only :mod:`cloudlab.cloud`, :mod:`cloudlab.errors` and numpy (and botocore).
"""

from __future__ import annotations

from cloudlab.sim.cloudwatch.actions import register_alarm_action, unregister_alarm_action
from cloudlab.sim.cloudwatch.alarms import EVALUATION_INTERVAL_S, AlarmEngine, alarms
from cloudlab.sim.cloudwatch.history import AlarmTransition, HistoryItem
from cloudlab.sim.cloudwatch.hooks import install
from cloudlab.sim.cloudwatch.metrics import MAX_DATUMS_PER_CALL, MetricStore, metrics

__all__ = [
    "EVALUATION_INTERVAL_S",
    "MAX_DATUMS_PER_CALL",
    "AlarmEngine",
    "AlarmTransition",
    "HistoryItem",
    "MetricStore",
    "alarms",
    "install",
    "metrics",
    "register_alarm_action",
    "unregister_alarm_action",
]
