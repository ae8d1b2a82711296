"""Checks for lab 09: Auto Scaling and CloudWatch, and the lab's Diwali sale-day experiment.

Answers are checked by behaviour: what the Auto Scaling controller did (its activity log:
replacements, scale-outs and scale-ins and their causes), what the CloudWatch alarm engine
decided (state transitions, the notifications it sent), the metrics a run published, and,
for the last question, a fresh run of the learner's configuration
(:func:`~cloudlab.checks.sale_day.sale_day`, re-exported here for the notebook).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cloudlab.checks import question
from cloudlab.checks.sale_day import (
    BUDGET_INSTANCE_HOURS,
    SALE_END,
    SALE_START,
    SLO_P95_MS,
    SaleDay,
    check_sale_config,
    sale_day,
)
from cloudlab.errors import InvalidScenario

__all__ = [
    "BUDGET_INSTANCE_HOURS",
    "SALE_END",
    "SALE_START",
    "SLO_P95_MS",
    "SaleDay",
    "sale_day",
]

GROUP = "web-asg"


# -- what the simulation recorded ------------------------------------------------------------
_HOUR = 3600.0
_DAY = 86400.0
#: The first 15 minutes: the group boots, a web server crashes, the group replaces it.
_BOOT_END = 15 * 60.0
#: Monday's and Tuesday's runs, 08:00-14:00 UTC (seconds since the cloud's start).
_MONDAY = (8 * _HOUR, 14 * _HOUR)
_TUESDAY = (_DAY + 8 * _HOUR, _DAY + 14 * _HOUR)
_WEDNESDAY_8 = 2 * _DAY + 8 * _HOUR


def _group(cloud: Any) -> dict[str, Any]:
    found = cloud.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
    assert found, f"there is no Auto Scaling group `{GROUP}`: create it with " \
                  "autoscaling.create_auto_scaling_group(AutoScalingGroupName='web-asg', ...)"
    return found[0]  # type: ignore[no-any-return]


def _activities(cloud: Any, t0: float, t1: float) -> list[Any]:
    from cloudlab.sim.autoscaling import auto_scaling

    return [a for a in auto_scaling(cloud).activities if a.group == GROUP and t0 <= a.t_s <= t1]


def _change(activity: Any) -> tuple[int, int] | None:
    """``(old, new)`` desired capacity of a scaling activity ("desired capacity 3 -> 5")."""
    text = activity.description.rsplit("desired capacity", 1)[-1]
    try:
        old, new = (int(x) for x in text.split("->"))
    except ValueError:
        return None
    return old, new


def _clock(cloud: Any, t_s: float, fmt: str = "%a %H:%M") -> str:
    return (cloud.clock.start + timedelta(seconds=t_s)).strftime(fmt)


def _t(cloud: Any, when: Any) -> float:
    assert isinstance(when, datetime), f"expected a datetime (cloud.now), got {when!r}"
    return (when - cloud.clock.start).total_seconds()


def _configs(cloud: Any) -> dict[str, list[tuple[float, dict[str, Any] | None]]]:
    """Every alarm's definitions over time, from CloudWatch's history (deleted alarms too):
    ``name -> [(t_s, put_metric_alarm arguments or None once deleted), ...]``."""
    from cloudlab.sim.cloudwatch import alarms

    out: dict[str, list[tuple[float, dict[str, Any] | None]]] = {}
    for item in alarms(cloud).items:
        if item.item_type != "ConfigurationUpdate":
            continue
        data = item.data
        config = data.get("createdAlarm") or data.get("updatedAlarm")
        out.setdefault(item.alarm_name, []).append((item.t_s, dict(config) if config else None))
    return out


def _config_at(configs: Mapping[str, Any], name: str, t: float) -> dict[str, Any] | None:
    found = None
    for t_s, config in configs.get(name, []):
        if t_s <= t:
            found = config
    return found  # type: ignore[no-any-return]


def _transitions(cloud: Any, name: str, t0: float = 0.0, t1: float = math.inf) -> list[Any]:
    from cloudlab.sim.cloudwatch import alarms

    return [tr for tr in alarms(cloud).history if tr.alarm_name == name and t0 <= tr.t_s <= t1]


def _dims(config: Mapping[str, Any]) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in config.get("Dimensions") or []}


def _on_group_cpu(config: Mapping[str, Any]) -> bool:
    return (config.get("Namespace") == "AWS/EC2" and config.get("MetricName") == "CPUUtilization"
            and _dims(config) == {"AutoScalingGroupName": GROUP})


def _policy_name(arn: str) -> str | None:
    if ":scalingPolicy:" in arn and f"autoScalingGroupName/{GROUP}:" in arn:
        return arn.rsplit("policyName/", 1)[-1]
    return None


# -- Question 1 ------------------------------------------------------------------------------
@question("lab09.web_group", points=2, title="A launch template and a self-healing group")
def web_group(cloud: Any, victim: Any = None) -> None:
    from cloudlab.sim import instance_book

    group = _group(cloud)
    if group.get("LaunchConfigurationName"):
        raise AssertionError(
            "`web-asg` uses a launch configuration: those are legacy (no new instance types "
            "since 2023, not available to new accounts). Launch it from the launch template "
            "`web`: LaunchTemplate={'LaunchTemplateName': 'web', 'Version': '$Latest'}")
    assert group.get("LaunchTemplate") or group.get("MixedInstancesPolicy"), (
        "launch `web-asg` from the launch template `web`")
    records = [r for r in instance_book(cloud).records.values() if r.asg == GROUP]
    first = [r for r in records if r.launch_t < 60]
    assert len(first) == 3 and len({r.az for r in first}) == 3, (
        f"the group started with {len(first)} instances in {len({r.az for r in first})} AZs: "
        "create it with DesiredCapacity=3 and VPCZoneIdentifier=','.join(subnet_ids) (three "
        "subnets, one per AZ), so it puts one instance in each AZ")
    assert all(r.detailed_monitoring for r in first), (
        "the group's instances have basic (5-minute) monitoring: turn on detailed monitoring "
        "in the launch template, \"Monitoring\": {\"Enabled\": True}")
    tgs = group.get("TargetGroupARNs") or []
    assert tgs, "register the group with the load balancer's target group: TargetGroupARNs=[tg_arn]"
    grace = float(group.get("HealthCheckGracePeriod") or 0)
    early = [a for a in _activities(cloud, 0, _BOOT_END)
             if a.kind == "replace" and str(victim) not in a.description]
    assert not early, (
        f"the group replaced instances that were still booting ({len(early)} replacements, "
        f"the first at {early[0].t_s / 60:.0f} min): a grace period of {grace:g} s ends before "
        "a new instance is healthy (about 4 to 4.5 minutes: boot, then 5 passing health "
        "checks 30 s apart); make it a little longer, e.g. 300 s") if early else ""
    assert grace <= 600, (
        f"a grace period of {grace:g} s is longer than the time to healthy needs; a failing "
        "new instance is only replaced after it ends. Keep it at most 600 s (e.g. 300)")
    assert victim is not None, "run the cell that crashes a web server (it defines `victim`)"
    replaced = [a for a in _activities(cloud, 0, _BOOT_END)
                if a.kind == "replace" and str(victim) in a.description]
    if not replaced:
        if group.get("HealthCheckType") != "ELB":
            raise AssertionError(
                f"the crashed web server on {victim} was never replaced: with "
                f"HealthCheckType={group.get('HealthCheckType')!r} the group only checks that "
                "the instance runs, and it still does. Set HealthCheckType='ELB' so the group "
                "acts on the load balancer's health checks")
        raise AssertionError(
            f"the crashed web server on {victim} was not replaced within 15 minutes; run the "
            "cells of this section in order (advance_to(0, 0, 15) after the crash)")


# -- Question 2 ------------------------------------------------------------------------------
def _points(cloud: Any, instance: str, t0: datetime, t1: datetime) -> int:
    return len(cloud.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/EC2", MetricName="CPUUtilization",
        Dimensions=[{"Name": "InstanceId", "Value": instance}], StartTime=t0, EndTime=t1,
        Period=60, Statistics=["Average"])["Datapoints"])


def _probe_alarm(configs: Mapping[str, Any], name: str, instance: str, start: float) -> None:
    config = _config_at(configs, name, start)
    assert config is not None, (
        f"create the alarm `{name}` before the traffic starts (run your alarm cell before the "
        "30-minute run)")
    assert config.get("MetricName") == "CPUUtilization" and _dims(config) == {
        "InstanceId": instance}, (
        f"`{name}` should watch CPUUtilization (namespace AWS/EC2) of the instance {instance}: "
        f"Dimensions=[{{'Name': 'InstanceId', 'Value': {instance!r}}}]")
    assert int(config.get("Period") or 0) == 60, (
        f"`{name}` has Period={config.get('Period')}: a 1-minute alarm has Period=60")


@question("lab09.monitoring", points=2, title="A 1-minute alarm on basic monitoring")
def monitoring(basic_points: Any, detailed_points: Any, basic_states: Any, basic_id: Any,
               detailed_id: Any, probe_start: Any, probe_end: Any, cloud: Any) -> None:
    t0, t1 = _t(cloud, probe_start), _t(cloud, probe_end)
    configs = _configs(cloud)
    _probe_alarm(configs, "cpu-basic", basic_id, t0)
    _probe_alarm(configs, "cpu-detailed", detailed_id, t0)
    basic, detailed = (_points(cloud, i, probe_start, probe_end) for i in (basic_id, detailed_id))
    if basic_points == detailed_points:
        raise AssertionError(
            f"`basic_points` and `detailed_points` are both {basic_points!r}: ask "
            "get_metric_statistics for Period=60 (one-minute periods); basic monitoring "
            "leaves most of them empty")
    assert basic_points == basic, (
        f"`basic_points` should be the number of Datapoints get_metric_statistics returns "
        f"for {basic_id} with Period=60 between probe_start and probe_end, got {basic_points!r}")
    assert detailed_points == detailed, (
        f"`detailed_points` should be the number of Datapoints for {detailed_id} with "
        f"Period=60 between probe_start and probe_end, got {detailed_points!r}")
    expected = [tr.new_state for tr in _transitions(cloud, "cpu-basic", 0, t1)]
    if isinstance(basic_states, list) and list(reversed(basic_states)) == expected != basic_states:
        raise AssertionError(
            "`basic_states` is newest first: pass ScanBy='TimestampAscending' to "
            "describe_alarm_history for the oldest first")
    assert basic_states == expected, (
        "`basic_states` should be the new state of each StateUpdate entry of "
        "describe_alarm_history(AlarmName='cpu-basic', HistoryItemType='StateUpdate', "
        "ScanBy='TimestampAscending'), oldest first: "
        "json.loads(item['HistoryData'])['newState']['stateValue']")
    assert expected.count("INSUFFICIENT_DATA") >= 2, (
        "`cpu-basic` should keep falling back to INSUFFICIENT_DATA during the run")
    fallbacks = [tr for tr in _transitions(cloud, "cpu-detailed", t0 + 300, t1)
                 if tr.new_state == "INSUFFICIENT_DATA"]
    assert not fallbacks, (
        "`cpu-detailed` went to INSUFFICIENT_DATA during the run: put it on detailed_id, an "
        "instance of the group (detailed monitoring)")


# -- Question 3 ------------------------------------------------------------------------------
def _step_alarms(cloud: Any, at: float) -> dict[str, dict[str, Any]]:
    """Alarms (as defined at ``at``) that run a scaling policy of the group."""
    configs = _configs(cloud)
    out = {}
    for name in configs:
        config = _config_at(configs, name, at)
        if config is None or name.startswith("TargetTracking-"):
            continue
        if any(_policy_name(str(a)) for a in config.get("AlarmActions") or []):
            out[name] = config
    return out


def _check_step_alarm(name: str, config: Mapping[str, Any], threshold: float, side: str) -> None:
    assert _on_group_cpu(config), (
        f"`{name}` should watch the group's average CPU: Namespace='AWS/EC2', "
        "MetricName='CPUUtilization', Dimensions=[{'Name': 'AutoScalingGroupName', "
        "'Value': 'web-asg'}]")
    assert int(config.get("Period") or 0) == 60, (
        f"`{name}` has Period={config.get('Period')}: use one-minute periods (Period=60)")
    assert float(config.get("Threshold", -1)) == threshold, (
        f"`{name}` should fire {side} {threshold:g}% CPU, not {config.get('Threshold')}")


@question("lab09.step_scaling", points=2, title="Step scaling: +2 above 75%, -2 below 35%")
def step_scaling(high_history: Any, cloud: Any) -> None:
    found = _step_alarms(cloud, _MONDAY[0])
    high = {n: c for n, c in found.items() if "Greater" in str(c.get("ComparisonOperator"))}
    low = {n: c for n, c in found.items() if "Less" in str(c.get("ComparisonOperator"))}
    assert high, (
        "no alarm ran a scale-out policy of `web-asg` on Monday: put the policy's ARN "
        "(put_scaling_policy(...)['PolicyARN']) in the AlarmActions of `cpu-high`")
    assert low, (
        "no alarm ran a scale-in policy of `web-asg` on Monday: put the scale-in policy's ARN "
        "in the AlarmActions of `cpu-low`")
    high_name, high_cfg = next(iter(high.items()))
    low_name, low_cfg = next(iter(low.items()))
    _check_step_alarm(high_name, high_cfg, 75, "above")
    _check_step_alarm(low_name, low_cfg, 35, "below")
    acts = _activities(cloud, *_MONDAY)
    outs = [a for a in acts if a.kind == "scale_out" and f"alarm {high_name} " in a.cause]
    ins = [a for a in acts if a.kind == "scale_in" and f"alarm {low_name} " in a.cause]
    assert outs, (
        f"`{high_name}` never scaled the group out during Monday's run; check its history "
        "(describe_alarm_history) and that the policy adds instances")
    for a in outs:
        old, new = _change(a) or (0, 0)
        assert new - old == 2 or new == int(_group(cloud)["MaxSize"]), (
            f"each scale-out should add 2 instances (ScalingAdjustment=2); at "
            f"{_clock(cloud, a.t_s)} the group went from {old} to {new}")
    assert ins, (
        f"`{low_name}` never scaled the group in during Monday's afternoon; check that its "
        "policy removes instances (a step with MetricIntervalUpperBound=0)")
    for a in ins:
        old, new = _change(a) or (0, 0)
        assert old - new == 2 or new == int(_group(cloud)["MinSize"]), (
            f"each scale-in should remove 2 instances (ScalingAdjustment=-2); at "
            f"{_clock(cloud, a.t_s)} the group went from {old} to {new}")
    expected = [(tr.t_s, f"Alarm updated from {tr.old_state} to {tr.new_state}")
                for tr in _transitions(cloud, high_name, 0, _MONDAY[1])]
    assert isinstance(high_history, list) and all(
        isinstance(i, dict) and "HistorySummary" in i for i in high_history), (
        "`high_history` should be the AlarmHistoryItems list of describe_alarm_history")
    assert all(i.get("HistoryItemType") == "StateUpdate" and i.get("AlarmName") == high_name
               for i in high_history), (
        f"`high_history` should hold only StateUpdate items of `{high_name}`: pass "
        f"AlarmName={high_name!r} and HistoryItemType='StateUpdate'")
    got = sorted((_t(cloud, i["Timestamp"]), i["HistorySummary"]) for i in high_history)
    assert [g for g in got if g[0] <= _MONDAY[1]] == expected, (
        f"`high_history` should hold all {len(expected)} state changes of `{high_name}` up to "
        f"the end of Monday's run, got {len(got)}")


# -- Question 4 ------------------------------------------------------------------------------
def _stamp(cloud: Any, t_s: float) -> str:
    return _clock(cloud, t_s, "%Y-%m-%dT%H:%M:%S.000+0000")


@question("lab09.notifications", points=1, title="Alarm notifications through SNS and SQS")
def notifications(notifications: Any, cloud: Any) -> None:
    from cloudlab.sim.cloudwatch import alarms

    subs = cloud.client("sns").list_subscriptions()["Subscriptions"]
    topics = {s["TopicArn"] for s in subs if s["Protocol"] == "sqs"}
    assert topics, (
        "no SQS queue is subscribed to an SNS topic: sns.subscribe(TopicArn=topic_arn, "
        "Protocol='sqs', Endpoint=<the queue's ARN>)")
    configs = _configs(cloud)
    keys = {"ALARM": "AlarmActions", "OK": "OKActions", "INSUFFICIENT_DATA":
            "InsufficientDataActions"}
    expected = []
    for tr in alarms(cloud).history:
        if tr.t_s > _MONDAY[1] + 60:
            continue
        config = _config_at(configs, tr.alarm_name, tr.t_s) or {}
        if topics & set(config.get(keys[tr.new_state]) or []):
            expected.append((tr.alarm_name, tr.new_state, _stamp(cloud, tr.t_s)))
    assert any(state == "ALARM" for _, state, _ in expected), (
        "no alarm notified your topic when it went to ALARM: add topic_arn to the "
        "AlarmActions of `cpu-high` and `cpu-low` (next to the policy's ARN)")
    assert isinstance(notifications, list) and all(
        isinstance(n, dict) and {"AlarmName", "NewStateValue", "StateChangeTime"} <= set(n)
        for n in notifications), (
        "`notifications` should be a list of the alarm documents: json.loads(json.loads("
        "message['Body'])['Message']) for each message (the body is the SNS envelope)")
    got = [(n["AlarmName"], n["NewStateValue"], n["StateChangeTime"]) for n in notifications]
    missing = [e for e in expected if e not in got]
    assert not missing, (
        f"{len(missing)} of the {len(expected)} notifications are missing from `notifications` "
        f"(e.g. {missing[0][0]} {missing[0][1]} at {missing[0][2][11:16]}): receive_message "
        "returns at most 10 messages a call; call it until it returns none") if missing else ""


# -- Question 5 ------------------------------------------------------------------------------
@question("lab09.target_tracking", points=2, title="Target tracking instead of steps")
def target_tracking(tt_alarms: Any, cloud: Any) -> None:
    client = cloud.client("autoscaling")
    policies = client.describe_policies(AutoScalingGroupName=GROUP)["ScalingPolicies"]
    tracking = [p for p in policies if p.get("PolicyType") == "TargetTrackingScaling"]
    assert tracking, "put a TargetTrackingScaling policy `cpu-50` on `web-asg`"
    config = tracking[0].get("TargetTrackingConfiguration") or {}
    metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    assert metric == "ASGAverageCPUUtilization", (
        f"the target tracking policy should follow ASGAverageCPUUtilization, not {metric!r}")
    assert float(config.get("TargetValue") or 0) == 50, (
        f"keep average CPU at 50 (TargetValue=50.0), not {config.get('TargetValue')}")
    steps = [p["PolicyName"] for p in policies if p.get("PolicyType") == "StepScaling"]
    assert not steps, f"delete the step policies ({', '.join(steps)}): two policies would fight"
    existing = {a["AlarmName"]: a for a in
                cloud.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    left = [n for n in _step_alarms(cloud, _MONDAY[1]) if n in existing]
    assert not left, (
        f"deleting a policy does not delete its alarms: delete {', '.join(left)} too "
        "(cloudwatch.delete_alarms)")
    managed = sorted(n for n, a in existing.items()
                     if tracking[0]["PolicyARN"] in (a.get("AlarmActions") or []))
    assert isinstance(tt_alarms, list) and sorted(tt_alarms) == managed, (
        f"`tt_alarms` should be the names of the {len(managed)} alarms AWS created for the "
        "policy: [a['AlarmName'] for a in response['Alarms']]")
    acts = _activities(cloud, *_TUESDAY)
    by_other = [a for a in acts
                if a.cause.startswith("alarm ") and "TargetTracking-" not in a.cause]
    assert not by_other, (
        f"on Tuesday another alarm still scaled the group ({by_other[0].cause}): remove the "
        "step policies and their alarms before Tuesday") if by_other else ""
    assert any(a.kind == "scale_out" and "TargetTracking-" in a.cause for a in acts), (
        "target tracking never scaled the group out during Tuesday's run; run the cells of "
        "section 6 in order")


# -- Question 6 ------------------------------------------------------------------------------
def _min_size_at(actions: list[dict[str, Any]],
                 when: datetime) -> tuple[int, str, datetime] | None:
    """The MinSize the recurring ``actions`` leave in force at ``when``: ``(MinSize, name of
    the action that set it, when it fired)``, or ``None`` if none fired in the week before."""
    from cloudlab.sim.autoscaling import next_occurrence

    best: tuple[int, str, datetime] | None = None
    for action in actions:
        if action.get("MinSize") is None:
            continue
        fire = next_occurrence(action, when - timedelta(days=7))
        while fire is not None and fire <= when:
            if best is None or fire >= best[2]:
                best = (int(action["MinSize"]), action["ScheduledActionName"], fire)
            fire = next_occurrence(action, fire)
    return best


@question("lab09.scheduled", points=2, title="Office hours and the Diwali sale")
def scheduled(sale_actions: Any, cloud: Any) -> None:
    client = cloud.client("autoscaling")
    actions = client.describe_scheduled_actions(
        AutoScalingGroupName=GROUP)["ScheduledUpdateGroupActions"]
    recurring = [a for a in actions if a.get("Recurrence")]
    assert recurring, (
        "put recurring scheduled actions on `web-asg`: put_scheduled_update_group_action("
        "..., Recurrence='0 8 * * MON-FRI', MinSize=6) and one at 18:00 with MinSize=3")
    week = datetime(2026, 1, 12, 0, 30, tzinfo=UTC)  # a whole week, Monday to Sunday
    for half_hours in range(7 * 48):
        when = week + timedelta(minutes=30 * half_hours)
        office = when.weekday() < 5 and 8 <= when.hour < 18
        want = 6 if office else 3
        found = _min_size_at(recurring, when)
        if found is None or found[0] != want:
            what = "sets no MinSize" if found is None else (
                f"leaves MinSize at {found[0]} (set by {found[1]} on {found[2]:%A at %H:%M})")
            raise AssertionError(
                f"at {when:%A %H:%M} UTC your schedule {what}; it should be {want}: 6 on "
                "weekdays from 08:00 to 18:00 UTC, 3 otherwise (cron fields: minute hour "
                "day-of-month month day-of-week, e.g. '0 8 * * MON-FRI')")
    fired = [a for a in _activities(cloud, _WEDNESDAY_8, _WEDNESDAY_8 + 60)
             if "scheduled action" in a.description]
    assert fired, ("the office-hours action did not fire on Wednesday at 08:00; run the cell "
                   "that moves the clock to Wednesday 09:00")
    once = {a["ScheduledActionName"]: a for a in actions if not a.get("Recurrence")}
    assert isinstance(sale_actions, list) and len(sale_actions) >= 2 and all(
        isinstance(a, dict) and "ScheduledActionName" in a for a in sale_actions), (
        "`sale_actions` should be a list of two dicts of put_scheduled_update_group_action "
        "arguments (ScheduledActionName, StartTime, MinSize)")
    names = [a["ScheduledActionName"] for a in sale_actions]
    assert all(n in once for n in names), (
        "put each of `sale_actions` on `web-asg` too, as a one-time action (StartTime, no "
        "Recurrence): autoscaling.put_scheduled_update_group_action("
        "AutoScalingGroupName='web-asg', **action)")
    mine = [once[n] for n in names]
    warm = [a for a in mine if a["StartTime"] < SALE_START and int(a.get("MinSize") or 0) > 3
            and a["StartTime"].date() == SALE_START.date()]
    assert warm, (
        f"one of `sale_actions` should raise MinSize above 3 on {SALE_START:%d %B %Y} before "
        f"the sale starts at {SALE_START:%H:%M} UTC")
    over = [a for a in mine if a["StartTime"] >= SALE_END and a.get("MinSize") == 3]
    assert over, (
        f"one of `sale_actions` should set MinSize back to 3 after the sale ends at "
        f"{SALE_END:%H:%M} UTC on {SALE_END:%d %B %Y}")


# -- Question 7 ------------------------------------------------------------------------------
@question("lab09.sale_day", points=3, title="Through the Diwali sale within the budget")
def sale_day_question(sale_config: Any, seed: Any) -> None:
    try:
        result = sale_day(sale_config, seed=seed)
    except InvalidScenario as exc:
        raise AssertionError(str(exc)) from None
    if not result.meets_slo:
        actions = list(check_sale_config(sale_config)["sale_actions"])
        starts = [a["StartTime"] for a in actions if isinstance(a.get("StartTime"), datetime)
                  and a["StartTime"] < SALE_START and int(a.get("MinSize") or 0) > 3]
        if not starts:
            advice = ("the policies react only after the sale has begun, and new instances "
                      "need 4 to 4.5 minutes to serve: raise the minimum with a scheduled "
                      "action before the ramp starts (15 minutes before SALE_START)")
        else:
            advice = (f"your warm-up at {min(starts):%H:%M} UTC leaves too little capacity, "
                      "or too little time to become healthy before the ramp at "
                      f"{SALE_START - timedelta(minutes=15):%H:%M}: start earlier or raise "
                      "MinSize more")
        raise AssertionError(
            f"the worst minute's p95 was {result.p95_max_ms:,.0f} ms at {result.worst_at:%H:%M} "
            f"UTC ({result.minutes_over_slo} minutes above {SLO_P95_MS:g} ms): {advice}")
    assert result.within_budget, (
        f"the day used {result.instance_hours:.1f} instance-hours, over the budget of "
        f"{BUDGET_INSTANCE_HOURS:g}: keep the group small outside the sale (min_size) and "
        "lower the minimum again soon after it ends")
