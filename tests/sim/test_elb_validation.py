"""What Elastic Load Balancing refuses and moto accepts (cloudlab.sim.elbv2.validation).

- RegisterTargets: "If the target is an EC2 instance, it must be in the running state when
  you register it" (RegisterTargets API reference); pending instances are refused too
  (kubernetes-sigs/cluster-api-provider-aws#5037 and #5040 hit InvalidTarget on pending ones).
- Health checks: interval 5-300, timeout 2-120, thresholds 2-10 (CreateTargetGroup API
  reference); "Health check interval must be greater than the timeout." (ValidationError).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from webstack import build_stack, launch_web

from cloudlab import Cloud


@pytest.fixture
def cloud() -> Cloud:
    c = Cloud(seed=5)
    yield c
    c.stop()


def _run(cloud: Cloud, subnet: str, count: int = 1) -> list[str]:
    run = cloud.client("ec2").run_instances(ImageId="ami-12c6146b", InstanceType="m5.large",
                                            MinCount=count, MaxCount=count, SubnetId=subnet)
    return [i["InstanceId"] for i in run["Instances"]]


def test_registering_a_pending_instance_is_refused_with_invalid_target(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    ids = _run(cloud, stack.subnets[0], count=2)
    elb = cloud.client("elbv2")
    with pytest.raises(ClientError) as exc:
        elb.register_targets(TargetGroupArn=stack.tg_arn, Targets=[{"Id": i} for i in ids])
    err = exc.value.response["Error"]
    assert err["Code"] == "InvalidTarget"
    assert err["Message"].startswith(
        "The following targets are not in a running state and cannot be registered: "
        f"'{ids[0]}', '{ids[1]}'")
    assert "cloud.advance" in err["Message"]
    assert stack.health() == {}                          # nothing was registered
    cloud.advance(seconds=20)                            # pending for 20 s, then running
    elb.register_targets(TargetGroupArn=stack.tg_arn, Targets=[{"Id": i} for i in ids])
    assert stack.health() == dict.fromkeys(ids, "initial")


def test_registering_a_stopped_or_terminated_instance_is_refused(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    stopped, terminated = _run(cloud, stack.subnets[0], count=2)
    cloud.advance(seconds=30)
    ec2, elb = cloud.client("ec2"), cloud.client("elbv2")
    ec2.stop_instances(InstanceIds=[stopped])
    ec2.terminate_instances(InstanceIds=[terminated])
    for iid in (stopped, terminated):
        with pytest.raises(ClientError) as exc:
            elb.register_targets(TargetGroupArn=stack.tg_arn, Targets=[{"Id": iid}])
        assert exc.value.response["Error"]["Code"] == "InvalidTarget"
        assert f"'{iid}'" in exc.value.response["Error"]["Message"]


def test_auto_scaling_still_registers_the_instances_it_launches(cloud: Cloud) -> None:
    stack = build_stack(cloud, asg={"DesiredCapacity": 2})
    members = {i["InstanceId"] for i in stack.group()["Instances"]}
    assert len(members) == 2
    assert set(stack.health()) == members
    cloud.advance(minutes=5)
    assert set(stack.health().values()) == {"healthy"}


def test_launch_web_waits_until_running_then_registers(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    [iid] = launch_web(cloud, stack)
    assert cloud.t == 20
    assert stack.health() == {iid: "initial"}


@pytest.mark.parametrize(("settings", "words"), [
    ({"HealthCheckTimeoutSeconds": 30}, "interval must be greater than the timeout"),
    ({"HealthCheckIntervalSeconds": 5}, "interval must be greater than the timeout"),
    ({"HealthCheckIntervalSeconds": 10, "HealthCheckTimeoutSeconds": 10},
     "interval must be greater than the timeout"),
    ({"HealthCheckIntervalSeconds": 301}, "less than or equal to 300"),
    ({"HealthCheckTimeoutSeconds": 121}, "less than or equal to 120"),
    ({"HealthyThresholdCount": 11}, "less than or equal to 10"),
    ({"UnhealthyThresholdCount": 11}, "less than or equal to 10"),
])
def test_health_check_settings_aws_refuses(cloud: Cloud, settings: dict[str, int],
                                           words: str) -> None:
    stack = build_stack(cloud)
    elb = cloud.client("elbv2")
    vpc = cloud.client("ec2").describe_vpcs()["Vpcs"][0]["VpcId"]
    with pytest.raises(ClientError) as exc:
        elb.create_target_group(Name="bad", Protocol="HTTP", Port=80, VpcId=vpc, **settings)
    assert exc.value.response["Error"]["Code"] == "ValidationError"
    assert words in exc.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as exc:
        elb.modify_target_group(TargetGroupArn=stack.tg_arn, **settings)
    assert exc.value.response["Error"]["Code"] == "ValidationError"
    assert words in exc.value.response["Error"]["Message"]
    assert [g["TargetGroupName"] for g in elb.describe_target_groups()["TargetGroups"]] == ["web"]
    group = elb.describe_target_groups(TargetGroupArns=[stack.tg_arn])["TargetGroups"][0]
    assert group["HealthCheckIntervalSeconds"] == 30      # the refused change changed nothing


def test_modify_checks_the_timeout_against_the_current_interval(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    elb = cloud.client("elbv2")
    elb.modify_target_group(TargetGroupArn=stack.tg_arn, HealthCheckIntervalSeconds=10,
                            HealthCheckTimeoutSeconds=9)
    with pytest.raises(ClientError) as exc:
        elb.modify_target_group(TargetGroupArn=stack.tg_arn, HealthCheckTimeoutSeconds=10)
    assert "HealthCheckIntervalSeconds is 10 and HealthCheckTimeoutSeconds is 10" in \
        exc.value.response["Error"]["Message"]
    elb.modify_target_group(TargetGroupArn=stack.tg_arn, HealthCheckIntervalSeconds=300,
                            HealthCheckTimeoutSeconds=120, HealthyThresholdCount=10,
                            UnhealthyThresholdCount=2)


def test_cross_zone_attribute_takes_only_the_documented_values(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    elb = cloud.client("elbv2")
    with pytest.raises(ClientError) as exc:
        elb.modify_target_group_attributes(TargetGroupArn=stack.tg_arn, Attributes=[
            {"Key": "load_balancing.cross_zone.enabled", "Value": "off"}])
    assert exc.value.response["Error"]["Code"] == "ValidationError"
    for value in ("false", "true", "use_load_balancer_configuration"):
        elb.modify_target_group_attributes(TargetGroupArn=stack.tg_arn, Attributes=[
            {"Key": "load_balancing.cross_zone.enabled", "Value": value}])
