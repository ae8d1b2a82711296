"""cloudlab.cloud.moto_direct answers and acts as boto3 does, for what it promises."""

from __future__ import annotations

import base64

from cloudlab import Cloud
from cloudlab.cloud import moto_direct


def _group(cloud: Cloud) -> None:
    ec2, asg = cloud.client("ec2"), cloud.client("autoscaling")
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])[:3]
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "t3.micro", "Monitoring": {"Enabled": True},
        "UserData": base64.b64encode(b"#!/bin/bash\necho hi\n").decode()})
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web", MinSize=1, MaxSize=6, DesiredCapacity=4,
        LaunchTemplate={"LaunchTemplateName": "web", "Version": "$Latest"},
        VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets))


def test_a_group_reads_as_describe_auto_scaling_groups_gives_it() -> None:
    with Cloud(seed=3) as cloud:
        _group(cloud)
        asg = cloud.client("autoscaling")
        asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=3)
        wire = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])[
            "AutoScalingGroups"][0]
        read = moto_direct.auto_scaling_group(cloud, cloud.region, "web")
        assert read is not None
        assert read["AutoScalingGroupName"] == wire["AutoScalingGroupName"]
        assert read["DesiredCapacity"] == wire["DesiredCapacity"] == 3
        keys = ("InstanceId", "AvailabilityZone")
        assert read["Instances"] == [{k: i[k] for k in keys} for i in wire["Instances"]]
        assert len({i["AvailabilityZone"] for i in read["Instances"]}) == 3
        assert moto_direct.auto_scaling_group(cloud, cloud.region, "nope") is None
        assert moto_direct.auto_scaling_group(cloud, "eu-west-1", "web") is None


def test_instances_read_as_describe_instances_gives_them() -> None:
    with Cloud(seed=3) as cloud:
        _group(cloud)
        ec2 = cloud.client("ec2")
        loose = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                  TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                      {"Key": "Name", "Value": "solo"}]}])["Instances"][0]
        ids = sorted(i["InstanceId"] for r in ec2.describe_instances()["Reservations"]
                     for i in r["Instances"])
        assert loose["InstanceId"] in ids and len(ids) == 5
        ec2.terminate_instances(InstanceIds=[ids[0]])
        wire = {i["InstanceId"]: i for r in ec2.describe_instances(InstanceIds=ids)[
            "Reservations"] for i in r["Instances"]}
        read = moto_direct.instances(cloud, cloud.region, ids)
        assert read is not None and [i["InstanceId"] for i in read] == ids
        for mine in read:
            theirs = wire[mine["InstanceId"]]
            for key in ("InstanceType", "SubnetId", "ImageId", "Monitoring"):
                assert mine[key] == theirs[key], key
            assert mine["Placement"]["AvailabilityZone"] == theirs["Placement"][
                "AvailabilityZone"]
            assert mine.get("PublicIpAddress") == theirs.get("PublicIpAddress")
            assert sorted(map(str, mine["Tags"])) == sorted(map(str, theirs.get("Tags", [])))
        assert any(i.get("Tags") for i in read)
        assert moto_direct.instances(cloud, cloud.region, [ids[1], "i-0000000000000000"]) is None


def test_other_backends_get_no_answer_and_callers_use_boto3() -> None:
    class Elsewhere:
        backend = "server"
        region = "us-east-1"

    assert moto_direct.auto_scaling_group(Elsewhere(), "us-east-1", "web") is None
    assert moto_direct.instances(Elsewhere(), "us-east-1", ["i-1"]) is None
    assert moto_direct.set_desired_capacity(Elsewhere(), "us-east-1", "web", 2) is False


def _groups_after(direct: bool) -> tuple[list[dict], list[str]]:
    events: list[str] = []
    with Cloud(seed=5) as cloud:
        _group(cloud)
        cloud.on("after-call.auto-scaling",
                 lambda event_name, model=None, context=None, **_: events.append(
                     f"{model.name} {context['cloudlab_params']['DesiredCapacity']}"
                     if model is not None and model.name == "SetDesiredCapacity" else ""))
        asg = cloud.client("autoscaling")
        for n in (6, 2, 5):
            if direct:
                assert moto_direct.set_desired_capacity(cloud, cloud.region, "web", n)
            else:
                asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=n,
                                         HonorCooldown=False)
        group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])[
            "AutoScalingGroups"][0]
        ids = [i["InstanceId"] for i in group["Instances"]]
        states = cloud.client("ec2").describe_instances(InstanceIds=ids)["Reservations"]
        assert len([i for r in states for i in r["Instances"]]) == 5
        assert not moto_direct.set_desired_capacity(cloud, cloud.region, "nope", 1)
    return ([{k: i[k] for k in ("InstanceId", "AvailabilityZone")} for i in group["Instances"]]
            + [{"DesiredCapacity": group["DesiredCapacity"]}],
            [e for e in events if e])


def test_a_direct_desired_capacity_does_what_the_boto3_call_does() -> None:
    # the ids differ (a boto3 call draws its request id from moto's seeded random source)
    direct, told = _groups_after(direct=True)
    wire, told_by_boto3 = _groups_after(direct=False)
    assert sorted(i.get("AvailabilityZone", "") for i in direct) == sorted(
        i.get("AvailabilityZone", "") for i in wire)
    assert len(direct) == len(wire) == 6
    assert direct[-1] == {"DesiredCapacity": 5}
    assert len({i["AvailabilityZone"] for i in direct[:-1]}) == 3  # balanced by cloudlab
    assert told == told_by_boto3 == ["SetDesiredCapacity 6", "SetDesiredCapacity 2",
                                     "SetDesiredCapacity 5"]


def test_the_backend_read_directly_is_the_one_moto_s_lookup_gives() -> None:
    from moto.autoscaling.models import autoscaling_backends
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ec2.models import ec2_backends

    for seed in (3, 4):  # the second cloud starts from emptied BackendDicts
        with Cloud(seed=seed) as cloud:
            for region in (cloud.region, "eu-west-1"):  # built by the lookup, then read
                for service, backends in (("ec2", ec2_backends),
                                          ("autoscaling", autoscaling_backends)):
                    first = moto_direct._backend(cloud, service, region)
                    assert first is backends[DEFAULT_ACCOUNT_ID][region]
                    assert moto_direct._backend(cloud, service, region) is first
            _group(cloud)
            assert moto_direct.auto_scaling_group(cloud, cloud.region, "web") is not None
