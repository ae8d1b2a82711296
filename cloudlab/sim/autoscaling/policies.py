"""Scaling policies that act: simple, step and target tracking, run by CloudWatch alarms.

moto stores policies but never runs them (``execute_policy`` on a step policy crashes;
target tracking creates no alarms). Here a policy runs when an alarm that names its ARN in
``AlarmActions`` goes to (and, for Auto Scaling actions, stays in) ``ALARM``, or when a
learner calls ``execute_policy``:

- **simple** (``SimpleScaling``): one adjustment, then a cooldown (the policy's
  ``Cooldown``, else the group's ``DefaultCooldown``, 300 s by default) during which further
  simple scaling is refused;
- **step** (``StepScaling``): the adjustment of the step whose bounds (relative to the alarm
  threshold) contain the breach; no cooldown, but while instances launched by an earlier
  step are warming up (``EstimatedInstanceWarmup``) only a *larger* step adds capacity, and
  then only the difference;
- **target tracking** (``TargetTrackingScaling``): like AWS, putting the policy creates two
  alarms, ``TargetTracking-<group>-AlarmHigh-<id>`` (3 of 3 one-minute datapoints above the
  target) and ``...-AlarmLow-<id>`` (15 of 15 below 90 % of it); capacity becomes
  ``ceil(in-service instances x metric / target)``, out at once, in gradually (at most 10 %
  of the group, at least one instance, per invocation). Instances within their warm-up
  (the policy's ``EstimatedInstanceWarmup``, else the group's ``DefaultInstanceWarmup``,
  else its ``DefaultCooldown``, counted from ``InService``) are left out of the in-service
  count, so a scale-out is not repeated while its instances boot, and no scale-in happens
  while any instance warms up.

Sources: https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html,
https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html and
https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from cloudlab.sim.autoscaling.groups import AutoScaling, GroupView, auto_scaling
from cloudlab.sim.cloudwatch.metrics import metric_key, metrics
from cloudlab.sim.cloudwatch.window import kept_statistic

__all__ = ["create_target_tracking_alarms", "execute", "run_alarm_action", "step_for"]

_PREDEFINED = {
    "ASGAverageCPUUtilization": ("AWS/EC2", "CPUUtilization", "Average"),
    "ASGAverageNetworkIn": ("AWS/EC2", "NetworkIn", "Average"),
    "ASGAverageNetworkOut": ("AWS/EC2", "NetworkOut", "Average"),
    "ALBRequestCountPerTarget": ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum"),
}


def _policy(cloud: Any, arn: str, scaler: AutoScaling | None = None) -> dict[str, Any] | None:
    # Alarms run Auto Scaling actions every minute they stay in ALARM: read the policies
    # again only after a call that may have changed them.
    if scaler is None:
        scaler = auto_scaling(cloud)
    generation = scaler.book.config_generation
    cached = cloud.state("sim.autoscaling.policies", dict)
    if cached.get("generation") != generation:
        found: dict[str, dict[str, Any]] = {}
        client = cloud.client("autoscaling")
        for page in client.get_paginator("describe_policies").paginate():
            for policy in page["ScalingPolicies"]:
                found[policy.get("PolicyARN", "")] = policy
        cached.clear()
        cached.update(generation=generation, policies=found)
    return cached["policies"].get(arn)  # type: ignore[no-any-return]


def step_for(steps: list[dict[str, Any]], breach: float) -> int | None:
    """The ``ScalingAdjustment`` of the step whose interval contains ``breach``
    (metric value minus alarm threshold), or ``None`` if no step does."""
    for step in steps:
        lower = step.get("MetricIntervalLowerBound")
        upper = step.get("MetricIntervalUpperBound")
        lo = -math.inf if lower is None else float(lower)
        hi = math.inf if upper is None else float(upper)
        if lo <= breach < hi or (hi == math.inf and breach >= lo):
            return int(step["ScalingAdjustment"])
    return None


def _adjusted(view: GroupView, policy: dict[str, Any], adjustment: int) -> int:
    kind = policy.get("AdjustmentType") or "ChangeInCapacity"
    if kind == "ExactCapacity":
        return adjustment
    if kind == "PercentChangeInCapacity":
        change = view.desired * adjustment / 100.0
        step = int(change) if abs(change) >= 1 else (1 if change > 0 else -1 if change else 0)
        minimum = int(policy.get("MinAdjustmentMagnitude") or 0)
        if minimum and abs(step) < minimum:
            step = minimum if step > 0 else -minimum
        return view.desired + step
    return view.desired + adjustment


def _latest(cloud: Any, alarm: Mapping[str, Any]) -> float | None:
    """The alarm's statistic over the last full period (``None``: no datapoint in it)."""
    store, key, stat, period = _metric_of(cloud, alarm)
    end = math.floor(cloud.t / period) * period
    # The alarm that runs this action has just read that period in its evaluation range:
    # taken from there when that is surely the store's answer (see kept_statistic).
    found = kept_statistic(cloud, store, alarm.get("AlarmName", ""), key, stat, period,
                           float(end - period))
    if found is not None:
        return found
    # One period of the per-period grid the alarm's own evaluation has just brought up to
    # date: the same value as the statistic of that period, without numpy's fixed costs.
    # A period with no sample (missing, or only a zero-count statistic set) is asked of
    # the statistic itself, which tells the two apart.
    values, counts = store.window(key, stat, float(period), float(end - period), 1)
    if counts[0] > 0:
        return float(values[0])
    _, found = store.statistic(key[0], key[1], dict(key[2]), stat, period, end - period, end)
    return float(found[-1]) if len(found) else None


