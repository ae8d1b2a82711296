"""Grading support for lab 09: the Diwali sale day, the learner's scaling configuration run
again in a fresh mini cloud with the notebook's seed.

This module owns :func:`sale_day` and its result :class:`SaleDay`, the lab's sale scenario
(:func:`sale_traffic`, :data:`SALE_START`, :data:`SALE_END`) and the thresholds the sale
question grades against (:data:`SLO_P95_MS`, :data:`BUDGET_INSTANCE_HOURS`). The notebook
calls :func:`sale_day` to explore, the check ``lab09.sale_day`` (:mod:`cloudlab.checks.lab09`)
to grade; both get the same numbers for the same seed.

:func:`sale_day` builds the lab's web tier from scratch in a *fresh* mini cloud whose clock
starts on Diwali 2026 (8 November), sends a day of traffic with the evening sale through it
and reports p95 latency, instance-hours and cost. Only one Cloud can be active in a process
(the embedded backend patches botocore globally), so the run happens in a child process and
the notebook's ``cloud`` is left alone.

It lives with the checks, not in :mod:`cloudlab.sim`, because it is the lab's scenario and
grading thresholds rather than a reusable piece of the simulation; it only uses the layers
below (``cloudlab.cloud``, ``cloudlab.sim``).
"""

from __future__ import annotations

import atexit
import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cloudlab.errors import InvalidScenario

__all__ = [
    "BUDGET_INSTANCE_HOURS",
    "SALE_END",
    "SALE_START",
    "SLO_P95_MS",
    "SaleDay",
    "check_sale_config",
    "sale_day",
    "sale_traffic",
]

#: The latency objective of the sale question: p95 of every minute at or below this.
SLO_P95_MS = 200.0
#: The instance-hours the sale day may use (09:00-15:00 UTC).
BUDGET_INSTANCE_HOURS = 60.0
#: Diwali 2026: the sale runs 17:30-19:30 in India (IST, UTC+5:30).
SALE_START = datetime(2026, 11, 8, 12, 0, tzinfo=UTC)
SALE_END = datetime(2026, 11, 8, 14, 0, tzinfo=UTC)
#: The sale-day cloud starts an hour before the traffic, so the group is up at 09:00.
_DAY_START = datetime(2026, 11, 8, 8, 0, tzinfo=UTC)
_RUN_HOURS = 6
_MAX_SIZE = 30
_USER_DATA = "#!/bin/bash\ndnf install -y httpd php php-mysqlnd\nsystemctl enable --now httpd\n"
_CONFIG_KEYS = ("min_size", "scale_out_cpu", "scale_in_cpu", "sale_actions")
_ACTION_KEYS = ("ScheduledActionName", "StartTime", "EndTime", "Recurrence", "MinSize",
                "MaxSize", "DesiredCapacity", "TimeZone")


@dataclass
class SaleDay:
    """One sale day: the configuration, what the users saw and what it cost.

    Attributes:
        config: the configuration that was run.
        seed: the seed of the run.
        p95_max_ms: the worst one-minute p95 latency of the day (ms).
        worst_at: when that minute was (UTC).
        minutes_over_slo: minutes whose p95 was above :data:`SLO_P95_MS`.
        instance_hours: instances x hours from 09:00 to 15:00 UTC.
        cost_usd: the bill of the day (instances, volumes, load balancer, IPv4).
        error_pct: share of requests that failed.
        peak_instances: most instances running at once.
        activities: the group's scaling activities, ``(HH:MM, description)``.
        recorder: the run's series, for :class:`~cloudlab.viz.dashboard.ScalingDashboard`.
    """

    config: dict[str, Any]
    seed: int
    p95_max_ms: float
    worst_at: datetime
    minutes_over_slo: int
    instance_hours: float
    cost_usd: float
    error_pct: float
    peak_instances: int
    activities: list[tuple[str, str]] = field(default_factory=list)
    recorder: Any = None

    @property
    def meets_slo(self) -> bool:
        return self.p95_max_ms <= SLO_P95_MS

    @property
    def within_budget(self) -> bool:
        return self.instance_hours <= BUDGET_INSTANCE_HOURS

    def __repr__(self) -> str:
        slo = "meets" if self.meets_slo else "MISSES"
        budget = "within" if self.within_budget else "OVER"
        return (
            f"SaleDay(seed={self.seed}): worst p95 {self.p95_max_ms:,.0f} ms at "
            f"{self.worst_at:%H:%M} UTC ({slo} the {SLO_P95_MS:g} ms SLO; "
            f"{self.minutes_over_slo} minutes above it), {self.instance_hours:.1f} "
            f"instance-hours ({budget} the budget of {BUDGET_INSTANCE_HOURS:g}), "
            f"${self.cost_usd:.2f}, {self.error_pct:.2f}% errors, peak "
            f"{self.peak_instances} instances"
        )


