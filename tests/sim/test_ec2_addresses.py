"""Elastic IPs when their instance stops or terminates (cloudlab.sim.ec2.addresses).

Amazon EC2 User Guide, instance lifecycle ("Differences between reboot, stop, hibernate, and
terminate"): on stop "The Elastic IP address remains associated with the instance"; on
terminate "The Elastic IP address is disassociated from the instance". It stays allocated.
"""

from __future__ import annotations

import pytest
from webstack import build_stack, launch_web

from cloudlab import Cloud
from cloudlab.sim import Constant
from cloudlab.sim.run_prices import prices
from cloudlab.sim.workload import WebTraffic
from cloudlab.sim.workload_state import Router


def _address(cloud: Cloud, allocation_id: str) -> dict[str, str]:
    return cloud.client("ec2").describe_addresses(  # type: ignore[no-any-return]
        AllocationIds=[allocation_id])["Addresses"][0]


def test_terminating_the_instance_disassociates_its_elastic_ip(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    [iid] = launch_web(cloud, stack)
    ec2 = cloud.client("ec2")
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)
    cloud.advance(minutes=5)
    rec = cloud.run(WebTraffic(Constant(20), to=eip["PublicIp"]), minutes=1,
                    progress=False).recorder
    assert rec["errors_rps"].sum() == 0
    ec2.terminate_instances(InstanceIds=[iid])
    address = _address(cloud, eip["AllocationId"])
    assert "InstanceId" not in address and "AssociationId" not in address
    assert address["PublicIp"] == eip["PublicIp"]           # still allocated to the account
    rec = cloud.run(WebTraffic(Constant(20), to=eip["PublicIp"]), minutes=1,
                    progress=False).recorder
    assert rec["error_pct"].min() == 100                   # nothing answers on the address
    router = Router(cloud, eip["PublicIp"])
    assert router.route(cloud.t).targets == []
    assert router._addresses()[1] == 1                      # an idle address, still billed
    assert router._cost_per_s(cloud.t) >= prices().ipv4_per_s


def test_stopping_the_instance_keeps_its_elastic_ip(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    [iid] = launch_web(cloud, stack)
    ec2 = cloud.client("ec2")
    eip = ec2.allocate_address(Domain="vpc")
    association = ec2.associate_address(AllocationId=eip["AllocationId"],
                                        InstanceId=iid)["AssociationId"]
    ec2.stop_instances(InstanceIds=[iid])
    address = _address(cloud, eip["AllocationId"])
    assert address["InstanceId"] == iid and address["AssociationId"] == association


def test_terminating_other_instances_leaves_the_address_alone(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    keep, other = launch_web(cloud, stack, count=2)
    ec2 = cloud.client("ec2")
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=keep)
    ec2.terminate_instances(InstanceIds=[other])
    assert _address(cloud, eip["AllocationId"])["InstanceId"] == keep


def test_an_elastic_ip_is_billed_once_and_also_while_its_instance_is_stopped(
        cloud: Cloud) -> None:
    stack = build_stack(cloud)
    [iid] = launch_web(cloud, stack)
    ec2 = cloud.client("ec2")
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)
    p = prices()
    router = Router(cloud, eip["PublicIp"])
    record = router.book.records[iid]
    running = router._cost_per_s(cloud.t)
    compute = p.root_volume_per_s + p.alb_per_s
    # the Elastic IP replaces the auto-assigned address: one public IPv4, not two
    assert running - compute - p.ipv4_per_s == pytest.approx(
        instance_price_per_s(record.instance_type))
    ec2.stop_instances(InstanceIds=[iid])
    assert router._cost_per_s(cloud.t) == pytest.approx(compute + p.ipv4_per_s)


def instance_price_per_s(kind: str) -> float:
    from cloudlab.sim.catalog import instance_type

    return instance_type(kind).price_per_hour / 3600.0


def test_auto_scaling_terminating_its_instance_frees_the_elastic_ip(cloud: Cloud) -> None:
    from cloudlab.sim.failures import fail_instance

    build_stack(cloud, asg={"MinSize": 1, "MaxSize": 1, "DesiredCapacity": 1,
                            "HealthCheckType": "EC2"})
    cloud.advance(minutes=5)
    asg, ec2 = cloud.client("autoscaling"), cloud.client("ec2")
    [iid] = [i["InstanceId"] for i in asg.describe_auto_scaling_groups(
        AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]["Instances"]]
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)
    fail_instance(cloud, iid)
    cloud.advance(minutes=1)  # Auto Scaling replaces the impaired instance
    assert iid not in {i["InstanceId"] for i in asg.describe_auto_scaling_groups(
        AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]["Instances"]}
    assert "InstanceId" not in _address(cloud, eip["AllocationId"])