def _metric_of(cloud: Any, alarm: Mapping[str, Any]) -> tuple[Any, Any, str, int]:
    """The metric store, and the metric, statistic and period an alarm watches. Kept per
    alarm definition (the alarm engine hands the same ``describe_alarms`` entry every
    minute until the alarms change), as its actions run every minute in ALARM."""
    kept = cloud.state("sim.autoscaling.alarm_metrics", dict)
    name = alarm.get("AlarmName", "")
    found = kept.get(name)
    if found is not None and found[0] is alarm:
        return found[1]  # type: ignore[no-any-return]
    dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []}
    metric = (metrics(cloud),
              metric_key(alarm.get("Namespace", ""), alarm.get("MetricName", ""), dims),
              alarm.get("Statistic") or alarm.get("ExtendedStatistic") or "Average",
              int(alarm.get("Period") or 60))
    kept[name] = (alarm, metric)
    return metric


def execute(cloud: Any, policy: dict[str, Any], *, metric_value: float | None = None,
            threshold: float | None = None, scale_in: bool = False,
            honor_cooldown: bool = True, cause: str = "") -> str:
    """Run one policy now; returns what happened in words."""
    scaler: AutoScaling = auto_scaling(cloud)
    view = scaler.group(policy["AutoScalingGroupName"])
    kind = policy.get("PolicyType") or "SimpleScaling"
    t = cloud.t
    if kind == "TargetTrackingScaling":
        return _target_tracking(scaler, view, policy, metric_value, scale_in, cause)
    if kind == "StepScaling":
        if metric_value is None or threshold is None:
            return "step policy not run: no metric value to compare with the steps"
        adjustment = step_for(policy.get("StepAdjustments") or [], metric_value - threshold)
        if adjustment is None:
            return f"no step covers a breach of {metric_value - threshold:+g}"
        if adjustment > 0:
            until, previous = view.step_in_progress
            if t < until and previous > 0:
                if adjustment <= previous:
                    return f"step +{adjustment} skipped: +{previous} is still warming up"
                adjustment -= previous
            view.step_in_progress = (t + view.warmup_s(policy.get("EstimatedInstanceWarmup")),
                                     adjustment)
    else:
        if honor_cooldown and t < view.cooldown_until:
            return (f"simple policy {policy['PolicyName']!r} refused: cooldown until "
                    f"t={view.cooldown_until:g}s")
        adjustment = int(policy.get("ScalingAdjustment") or 0)
    desired = _adjusted(view, policy, adjustment)
    old = view.desired
    new = scaler.set_desired(view, desired, kind="scale_out" if desired > old else "scale_in",
                             cause=cause or f"policy {policy['PolicyName']}")
    if kind == "SimpleScaling" and new != old:
        cooldown = policy.get("Cooldown")
        current = scaler.group(view.name)  # set_desired re-read the group
        current.cooldown_until = t + float(view.default_cooldown_s if cooldown is None
                                           else cooldown)
    return f"desired capacity {old} -> {new}"