def check_sale_config(config: Any) -> dict[str, Any]:
    """``config`` with its defaults filled in, checked as :func:`sale_day` needs it.

    Raises:
        InvalidScenario: an unknown key, a value out of range, or a malformed action.
    """
    if not isinstance(config, Mapping):
        raise InvalidScenario(
            f"the sale configuration must be a dict like dict(min_size=3, scale_out_cpu=75, "
            f"scale_in_cpu=35, sale_actions=[...]), got {type(config).__name__}")
    unknown = sorted(set(config) - set(_CONFIG_KEYS))
    if unknown:
        raise InvalidScenario(f"unknown keys {unknown} in the sale configuration; use "
                              f"{', '.join(_CONFIG_KEYS)}")
    out = {"min_size": config.get("min_size", 3), "scale_out_cpu": config.get("scale_out_cpu", 75),
           "scale_in_cpu": config.get("scale_in_cpu", 35),
           "sale_actions": list(config.get("sale_actions") or [])}
    size = out["min_size"]
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= _MAX_SIZE:
        raise InvalidScenario(f"min_size must be a whole number of instances from 1 to "
                              f"{_MAX_SIZE} (the group's MaxSize), got {size!r}")
    for key in ("scale_out_cpu", "scale_in_cpu"):
        value = out[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 100:
            raise InvalidScenario(f"{key} must be a CPU percentage between 0 and 100, "
                                  f"got {value!r}")
    if not out["scale_in_cpu"] < out["scale_out_cpu"]:
        raise InvalidScenario(
            f"scale_in_cpu ({out['scale_in_cpu']:g}) must be below scale_out_cpu "
            f"({out['scale_out_cpu']:g}), or the group scales in and out at the same time")
    for action in out["sale_actions"]:
        if not isinstance(action, Mapping) or "ScheduledActionName" not in action:
            raise InvalidScenario(
                "each of sale_actions must be a dict of put_scheduled_update_group_action "
                "arguments (without AutoScalingGroupName), e.g. dict(ScheduledActionName="
                "'diwali-warm-up', StartTime=datetime(...), MinSize=...)")
        extra = sorted(set(action) - set(_ACTION_KEYS))
        if extra:
            raise InvalidScenario(
                f"unknown keys {extra} in the scheduled action {action['ScheduledActionName']!r}; "
                f"use {', '.join(_ACTION_KEYS)}")
        for key in ("StartTime", "EndTime"):
            when = action.get(key)
            if when is not None and (not isinstance(when, datetime) or when.tzinfo is None):
                raise InvalidScenario(
                    f"{key} of {action['ScheduledActionName']!r} must be a datetime with a time "
                    f"zone, e.g. datetime(2026, 11, 8, 11, 30, tzinfo=UTC), got {when!r}")
    return out


def sale_traffic() -> Any:
    """Sunday 8 November 2026 as the shop sees it: a day curve in India plus the evening
    Diwali sale (noise comes from the run's seed)."""
    from cloudlab.sim import BusinessHours, Noise, Spike

    day = BusinessHours(100, 400, open_h=9, close_h=23, weekdays_only=False, utc_offset_h=5.5)
    sale = Spike(1800, at=SALE_START, duration_h=(SALE_END - SALE_START).total_seconds() / 3600,
                 ramp_h=0.25, name="Diwali sale")
    return (day + sale) * Noise(0.04)


def _sale_day_here(config: dict[str, Any], seed: int) -> SaleDay:
    """Run the sale day in this process (it starts a new Cloud: the active one stops)."""
    import numpy as np

    from cloudlab import Cloud
    from cloudlab.sim import WebTraffic
    from cloudlab.sim.autoscaling import auto_scaling

    cloud = Cloud(seed=seed, start=_DAY_START)
    try:
        ec2, elbv2, autoscaling, cloudwatch = (
            cloud.client(s) for s in ("ec2", "elbv2", "autoscaling", "cloudwatch"))
        vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
        found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
        subnets = [s["SubnetId"] for s in
                   sorted(found["Subnets"], key=lambda s: s["AvailabilityZone"])[:3]]
        tg = elbv2.create_target_group(Name="shop-tg", Protocol="HTTP", Port=80,
                                       VpcId=vpc["VpcId"])["TargetGroups"][0]["TargetGroupArn"]
        lb = elbv2.create_load_balancer(Name="shop-alb", Subnets=subnets)["LoadBalancers"][0]
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
        ec2.create_launch_template(LaunchTemplateName="shop", LaunchTemplateData={
            "ImageId": "ami-12c6146b", "InstanceType": "m5.large",
            "UserData": base64.b64encode(_USER_DATA.encode()).decode(),
            "Monitoring": {"Enabled": True}})
        size = config["min_size"]
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName="shop", LaunchTemplate={"LaunchTemplateName": "shop",
                                                         "Version": "$Latest"},
            MinSize=size, MaxSize=_MAX_SIZE, DesiredCapacity=size,
            VPCZoneIdentifier=",".join(subnets), TargetGroupARNs=[tg],
            HealthCheckType="ELB", HealthCheckGracePeriod=300)
        arns = {}
        for name, step in (("out", {"MetricIntervalLowerBound": 0, "ScalingAdjustment": 2}),
                           ("in", {"MetricIntervalUpperBound": 0, "ScalingAdjustment": -2})):
            arns[name] = autoscaling.put_scaling_policy(
                AutoScalingGroupName="shop", PolicyName=f"cpu-{name}", PolicyType="StepScaling",
                AdjustmentType="ChangeInCapacity", EstimatedInstanceWarmup=180,
                StepAdjustments=[step])["PolicyARN"]
        dims = [{"Name": "AutoScalingGroupName", "Value": "shop"}]
        for name, threshold, n, op in (
                ("out", config["scale_out_cpu"], 2, "GreaterThanThreshold"),
                ("in", config["scale_in_cpu"], 10, "LessThanThreshold")):
            cloudwatch.put_metric_alarm(
                AlarmName=f"shop-cpu-{name}", Namespace="AWS/EC2", MetricName="CPUUtilization",
                Dimensions=dims, Statistic="Average", Period=60, EvaluationPeriods=n,
                DatapointsToAlarm=n, Threshold=float(threshold), ComparisonOperator=op,
                AlarmActions=[arns[name]])
        for action in config["sale_actions"]:
            autoscaling.put_scheduled_update_group_action(AutoScalingGroupName="shop",
                                                          **dict(action))
        cloud.advance(hours=1)
        result = cloud.run(WebTraffic(sale_traffic(), to="shop-alb", step_s=10),
                           hours=_RUN_HOURS, progress=False)
        rec = result.recorder
        p95 = np.nan_to_num(np.asarray(rec["p95_ms"], dtype=float), nan=0.0)
        worst = int(np.argmax(p95))
        per_minute = p95[:: max(1, int(60 / rec.step_s))]
        demand = float(np.sum(rec["demand_rps"]))
        activities = [((cloud.clock.start + timedelta(seconds=a.t_s)).strftime("%H:%M"),
                       a.description) for a in auto_scaling(cloud).activities]
        return SaleDay(
            config=config, seed=seed, p95_max_ms=float(p95[worst]),
            worst_at=cloud.clock.start + timedelta(seconds=float(rec.t_s[worst])),
            minutes_over_slo=int(np.sum(per_minute > SLO_P95_MS)),
            instance_hours=float(np.sum(rec["instances"])) * rec.step_s / 3600.0,
            cost_usd=float(rec["cost_usd"][-1]),
            error_pct=max(0.0, 100.0 * float(np.sum(rec["errors_rps"])) / demand)
            if demand else 0.0,
            peak_instances=int(np.max(rec["instances"])), activities=activities, recorder=rec)
    except Exception as exc:  # a ClientError does not travel between processes: say it here
        raise InvalidScenario(f"the sale day could not run: {type(exc).__name__}: {exc}") from None
    finally:
        cloud.stop()


