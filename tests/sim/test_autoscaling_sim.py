"""Auto Scaling on the virtual clock: AZ balance, limits, health check types, policies,
cooldowns, schedules and AZ outages, each checked against documented AWS behaviour."""

from __future__ import annotations

import warnings
from collections import Counter
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError
from webstack import build_stack

from cloudlab import Cloud
from cloudlab.sim.autoscaling.groups import auto_scaling
from cloudlab.sim.failures import crash_web_server, fail_az, fail_instance, restore_az
from cloudlab.sim.hooks import LegacyLaunchConfiguration


@pytest.fixture
def cloud() -> Cloud:
    c = Cloud(seed=5)
    yield c
    c.stop()


def _azs(stack) -> Counter[str]:  # type: ignore[no-untyped-def]
    return Counter(i["AvailabilityZone"] for i in stack.group()["Instances"])


def test_instances_are_balanced_across_the_groups_azs(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={"DesiredCapacity": 6})
    assert sorted(_azs(stack).values()) == [2, 2, 2]
    cloud.client("autoscaling").set_desired_capacity(AutoScalingGroupName="web",
                                                     DesiredCapacity=4)
    assert sorted(_azs(stack).values()) == [1, 1, 2]


def test_new_instances_are_pending_then_in_service(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={})
    assert {i["LifecycleState"] for i in stack.group()["Instances"]} == {"Pending"}
    cloud.advance(minutes=1)
    assert {i["LifecycleState"] for i in stack.group()["Instances"]} == {"InService"}


@pytest.mark.parametrize(("desired", "word"), [(11, "above max value 10"),
                                               (1, "below min value 2")])
def test_desired_capacity_outside_min_max_is_refused(cloud: Cloud, desired: int,
                                                     word: str) -> None:
    build_stack(cloud, asg={})
    with pytest.raises(ClientError) as err:
        cloud.client("autoscaling").set_desired_capacity(AutoScalingGroupName="web",
                                                         DesiredCapacity=desired)
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert word in err.value.response["Error"]["Message"]


def test_ec2_health_checks_keep_a_dead_web_server_in_service(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={"HealthCheckType": "EC2", "HealthCheckGracePeriod": 0})
    cloud.advance(minutes=5)
    victim = stack.group()["Instances"][0]["InstanceId"]
    crash_web_server(cloud, victim)
    cloud.advance(minutes=10)
    assert victim in {i["InstanceId"] for i in stack.group()["Instances"]}  # the trap
    assert stack.health()[victim] == "unhealthy"                             # ALB knows


def test_elb_health_checks_replace_a_dead_web_server(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={"HealthCheckType": "ELB", "HealthCheckGracePeriod": 300})
    cloud.advance(minutes=5)
    victim = stack.group()["Instances"][0]["InstanceId"]
    crash_web_server(cloud, victim)
    cloud.advance(minutes=2)
    ids = {i["InstanceId"] for i in stack.group()["Instances"]}
    assert victim not in ids and len(ids) == 3
    kinds = [a.kind for a in auto_scaling(cloud).activities]
    assert kinds == ["replace"]


def test_a_failed_host_is_replaced_with_either_health_check_type(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={"HealthCheckType": "EC2", "HealthCheckGracePeriod": 0})
    cloud.advance(minutes=5)
    victim = stack.group()["Instances"][0]["InstanceId"]
    fail_instance(cloud, victim)
    status = cloud.client("ec2").describe_instance_status(InstanceIds=[victim])
    assert status["InstanceStatuses"][0]["SystemStatus"]["Status"] == "impaired"
    cloud.advance(minutes=1)
    assert victim not in {i["InstanceId"] for i in stack.group()["Instances"]}


def test_elb_checks_without_a_grace_period_replace_booting_instances(cloud: Cloud) -> None:
    # The API default grace period is 0: a target still installing httpd fails two checks
    # (60 s) before it serves (70 s), so ELB health checks replace it, again and again.
    stack = build_stack(cloud, asg={"HealthCheckType": "ELB", "DesiredCapacity": 2,
                                    "HealthCheckGracePeriod": 0})
    first = {i["InstanceId"] for i in stack.group()["Instances"]}
    cloud.advance(minutes=2)
    assert not first & {i["InstanceId"] for i in stack.group()["Instances"]}
    assert {a.kind for a in auto_scaling(cloud).activities} == {"replace"}


def test_grace_period_protects_booting_instances(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={"HealthCheckType": "ELB", "HealthCheckGracePeriod": 300})
    first = {i["InstanceId"] for i in stack.group()["Instances"]}
    cloud.advance(minutes=4)  # targets went unhealthy while httpd installed; grace holds
    assert {i["InstanceId"] for i in stack.group()["Instances"]} == first


def test_an_az_outage_moves_capacity_and_restoring_rebalances(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={"DesiredCapacity": 3, "HealthCheckGracePeriod": 300})
    cloud.advance(minutes=5)
    down = stack.azs[0]
    fail_az(cloud, down)
    cloud.advance(minutes=2)
    counts = _azs(stack)
    assert counts[down] == 0 and sum(counts.values()) == 3
    restore_az(cloud, down)
    in_service = []
    for _ in range(12):  # AWS launches before it terminates: capacity never dips below 3
        cloud.advance(seconds=10)
        in_service.append(len(auto_scaling(cloud).in_service("web")))
    assert min(in_service) == 3 and max(in_service) == 4
    assert sorted(_azs(stack).values()) == [1, 1, 1]
    kinds = [a.kind for a in auto_scaling(cloud).activities]
    assert kinds.count("rebalance") == 2  # one launch, then one termination