def _target_tracking(scaler: AutoScaling, view: GroupView, policy: dict[str, Any],
                     value: float | None, scale_in: bool, cause: str) -> str:
    config = policy.get("TargetTrackingConfiguration") or {}
    target = float(config.get("TargetValue") or 0)
    if value is None or target <= 0:
        return "target tracking not run: no metric value yet"
    running, warming = scaler.capacity(view, view.warmup_s(policy.get("EstimatedInstanceWarmup")))
    # Instances still warming up do not count as capacity yet, so a scale-out is not
    # repeated while the instances it launched boot (unless the metric grows further);
    # a group whose instances all warm up (just created) counts them all.
    current = max(1, running - warming or running)
    wanted = math.ceil(current * value / target - 1e-9)
    if wanted > view.desired:
        new = scaler.set_desired(view, wanted, kind="scale_out",
                                 cause=cause or f"target tracking {policy['PolicyName']}")
        return f"desired capacity -> {new}"
    if warming and wanted < view.desired:
        return f"scale-in waits: {warming} instance(s) still warming up"
    if wanted < view.desired and not config.get("DisableScaleIn") and scale_in:
        floor = view.desired - max(1, view.desired // 10)
        new = scaler.set_desired(view, max(wanted, floor), kind="scale_in",
                                 cause=cause or f"target tracking {policy['PolicyName']}")
        return f"desired capacity -> {new}"
    return "no change"


def run_alarm_action(cloud: Any, action_arn: str, alarm: Mapping[str, Any], state: str) -> None:
    """The CloudWatch alarm action for ``arn:aws:autoscaling:...`` policy ARNs."""
    scaler = auto_scaling(cloud)
    policy = _policy(cloud, action_arn, scaler)
    if policy is None:
        return
    value = _latest(cloud, alarm)
    name = alarm.get("AlarmName", "")
    cause = f"alarm {name} in state {state}"
    if policy.get("PolicyType") == "TargetTrackingScaling":
        # execute() of a target tracking policy, with the controller already at hand (an
        # alarm in ALARM runs its action every minute). Of the policy's two alarms, only
        # the low one may remove capacity.
        _target_tracking(scaler, scaler.group(policy["AutoScalingGroupName"]), policy, value,
                         "AlarmLow" in name and value is not None, cause)
        return
    threshold = alarm.get("Threshold")
    execute(cloud, policy, metric_value=value,
            threshold=None if threshold is None else float(threshold), scale_in=False,
            cause=cause)


def create_target_tracking_alarms(cloud: Any, policy: dict[str, Any], suffix: str) -> list[str]:
    """Create the two CloudWatch alarms AWS creates for a target tracking policy."""
    config = policy.get("TargetTrackingConfiguration") or {}
    target = float(config.get("TargetValue") or 0)
    group = policy["AutoScalingGroupName"]
    spec = config.get("PredefinedMetricSpecification") or {}
    custom = config.get("CustomizedMetricSpecification") or {}
    if spec:
        namespace, metric, stat = _PREDEFINED.get(
            spec.get("PredefinedMetricType", ""), _PREDEFINED["ASGAverageCPUUtilization"])
        if metric == "RequestCountPerTarget":
            label = spec.get("ResourceLabel", "")
            dims = [{"Name": "TargetGroup", "Value": label.split("/", 3)[-1]}]
        else:
            dims = [{"Name": "AutoScalingGroupName", "Value": group}]
    else:
        namespace, metric = custom.get("Namespace", ""), custom.get("MetricName", "")
        stat, dims = custom.get("Statistic", "Average"), list(custom.get("Dimensions") or [])
    cw = cloud.client("cloudwatch")
    names = []
    for which, threshold, n, op in (("AlarmHigh", target, 3, "GreaterThanThreshold"),
                                    ("AlarmLow", 0.9 * target, 15, "LessThanThreshold")):
        if which == "AlarmLow" and config.get("DisableScaleIn"):
            continue
        name = f"TargetTracking-{group}-{which}-{suffix}"
        cw.put_metric_alarm(
            AlarmName=name, Namespace=namespace, MetricName=metric, Dimensions=dims,
            Statistic=stat, Period=60, EvaluationPeriods=n, DatapointsToAlarm=n,
            Threshold=threshold, ComparisonOperator=op,
            AlarmActions=[policy["PolicyARN"]],
            AlarmDescription=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy "
                             f"{policy['PolicyARN']}.")
        names.append(name)
    return names
