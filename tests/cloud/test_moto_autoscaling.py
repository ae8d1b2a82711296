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


def test_a_group_s_kept_subnets_are_what_moto_describes_through_changes(cloud: Cloud) -> None:
    """The subnets each launch reads are kept per VPCZoneIdentifier while the subnets stay:
    the same answer as moto's describe_subnets (and its error) after subnets come and go
    and the group changes its subnets."""
    from moto.autoscaling.models import autoscaling_backends
    from moto.ec2.exceptions import InvalidSubnetIdError

    _group(cloud, MinSize=0, MaxSize=9, DesiredCapacity=1)
    ec2, asg = cloud.client("ec2"), cloud.client("autoscaling")
    group = autoscaling_backends["123456789012"][cloud.region].autoscaling_groups["grp"]

    def check() -> list[tuple[str, str]] | str:
        ids = [s for s in group.vpc_zone_identifier.split(",") if s]
        backend = group.autoscaling_backend.ec2_backend
        try:
            fresh: list[tuple[str, str]] | str = [
                (s.id, s.availability_zone) for s in backend.describe_subnets(subnet_ids=ids)]
        except InvalidSubnetIdError as e:
            fresh = str(e)
        try:
            kept: list[tuple[str, str]] | str = moto_autoscaling._subnets(group)
        except InvalidSubnetIdError as e:
            kept = str(e)
        assert kept == fresh
        return kept

    first = check()
    assert len(first) == 3 and check() == first  # kept, and the same
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    azs = cloud.azs()
    extra = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"172.31.{200 + k}.0/24",
                               AvailabilityZone=azs[k % len(azs)])["Subnet"]["SubnetId"]
             for k in range(3)]
    assert check() == first  # other subnets do not change the answer
    asg.update_auto_scaling_group(AutoScalingGroupName="grp",
                                  VPCZoneIdentifier=",".join([extra[2], extra[0]]))
    assert [sid for sid, _ in check()] == [extra[0], extra[2]]  # moto's order, not the list's
    asg.set_desired_capacity(AutoScalingGroupName="grp", DesiredCapacity=3)
    ec2.delete_subnet(SubnetId=extra[0])
    assert isinstance(check(), str)  # moto's error, kept answer or not
    asg.update_auto_scaling_group(AutoScalingGroupName="grp",
                                  VPCZoneIdentifier=",".join(sid for sid, _ in first))
    assert check() == first
