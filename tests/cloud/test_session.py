"""The Cloud session: clients reach the mini cloud, geography, reset, clock, seeds."""

from __future__ import annotations

import boto3
import numpy as np
import pytest
from botocore.exceptions import ClientError

from cloudlab import Cloud
from cloudlab.cloud import active_cloud
from cloudlab.errors import CloudNotStarted, EndpointNotServed, InvalidScenario


def test_first_ec2_call_answers(cloud: Cloud) -> None:
    assert cloud.client("ec2").describe_instances()["Reservations"] == []


def test_plain_boto3_client_reaches_the_mini_cloud(cloud: Cloud) -> None:
    boto3.client("s3").create_bucket(Bucket="learner-bucket")
    names = [b["Name"] for b in cloud.client("s3").list_buckets()["Buckets"]]
    assert names == ["learner-bucket"]


def test_aws_errors_are_client_errors_with_codes(cloud: Cloud) -> None:
    with pytest.raises(ClientError) as err:
        cloud.client("s3").get_object(Bucket="nope-not-here", Key="k")
    assert err.value.response["Error"]["Code"] == "NoSuchBucket"


def test_custom_endpoint_is_refused_not_sent(cloud: Cloud) -> None:
    s3 = boto3.client("s3", endpoint_url="https://storage.example.com")
    with pytest.raises(EndpointNotServed, match="nothing was sent to AWS"):
        s3.list_buckets()


def test_credentials_are_fake(cloud: Cloud) -> None:
    creds = cloud.session.get_credentials()
    assert creds is not None and creds.access_key.startswith("AKIACLOUDLAB")


def test_regions_and_azs(cloud: Cloud) -> None:
    regions = cloud.regions()
    assert "us-east-1" in regions and "eu-west-1" in regions
    azs = cloud.azs("eu-west-1")
    assert len(azs) >= 3 and all(az.startswith("eu-west-1") for az in azs)


def test_client_in_another_region(cloud: Cloud) -> None:
    ec2 = cloud.client("ec2", region="ap-south-1")
    assert ec2.meta.region_name == "ap-south-1"
    assert cloud.client("ec2", region="ap-south-1") is ec2  # cached


def test_reset_empties_the_cloud_and_rewinds_the_clock(cloud: Cloud) -> None:
    cloud.client("s3").create_bucket(Bucket="to-be-gone")
    cloud.advance(hours=3)
    fired: list[Cloud] = []
    cloud.on_reset(fired.append)
    cloud.reset()
    assert cloud.client("s3").list_buckets()["Buckets"] == []
    assert cloud.t == 0.0
    assert fired == [cloud]


def test_advance_fires_scheduled_work(cloud: Cloud) -> None:
    seen: list[float] = []
    cloud.every(60, lambda clock: seen.append(clock.t))
    now = cloud.advance(minutes=3)
    assert seen == [60.0, 120.0, 180.0]
    assert now == cloud.now


def test_a_new_cloud_stops_the_old_one() -> None:
    first = Cloud(seed=1)
    second = Cloud(seed=2)
    try:
        assert active_cloud() is second
        with pytest.raises(CloudNotStarted, match="create a new one"):
            first.client("s3")
        assert second.client("s3").list_buckets()["Buckets"] == []
    finally:
        second.stop()
    assert active_cloud() is None


def test_context_manager_stops() -> None:
    with Cloud() as c:
        assert c.running
    assert not c.running


def test_rng_streams_are_seeded_and_independent() -> None:
    with Cloud(seed=5) as a:
        x = a.rng("traffic").random(4)
        y = a.rng("failures").random(4)
    with Cloud(seed=5) as b:
        assert np.array_equal(b.rng("traffic").random(4), x)
    with Cloud(seed=6) as c:
        assert not np.array_equal(c.rng("traffic").random(4), x)
    assert not np.array_equal(x, y)


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(InvalidScenario, match="seed must be an integer >= 0"):
        Cloud(seed=seed)  # type: ignore[arg-type]


def test_run_needs_a_scenario(cloud: Cloud) -> None:
    with pytest.raises(InvalidScenario, match="needs a scenario"):
        cloud.run(42)  # type: ignore[arg-type]


def test_botocore_hooks_reach_plain_clients(cloud: Cloud) -> None:
    calls: list[str] = []
    cloud.on("after-call.s3", lambda event_name, **kw: calls.append(event_name))
    boto3.client("s3").list_buckets()
    assert calls == ["after-call.s3.ListBuckets"]


def test_subsystem_state_is_per_cloud_and_dropped_on_reset(cloud: Cloud) -> None:
    first = cloud.state("demo", dict)
    first["x"] = 1
    assert cloud.state("demo", dict) is first
    cloud.reset()
    assert cloud.state("demo", dict) == {}


def test_off_detaches_a_hook(cloud: Cloud) -> None:
    calls: list[str] = []

    def handler(event_name: str, **kw: object) -> None:
        calls.append(event_name)

    cloud.on("after-call.s3", handler)
    cloud.client("s3").list_buckets()
    cloud.off("after-call.s3", handler)
    cloud.client("s3").list_buckets()
    assert calls == ["after-call.s3.ListBuckets"]


def _first_ids(seed: int) -> tuple[str, str]:
    with Cloud(seed=seed) as c:
        ec2 = c.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    return vpc, subnet


def test_resource_ids_follow_the_seed() -> None:
    assert _first_ids(3) == _first_ids(3)
    assert _first_ids(3) != _first_ids(4)


def test_resource_ids_do_not_depend_on_what_earlier_clouds_did() -> None:
    # moto's reset used to rebuild the EC2 backend of a cloud that had used Auto Scaling
    # before the next cloud was seeded: that cloud's ids came out different
    fresh = _first_ids(3)
    with Cloud(seed=5) as c:
        ec2, asg = c.client("ec2"), c.client("autoscaling")
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        ec2.create_launch_template(LaunchTemplateName="tmpl", LaunchTemplateData={
            "ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
        asg.create_auto_scaling_group(AutoScalingGroupName="grp", MinSize=1, MaxSize=1,
                                      LaunchTemplate={"LaunchTemplateName": "tmpl"},
                                      VPCZoneIdentifier=subnet)
    assert _first_ids(3) == fresh