def _simple_policy(cloud: Cloud, adjustment: int = 2) -> str:
    client = cloud.client("autoscaling")
    return client.put_scaling_policy(  # type: ignore[no-any-return]
        AutoScalingGroupName="web", PolicyName="out", PolicyType="SimpleScaling",
        AdjustmentType="ChangeInCapacity", ScalingAdjustment=adjustment)["PolicyARN"]


def test_cooldown_blocks_a_second_simple_scale_out(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={"DesiredCapacity": 2})
    _simple_policy(cloud)
    client = cloud.client("autoscaling")
    client.execute_policy(AutoScalingGroupName="web", PolicyName="out", HonorCooldown=True)
    assert stack.group()["DesiredCapacity"] == 4
    cloud.advance(seconds=120)
    client.execute_policy(AutoScalingGroupName="web", PolicyName="out", HonorCooldown=True)
    assert stack.group()["DesiredCapacity"] == 4          # default cooldown is 300 s
    cloud.advance(seconds=181)
    client.execute_policy(AutoScalingGroupName="web", PolicyName="out", HonorCooldown=True)
    assert stack.group()["DesiredCapacity"] == 6


def test_an_alarm_runs_a_step_policy_with_the_right_step(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={"DesiredCapacity": 2})
    client, cw = cloud.client("autoscaling"), cloud.client("cloudwatch")
    arn = client.put_scaling_policy(
        AutoScalingGroupName="web", PolicyName="steps", PolicyType="StepScaling",
        AdjustmentType="ChangeInCapacity", EstimatedInstanceWarmup=300, StepAdjustments=[
            {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 15,
             "ScalingAdjustment": 1},
            {"MetricIntervalLowerBound": 15, "ScalingAdjustment": 3}])["PolicyARN"]
    cw.put_metric_alarm(AlarmName="cpu-high", Namespace="Custom", MetricName="Load",
                        Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=75,
                        ComparisonOperator="GreaterThanThreshold", AlarmActions=[arn])
    for minute in range(3):
        cw.put_metric_data(Namespace="Custom", MetricData=[{
            "MetricName": "Load", "Value": 95.0,
            "Timestamp": datetime.fromtimestamp(cloud.now.timestamp() + 60 * minute,
                                                tz=UTC)}])
    cloud.advance(minutes=2, seconds=5)
    # 95 is 20 above the threshold: the second step (+3); repeated invocations while the
    # instances warm up add nothing more
    assert stack.group()["DesiredCapacity"] == 5


def test_target_tracking_creates_its_alarms_and_returns_the_policy_arn(cloud: Cloud) -> None:
    build_stack(cloud, asg={})
    out = cloud.client("autoscaling").put_scaling_policy(
        AutoScalingGroupName="web", PolicyName="cpu50", PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={"TargetValue": 50.0, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ASGAverageCPUUtilization"}})
    assert out["PolicyARN"].startswith("arn:aws:autoscaling:")
    names = {a["AlarmName"] for a in out["Alarms"]}
    alarms = cloud.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert names == {a["AlarmName"] for a in alarms}
    high = next(a for a in alarms if "AlarmHigh" in a["AlarmName"])
    assert (high["Threshold"], high["EvaluationPeriods"]) == (50.0, 3)


def test_scheduled_actions_fire_at_their_time(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={})
    client = cloud.client("autoscaling")
    client.put_scheduled_update_group_action(
        AutoScalingGroupName="web", ScheduledActionName="office-hours",
        Recurrence="0 8 * * MON-FRI", MinSize=4, MaxSize=10, DesiredCapacity=6)
    cloud.advance(hours=7, minutes=59)          # the clock starts Monday 00:00 UTC
    assert stack.group()["DesiredCapacity"] == 3
    cloud.advance(minutes=1)
    assert stack.group()["DesiredCapacity"] == 6
    assert auto_scaling(cloud).activities[-1].kind == "scale_out"


def test_launch_configurations_are_flagged_as_legacy(cloud: Cloud) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cloud.client("autoscaling").create_launch_configuration(
            LaunchConfigurationName="old", ImageId="ami-12c6146b", InstanceType="t3.micro")
    assert any(issubclass(w.category, LegacyLaunchConfiguration) for w in caught)
    assert "launch templates" in str(caught[0].message)


@pytest.mark.parametrize(("warmup", "desired"), [(300, 5), (0, 6)])
def test_target_tracking_does_not_count_warming_instances(cloud: Cloud, warmup: int,
                                                          desired: int) -> None:
    # 4 x m5.large at 440 req/s run at 57 % CPU against a 50 % target: ceil(4 x 57/50) = 5.
    # The next minute's average still comes from the 4 (the fifth was pending when the
    # one-minute sample began), so the alarm stays in ALARM; counting the fifth at once
    # (warm-up 0) makes ceil(5 x 57/50) = 6; left out while it warms up, it stays 5.
    from cloudlab.sim import Constant
    from cloudlab.sim.workload import WebTraffic

    stack = build_stack(cloud, asg={"MinSize": 4, "MaxSize": 10, "DesiredCapacity": 4,
                                    "DefaultInstanceWarmup": warmup})
    assert stack.group()["DefaultInstanceWarmup"] == warmup
    cloud.advance(minutes=5)
    cloud.client("autoscaling").put_scaling_policy(
        AutoScalingGroupName="web", PolicyName="cpu50", PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={"TargetValue": 50.0, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ASGAverageCPUUtilization"}})
    cloud.run(WebTraffic(Constant(440), to="web", step_s=60), minutes=10, progress=False)
    assert stack.group()["DesiredCapacity"] == desired
