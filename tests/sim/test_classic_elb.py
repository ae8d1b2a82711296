"""Classic Load Balancer (boto3 ``elb``) health checks, routing and Auto Scaling on the clock.

https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html
https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_InstanceState.html
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from webstack import BROKEN_USER_DATA, WEB_USER_DATA, encode, wait_until_running

from cloudlab import Cloud
from cloudlab.sim import Constant
from cloudlab.sim.elbv2.classic import DEFAULT_HEALTH_CHECK
from cloudlab.sim.failures import crash_web_server
from cloudlab.sim.workload import WebTraffic
from cloudlab.sim.workload_state import Router

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


def test_a_new_instance_is_in_service_after_its_first_passing_check(cloud: Cloud) -> None:
    make_clb(cloud)
    [iid] = launch(cloud)            # registered at t=20; httpd answers at t=70
    assert health(cloud)[iid] == {"InstanceId": iid, "State": "OutOfService",
                                  "ReasonCode": "ELB",
                                  "Description": "Instance registration is still in progress."}
    cloud.advance(seconds=30)        # t=50: the first check fails (httpd not up yet)
    assert health(cloud)[iid]["Description"] == NOT_YET
    cloud.advance(seconds=29)
    assert states(cloud) == {iid: "OutOfService"}
    cloud.advance(seconds=1)         # t=80: the first passing check is enough
    assert health(cloud)[iid] == {"InstanceId": iid, "State": "InService",
                                  "ReasonCode": "N/A", "Description": "N/A"}


def test_an_instance_that_failed_needs_ten_passing_checks_of_30_s(cloud: Cloud) -> None:
    make_clb(cloud)
    elb = cloud.client("elb")
    elb.configure_health_check(LoadBalancerName="web", HealthCheck={
        **DEFAULT_HEALTH_CHECK, "Target": "HTTP:8080/index.html"})  # nothing listens there
    [iid] = launch(cloud)            # registered at t=20: checks at 50, 80, ... fail
    cloud.advance(seconds=60)
    assert health(cloud)[iid]["Description"] == FAILED
    elb.configure_health_check(LoadBalancerName="web", HealthCheck=DEFAULT_HEALTH_CHECK)
    cloud.advance(seconds=30 * 10 - 1)   # nine checks on port 80 pass
    assert states(cloud) == {iid: "OutOfService"}
    assert health(cloud)[iid]["Description"] == NOT_YET
    cloud.advance(seconds=1)         # the tenth: the default HealthyThreshold
    assert states(cloud) == {iid: "InService"}


def test_a_crashed_instance_is_out_of_service_after_two_failed_checks(cloud: Cloud) -> None:
    make_clb(cloud)
    [iid] = launch(cloud)
    cloud.advance(seconds=330)       # t=350: InService (since t=80), right after a check
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
    cloud.advance(seconds=49)        # 30, 40, 50 and 60 fail: OutOfService after three
    assert health(cloud)[iid]["Description"] == FAILED
    cloud.advance(seconds=1)         # 70 passes: one of two
    assert states(cloud) == {iid: "OutOfService"}
    cloud.advance(seconds=10)        # 80 passes: two in a row
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


def shares(cloud: Cloud, to: str = "web") -> dict[str, float]:
    route = Router(cloud, to).route(cloud.t)
    return {record.instance_id: share for record, share, ok in route.targets if ok}


def cross_zone(cloud: Cloud, enabled: bool) -> None:
    cloud.client("elb").modify_load_balancer_attributes(
        LoadBalancerName="web",
        LoadBalancerAttributes={"CrossZoneLoadBalancing": {"Enabled": enabled}})


def test_requests_go_only_to_in_service_instances(cloud: Cloud) -> None:
    dns = make_clb(cloud)
    cross_zone(cloud, True)
    ids = launch(cloud, 2)
    cloud.advance(minutes=6)
    [late] = launch(cloud)             # registered at t=400; httpd answers at t=450
    assert cloud.t == 400
    assert states(cloud)[late] == "OutOfService"
    assert shares(cloud, dns) == pytest.approx(dict.fromkeys(ids, 0.5))
    # the checks at 410 and 440 fail (OutOfService), 470 ... 740 pass: ten in a row
    cloud.advance(seconds=339)
    assert shares(cloud, dns) == pytest.approx(dict.fromkeys(ids, 0.5))
    cloud.advance(seconds=1)
    assert shares(cloud, dns) == pytest.approx(dict.fromkeys([*ids, late], 1 / 3))


def test_between_a_crash_and_out_of_service_half_the_requests_fail(cloud: Cloud) -> None:
    make_clb(cloud)
    ids = launch(cloud, 2)
    cloud.advance(minutes=6)
    crash_web_server(cloud, ids[0], at=cloud.t + 1)
    rec = cloud.run(WebTraffic(Constant(100), to="web"), minutes=5, progress=False).recorder
    failing = np.nonzero(rec["errors_rps"] > 0)[0]
    assert 30 <= len(failing) <= 60    # until two checks 30 s apart have failed
    assert rec["error_pct"][failing].max() == pytest.approx(50.0)


def test_with_no_instance_in_service_every_request_fails(cloud: Cloud) -> None:
    make_clb(cloud)
    launch(cloud, user_data=BROKEN_USER_DATA)
    cloud.advance(minutes=5)
    rec = cloud.run(WebTraffic(Constant(10), to="web"), minutes=2, progress=False).recorder
    assert rec["error_pct"].min() == pytest.approx(100.0)   # a CLB does not fail open


def test_cross_zone_is_off_by_default_through_the_api(cloud: Cloud) -> None:
    make_clb(cloud)                    # nodes in three AZs
    attrs = cloud.client("elb").describe_load_balancer_attributes(LoadBalancerName="web")
    assert attrs["LoadBalancerAttributes"]["CrossZoneLoadBalancing"] == {"Enabled": False}
    a = launch(cloud, 2, az_index=0)
    [b] = launch(cloud, az_index=1)
    cloud.advance(minutes=6)
    # each node splits among its own AZ; the third AZ has no instance and leaves DNS
    assert shares(cloud) == pytest.approx({a[0]: 0.25, a[1]: 0.25, b: 0.5})
    cross_zone(cloud, True)
    assert shares(cloud) == pytest.approx(dict.fromkeys([*a, b], 1 / 3))


def test_connection_draining_keeps_a_deregistered_instance_for_its_timeout(cloud: Cloud) -> None:
    make_clb(cloud)
    elb = cloud.client("elb")
    elb.modify_load_balancer_attributes(LoadBalancerName="web", LoadBalancerAttributes={
        "ConnectionDraining": {"Enabled": True, "Timeout": 60}})
    ids = launch(cloud, 2)
    cloud.advance(minutes=6)
    elb.deregister_instances_from_load_balancer(LoadBalancerName="web",
                                                Instances=[{"InstanceId": ids[0]}])
    assert health(cloud)[ids[0]]["Description"] == "Instance deregistration currently in progress."
    assert shares(cloud) == {ids[1]: 1.0}      # no new requests while it drains
    cloud.advance(seconds=59)
    assert ids[0] in health(cloud)
    cloud.advance(seconds=1)
    assert set(health(cloud)) == {ids[1]}


def test_without_connection_draining_a_deregistered_instance_is_gone_at_once(
        cloud: Cloud) -> None:
    make_clb(cloud)
    ids = launch(cloud, 2)
    cloud.advance(minutes=6)
    cloud.client("elb").deregister_instances_from_load_balancer(
        LoadBalancerName="web", Instances=[{"InstanceId": ids[0]}])
    assert set(health(cloud)) == {ids[1]}
    assert shares(cloud) == {ids[1]: 1.0}


def test_an_elb_health_check_group_replaces_a_dead_web_server(cloud: Cloud) -> None:
    make_clb(cloud)
    ec2 = cloud.client("ec2")
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "m5.large", "UserData": encode(WEB_USER_DATA)})
    asg = cloud.client("autoscaling")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateName": "web"},
        MinSize=2, MaxSize=4, DesiredCapacity=2, VPCZoneIdentifier=",".join(subnets(cloud)),
        LoadBalancerNames=["web"], HealthCheckType="ELB", HealthCheckGracePeriod=600)
    first = sorted(i["InstanceId"] for i in asg.describe_auto_scaling_groups(
        AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]["Instances"])
    assert sorted(health(cloud)) == first       # Auto Scaling registers its instances
    cloud.advance(minutes=10)         # InService at t=360: 10 passes from t=90
    assert states(cloud) == dict.fromkeys(first, "InService")
    crash_web_server(cloud, first[0])           # the instance keeps running
    cloud.advance(minutes=3)
    now = sorted(i["InstanceId"] for i in asg.describe_auto_scaling_groups(
        AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]["Instances"])
    assert first[0] not in now and first[1] in now and len(now) == 2
    [new] = set(now) - set(first)
    assert new in health(cloud)                 # the replacement is registered
    assert first[0] not in health(cloud)
    cloud.advance(minutes=6)
    assert states(cloud) == dict.fromkeys(now, "InService")


def test_a_run_publishes_aws_elb_metrics_by_load_balancer_name(cloud: Cloud) -> None:
    make_clb(cloud)
    ids = launch(cloud, 2)
    cloud.advance(minutes=6)
    crash_web_server(cloud, ids[0])
    start = cloud.now
    cloud.run(WebTraffic(Constant(100), to="web"), minutes=5, progress=False)
    cw = cloud.client("cloudwatch")

    def stat(name: str, statistic: str) -> list[float]:
        out = cw.get_metric_statistics(
            Namespace="AWS/ELB", MetricName=name,
            Dimensions=[{"Name": "LoadBalancerName", "Value": "web"}], StartTime=start,
            EndTime=start + timedelta(minutes=5), Period=60, Statistics=[statistic])
        return [p[statistic] for p in sorted(out["Datapoints"], key=lambda p: p["Timestamp"])]

    assert stat("RequestCount", "Sum") == pytest.approx([6000.0] * 5)
    assert stat("HTTPCode_ELB_5XX", "Sum")[0] > 0          # until it is OutOfService
    assert stat("HTTPCode_ELB_5XX", "Sum")[-1] == 0
    assert stat("HealthyHostCount", "Maximum")[-1] == 1
    assert stat("UnHealthyHostCount", "Maximum")[-1] == 1
    assert all(x > 0 for x in stat("Latency", "Average"))


def test_a_classic_load_balancer_is_billed_its_hours_and_processed_bytes(cloud: Cloud) -> None:
    """A CLB costs $0.025 an hour and $0.008 per GB it processes (us-east-1, ELB pricing
    page, November 2026): not the ALB's hourly price and LCUs."""
    from cloudlab.sim.run_prices import prices
    from cloudlab.sim.workload_metrics import REQUEST_BYTES, RESPONSE_BYTES

    dns = make_clb(cloud)
    [iid] = launch(cloud)
    cloud.advance(minutes=5)
    p = prices()
    assert p.lb_per_s["classic"] == pytest.approx(0.025 / 3600)
    per_request = 0.008 * (REQUEST_BYTES + RESPONSE_BYTES) / 1e9
    assert p.lb_usd_per_request["classic"] == pytest.approx(per_request)
    router = Router(cloud, dns)
    route = router.route(cloud.t)
    assert route.usd_per_request == p.lb_usd_per_request["classic"]
    alone = Router(cloud, iid)._bill(cloud.t)[0]  # the same cloud's other costs
    assert route.cost_per_s == pytest.approx(alone)  # the CLB is in both
    before = router._bill(cloud.t)[0]
    cloud.client("elb").delete_load_balancer(LoadBalancerName="web")
    after = Router(cloud, iid)._bill(cloud.t)[0]
    assert before - after == pytest.approx(0.025 / 3600)
    rec = cloud.run(WebTraffic(Constant(100), to=iid, step_s=60), minutes=10,
                    progress=False).recorder
    # straight to the instance: no per-request charge, only the per-second costs
    assert rec["cost_usd"][-1] == pytest.approx(after * 600)