_POOL: Any = None
_CACHE: dict[str, SaleDay] = {}


def _quiet() -> None:
    """The worker ignores Ctrl-C and kernel interrupts: the notebook side stops waiting."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool() -> Any:
    """One worker process, kept between runs so later runs skip the imports and moto's start.

    It forks from a fork server that has this module imported (``spawn`` where there is no
    fork server, as on Windows)."""
    global _POOL
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    if _POOL is None:
        ctx: Any
        if "forkserver" in mp.get_all_start_methods():
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload([__name__])
        else:  # pragma: no cover - Windows
            ctx = mp.get_context("spawn")
        _POOL = ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_quiet)
        atexit.register(_POOL.shutdown, wait=False, cancel_futures=True)
    return _POOL


def _key(config: Mapping[str, Any], seed: int) -> str:
    actions = [sorted((k, v.isoformat() if isinstance(v, datetime) else v)
                      for k, v in dict(a).items()) for a in config["sale_actions"]]
    return repr((seed, config["min_size"], float(config["scale_out_cpu"]),
                 float(config["scale_in_cpu"]), actions))


def sale_day(config: Mapping[str, Any], *, seed: int) -> SaleDay:
    """Run the Diwali sale day with ``config`` in a fresh mini cloud seeded with ``seed``.

    The web tier is the lab's: an ALB in three AZs, a launch template with detailed
    monitoring, an Auto Scaling group (MaxSize 30, ELB health checks, grace period 300 s)
    with step scaling (+2 instances while average CPU is above ``scale_out_cpu`` for 2
    minutes, -2 while it is below ``scale_in_cpu`` for 10 minutes) and the ``sale_actions``
    scheduled on it. Traffic runs 09:00-15:00 UTC on 8 November 2026; the sale is
    12:00-14:00 UTC (:data:`SALE_START`, :data:`SALE_END`).

    The run happens in a child process, so the notebook's cloud is untouched. The same
    ``config`` and ``seed`` always give the same result, so a result is computed once per
    process and reused (the check of question 7 asks again).

    Args:
        config: ``dict(min_size=3, scale_out_cpu=75, scale_in_cpu=35, sale_actions=[...])``;
            each action is a dict of ``put_scheduled_update_group_action`` arguments
            without ``AutoScalingGroupName``.
        seed: the notebook's seed.

    Returns:
        A :class:`SaleDay`.

    Raises:
        InvalidScenario: a malformed configuration, or a call AWS would refuse.
    """
    global _POOL
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidScenario(f"seed must be an integer >= 0, got {seed!r}")
    checked = check_sale_config(config)
    key = _key(checked, seed)
    if key not in _CACHE:
        from concurrent.futures.process import BrokenProcessPool

        try:
            _CACHE[key] = _pool().submit(_sale_day_here, checked, seed).result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): start afresh
            _POOL = None
            raise
    return _CACHE[key]
