"""The repeating Auto Scaling action's shortcuts (policies.run_alarm_action running a target
tracking policy without execute(), history.action_item) record exactly what the long way
records: the same scaling activities, alarm history and boto3 calls, in the same order."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import botocore.client
import pytest
from webstack import build_stack

from cloudlab import Cloud
from cloudlab.sim import BusinessHours, Noise, Spike, WebTraffic
from cloudlab.sim.autoscaling import policies
from cloudlab.sim.autoscaling.groups import auto_scaling
from cloudlab.sim.cloudwatch import alarms, register_alarm_action
from cloudlab.sim.cloudwatch.history import HistoryItem, action_item


def test_an_action_item_is_the_history_item() -> None:
    data = {"actionState": "Succeeded", "stateUpdateTimestamp": "2026-01-05T00:01:00.000+0000"}
    quick = action_item(60.0, "cpu-high", "Successfully executed action arn:x", data)
    item = HistoryItem(60.0, "cpu-high", "Action", "Successfully executed action arn:x", data)
    assert quick == item and repr(quick) == repr(item)
    assert dataclasses.asdict(quick) == dataclasses.asdict(item)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    assert quick.to_api(start) == item.to_api(start)
    assert vars(quick) == vars(item)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.summary = "changed"  # type: ignore[misc]


def _the_long_way(cloud: Any, action_arn: str, alarm: Mapping[str, Any], state: str) -> None:
    """run_alarm_action as it was: every policy through execute()."""
    policy = policies._policy(cloud, action_arn)
    if policy is None:
        return
    value = policies._latest(cloud, alarm)
    threshold = alarm.get("Threshold")
    name = alarm.get("AlarmName", "")
    scale_in = (policy.get("PolicyType") == "TargetTrackingScaling" and "AlarmLow" in name
                and value is not None)
    policies.execute(cloud, policy, metric_value=value,
                     threshold=None if threshold is None else float(threshold),
                     scale_in=scale_in, cause=f"alarm {name} in state {state}")


def _run(handler: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], ...]:
    """A day of a target tracking group (out and in, at its maximum and its minimum, with
    a crash and a learner's change of the group in between) and what it recorded."""
    calls: list[str] = []
    make_api_call = botocore.client.BaseClient._make_api_call

    def counted(self: Any, operation: str, params: Any) -> Any:
        calls.append(operation)
        return make_api_call(self, operation, params)

    with Cloud(seed=3) as cloud:
        previous = register_alarm_action("arn:aws:autoscaling:", handler)
        try:
            build_stack(cloud, asg={"MinSize": 2, "MaxSize": 6, "DesiredCapacity": 2})
            asg = cloud.client("autoscaling")
            asg.put_scaling_policy(
                AutoScalingGroupName="web", PolicyName="cpu50",
                PolicyType="TargetTrackingScaling", EstimatedInstanceWarmup=120,
                TargetTrackingConfiguration={"TargetValue": 50.0,
                                             "PredefinedMetricSpecification": {
                                                 "PredefinedMetricType":
                                                     "ASGAverageCPUUtilization"}})
            monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)
            traffic = (BusinessHours(100, 2500) + Spike(3000, at=15, duration_h=1)) \
                * Noise(0.05)
            cloud.run(WebTraffic(traffic, to="web", step_s=60), hours=10, progress=False)
            for minute in range(30):  # a learner's changes between two evaluations
                cloud.advance(seconds=45)
                asg.update_auto_scaling_group(AutoScalingGroupName="web", MaxSize=8,
                                              DesiredCapacity=2 + minute % 5)
                cloud.advance(seconds=15)
            cloud.run(WebTraffic(traffic, to="web", step_s=60), hours=14, progress=False)
            monkeypatch.undo()
            engine, scaler = alarms(cloud), auto_scaling(cloud)
            start = cloud.clock.start
            items = [json.dumps(it.to_api(start), default=str) for it in engine.items]
            return calls, list(scaler.activities), items
        finally:
            register_alarm_action("arn:aws:autoscaling:", previous or policies.run_alarm_action)


def test_the_target_tracking_shortcut_records_what_execute_records(
        monkeypatch: pytest.MonkeyPatch) -> None:
    long_calls, long_activities, long_items = _run(_the_long_way, monkeypatch)
    calls, activities, items = _run(policies.run_alarm_action, monkeypatch)
    kinds = {a.kind for a in activities}
    assert {"scale_out", "scale_in"} <= kinds  # the policy acted both ways
    repeats = [it for it in items if '"Action"' in it]
    assert len(repeats) > 100  # actions that ran every minute in ALARM
    assert activities == long_activities
    assert items == long_items
    assert calls == long_calls
