"""Classic Load Balancer (boto3 ``elb``) health checks, routing and Auto Scaling on the clock.

https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html
https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_InstanceState.html
"""

from __future__ import annotations

from typing import Any

import pytest
from webstack import BROKEN_USER_DATA, WEB_USER_DATA, wait_until_running

from cloudlab import Cloud
from cloudlab.sim.failures import crash_web_server

FAILED = ("Instance has failed at least the UnhealthyThreshold number of health checks "
          "consecutively.")
NOT_YET = ("Instance has not passed the configured HealthyThreshold number of health checks "
           "consecutively.")


@pytest.fixture
def cloud() -> Cloud:
    c = Cloud(seed=3)
    yield c
    c.stop()


def subnets(cloud: Cloud) -> list[str]:
    found = cloud.client("ec2").describe_subnets()["Subnets"]
    return [s["SubnetId"] for s in sorted(found, key=lambda s: s["AvailabilityZone"])[:3]]


def make_clb(cloud: Cloud, name: str = "web") -> str:
    """A Classic Load Balancer in three AZs with the API's defaults; returns its DNS name."""
    made = cloud.client("elb").create_load_balancer(
        LoadBalancerName=name, Subnets=subnets(cloud),
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}])
    return str(made["DNSName"])


def launch(cloud: Cloud, count: int = 1, *, az_index: int = 0, name: str = "web",
           user_data: str = WEB_USER_DATA) -> list[str]:
    """Instances registered with the CLB once running (t=20 for the first ones)."""
    run = cloud.client("ec2").run_instances(
        ImageId="ami-12c6146b", InstanceType="m5.large", MinCount=count, MaxCount=count,
        SubnetId=subnets(cloud)[az_index], UserData=user_data)
    ids = [i["InstanceId"] for i in run["Instances"]]
    wait_until_running(cloud, ids)
    cloud.client("elb").register_instances_with_load_balancer(
        LoadBalancerName=name, Instances=[{"InstanceId": i} for i in ids])
    return ids


def health(cloud: Cloud, name: str = "web") -> dict[str, dict[str, Any]]:
    found = cloud.client("elb").describe_instance_health(LoadBalancerName=name)
    return {s["InstanceId"]: s for s in found["InstanceStates"]}


def states(cloud: Cloud, name: str = "web") -> dict[str, str]:
    return {i: s["State"] for i, s in health(cloud, name).items()}


def test_a_new_instance_needs_ten_passing_checks_of_30_s(cloud: Cloud) -> None:
    make_clb(cloud)
    [iid] = launch(cloud)            # registered at t=20; httpd answers at t=70
    assert health(cloud)[iid] == {"InstanceId": iid, "State": "OutOfService",
                                  "ReasonCode": "ELB",
                                  "Description": "Instance registration is still in progress."}
    cloud.advance(seconds=30)        # t=50: the first check fails (httpd not up yet)
    assert health(cloud)[iid]["Description"] == NOT_YET
    cloud.advance(seconds=299)       # checks at 80 ... 320 pass: nine in a row
    assert states(cloud) == {iid: "OutOfService"}
    cloud.advance(seconds=1)         # t=350: the tenth passing check (the default threshold)
    assert health(cloud)[iid] == {"InstanceId": iid, "State": "InService",
                                  "ReasonCode": "N/A", "Description": "N/A"}


def test_a_crashed_instance_is_out_of_service_after_two_failed_checks(cloud: Cloud) -> None:
    make_clb(cloud)
    [iid] = launch(cloud)
    cloud.advance(seconds=330)       # t=350: InService, right after a check
    assert states(cloud) == {iid: "InService"}
    crash_web_server(cloud, iid)
    cloud.advance(seconds=59)        # one failed check at 380: still in service
    assert states(cloud) == {iid: "InService"}
    cloud.advance(seconds=1)         # the second at 410: 2 x 30 s after it died
    assert health(cloud)[iid] == {"InstanceId": iid, "State": "OutOfService",
                                  "ReasonCode": "Instance", "Description": FAILED}


def test_the_configured_health_check_is_used(cloud: Cloud) -> None:
    make_clb(cloud)
    cloud.client("elb").configure_health_check(LoadBalancerName="web", HealthCheck={
        "Target": "HTTP:80/index.html", "Interval": 10, "Timeout": 5,
        "UnhealthyThreshold": 3, "HealthyThreshold": 2})
    [iid] = launch(cloud)            # registered at t=20; checks at 30, 40, ...
    cloud.advance(seconds=59)        # 70 passes: one of two
    assert states(cloud) == {iid: "OutOfService"}
    cloud.advance(seconds=1)         # 80 passes: two in a row
    assert states(cloud) == {iid: "InService"}
    cloud.client("elb").configure_health_check(LoadBalancerName="web", HealthCheck={
        "Target": "TCP:8080", "Interval": 10, "Timeout": 5,
        "UnhealthyThreshold": 3, "HealthyThreshold": 2})
    cloud.advance(seconds=29)        # nothing listens on 8080: two failures of three
    assert states(cloud) == {iid: "InService"}
    cloud.advance(seconds=1)
    assert states(cloud) == {iid: "OutOfService"}


def test_an_instance_without_a_web_server_never_gets_in_service(cloud: Cloud) -> None:
    make_clb(cloud)
    [iid] = launch(cloud, user_data=BROKEN_USER_DATA)
    cloud.advance(minutes=30)
    assert health(cloud)[iid]["Description"] == FAILED
