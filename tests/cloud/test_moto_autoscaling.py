"""The moto Auto Scaling patch: balanced AZs, scale-in from the fullest AZ, the grace period
AWS keeps. Fails loudly if a moto upgrade renames what the patch wraps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from cloudlab.cloud import Cloud, moto_autoscaling


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    with Cloud(seed=0) as c:
        yield c


def _group(cloud: Cloud, **settings: object) -> dict[str, object]:
    ec2, asg = cloud.client("ec2"), cloud.client("autoscaling")
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])[:3]
    ec2.create_launch_template(LaunchTemplateName="tmpl", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
    asg.create_auto_scaling_group(
        AutoScalingGroupName="grp", LaunchTemplate={"LaunchTemplateName": "tmpl"},
        VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets), **settings)
    return asg.describe_auto_scaling_groups(AutoScalingGroupNames=["grp"])[  # type: ignore[no-any-return]
        "AutoScalingGroups"][0]


def _azs(group: dict[str, object]) -> list[int]:
    counts = Counter(i["AvailabilityZone"] for i in group["Instances"])  # type: ignore[attr-defined]
    return sorted(counts.values())


def test_the_patch_wraps_what_moto_still_has() -> None:
    from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup

    assert moto_autoscaling.install() is True
    for owner, name in ((FakeAutoScalingGroup, "replace_autoscaling_group_instances"),
                        (FakeAutoScalingGroup, "set_desired_capacity"),
                        (AutoScalingBackend, "create_auto_scaling_group")):
        assert hasattr(getattr(owner, name), "__wrapped__"), name


def test_a_group_spreads_over_its_azs_and_scales_in_from_the_fullest(cloud: Cloud) -> None:
    group = _group(cloud, MinSize=0, MaxSize=9, DesiredCapacity=6)
    assert _azs(group) == [2, 2, 2]
    asg = cloud.client("autoscaling")
    asg.set_desired_capacity(AutoScalingGroupName="grp", DesiredCapacity=4)
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["grp"])["AutoScalingGroups"][0]
    assert _azs(group) == [1, 1, 2]


@pytest.mark.parametrize(("given", "kept"), [({}, 0), ({"HealthCheckGracePeriod": 0}, 0),
                                             ({"HealthCheckGracePeriod": 90}, 90)])
def test_the_grace_period_is_what_aws_keeps(cloud: Cloud, given: dict[str, int],
                                            kept: int) -> None:
    # moto turns 0 and a missing value into 300; AWS's API default is 0
    group = _group(cloud, MinSize=1, MaxSize=1, DesiredCapacity=1, **given)
    assert group["HealthCheckGracePeriod"] == kept


def test_scale_in_keeps_the_survivors_in_launch_order(cloud: Cloud) -> None:
    """moto rebuilds the instance list of a scale-in from a set (an order that follows memory
    addresses); the patch keeps the survivors in the order they had, so "oldest first" picks
    the same instance on every machine."""
    asg = cloud.client("autoscaling")
    _group(cloud, MinSize=0, MaxSize=12, DesiredCapacity=9)
    launched = [i["InstanceId"] for i in asg.describe_auto_scaling_groups(
        AutoScalingGroupNames=["grp"])["AutoScalingGroups"][0]["Instances"]]
    for desired in (8, 7, 6, 5, 4):
        asg.set_desired_capacity(AutoScalingGroupName="grp", DesiredCapacity=desired)
        now = [i["InstanceId"] for i in asg.describe_auto_scaling_groups(
            AutoScalingGroupNames=["grp"])["AutoScalingGroups"][0]["Instances"]]
        assert now == [i for i in launched if i in now], f"order changed at {desired}"
