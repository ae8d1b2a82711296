"""The bytes a load balancer processes, as CloudWatch metrics: an ALB publishes
``ProcessedBytes`` (the bytes its capacity units are billed on) next to ``RequestCount``; a
Network Load Balancer publishes in ``AWS/NetworkELB`` what a layer-4 balancer has (bytes and
healthy/unhealthy targets), not the HTTP metrics of an ALB."""

from __future__ import annotations

from typing import Any

import pytest
from webstack import build_stack, launch_web

from cloudlab import Cloud
from cloudlab.sim import BusinessHours, WebTraffic
from cloudlab.sim.run_prices import lb_rate, prices
from cloudlab.sim.workload_rows import PROCESSED_BYTES, REQUEST_BYTES, RESPONSE_BYTES


def _datapoints(cloud: Cloud, namespace: str, name: str, dims: dict[str, str], period: int,
                stat: str = "Sum") -> list[dict[str, Any]]:
    found = cloud.client("cloudwatch").get_metric_statistics(
        Namespace=namespace, MetricName=name, Period=period, Statistics=[stat],
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=cloud.clock.start, EndTime=cloud.clock.now)["Datapoints"]
    return sorted(found, key=lambda d: d["Timestamp"])


def _sums(cloud: Cloud, namespace: str, name: str, dims: dict[str, str],
          period: int) -> list[float]:
    return [d["Sum"] for d in _datapoints(cloud, namespace, name, dims, period)]


def _lb_dim(arn: str) -> dict[str, str]:
    return {"LoadBalancer": arn.split(":loadbalancer/", 1)[1]}


@pytest.mark.parametrize("step_s", [60.0, 1.0])  # one stretch a minute, and many
def test_an_alb_publishes_the_bytes_of_its_requests_every_minute(step_s: float) -> None:
    with Cloud(seed=3) as cloud:
        stack = build_stack(cloud, asg={"MinSize": 2, "MaxSize": 2, "DesiredCapacity": 2})
        cloud.advance(minutes=10)
        cloud.run(WebTraffic(BusinessHours(300, 900), to="web", step_s=step_s), hours=2)
        dims = _lb_dim(stack.lb_arn)
        requests = _sums(cloud, "AWS/ApplicationELB", "RequestCount", dims, 60)
        processed = _sums(cloud, "AWS/ApplicationELB", "ProcessedBytes", dims, 60)
        assert len(processed) == len(requests) == 120
        assert processed == [r * 22_000 for r in requests]
        hours = _datapoints(cloud, "AWS/ApplicationELB", "ProcessedBytes", dims, 3600)
        assert hours[0]["Unit"] == "Bytes"


def test_an_hour_of_processed_bytes_is_what_the_alb_billed_for_its_lcus() -> None:
    # the bytes dimension wins for web requests: the hour's gigabytes are its LCU-hours
    # (test_lb_prices checks that the price data's bytes per request are these)
    assert PROCESSED_BYTES == REQUEST_BYTES + RESPONSE_BYTES
    with Cloud(seed=4) as cloud:
        stack = build_stack(cloud, asg={"MinSize": 2, "MaxSize": 2, "DesiredCapacity": 2})
        cloud.advance(minutes=10)
        cloud.run(WebTraffic(BusinessHours(400, 1200), to="web", step_s=60), hours=1)
        dims = _lb_dim(stack.lb_arn)
        [gb] = [s / 1e9 for s in _sums(cloud, "AWS/ApplicationELB", "ProcessedBytes", dims, 3600)]
        [requests] = _sums(cloud, "AWS/ApplicationELB", "RequestCount", dims, 3600)
        billed = lb_rate(prices().lb_usd_per_request, "application") * requests
        assert gb * 0.008 == pytest.approx(billed, rel=1e-9)
        assert gb == pytest.approx(requests * 22_000 / 1e9, rel=1e-12)


def _nlb_stack(cloud: Cloud) -> tuple[str, str]:
    ec2, elb = cloud.client("ec2"), cloud.client("elbv2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])[:2]
    tg = elb.create_target_group(Name="tcp", Protocol="TCP", Port=80, VpcId=vpc)
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    lb = elb.create_load_balancer(Name="edge", Type="network",
                                  Subnets=[s["SubnetId"] for s in subnets])
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=lb_arn, Protocol="TCP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}])
    return lb_arn, tg_arn


def test_a_network_load_balancer_publishes_layer4_metrics_in_its_own_namespace() -> None:
    with Cloud(seed=5) as cloud:
        stack = build_stack(cloud)
        lb_arn, tg_arn = _nlb_stack(cloud)
        ids = launch_web(cloud, stack, 2)
        cloud.client("elbv2").register_targets(TargetGroupArn=tg_arn,
                                               Targets=[{"Id": i} for i in ids])
        cloud.advance(minutes=5)
        cloud.run(WebTraffic(BusinessHours(100, 300), to="edge", step_s=60), minutes=30)
        cw = cloud.client("cloudwatch")

        def names(namespace: str) -> set[tuple[str, tuple[Any, ...]]]:
            return {(m["MetricName"], tuple(sorted(d["Name"] for d in m["Dimensions"])))
                    for m in cw.list_metrics(Namespace=namespace)["Metrics"]}

        assert names("AWS/NetworkELB") == {
            ("ProcessedBytes", ("LoadBalancer",)),
            ("HealthyHostCount", ("LoadBalancer", "TargetGroup")),
            ("UnHealthyHostCount", ("LoadBalancer", "TargetGroup"))}
        assert names("AWS/ApplicationELB") == set()  # no HTTP metrics for a layer-4 balancer
        processed = _sums(cloud, "AWS/NetworkELB", "ProcessedBytes", _lb_dim(lb_arn), 60)
        assert len(processed) == 30 and all(p > 0 for p in processed)
        healthy = _datapoints(cloud, "AWS/NetworkELB", "HealthyHostCount",
                              {"TargetGroup": tg_arn.split(":", 5)[-1], **_lb_dim(lb_arn)}, 60,
                              "Maximum")
        assert {d["Maximum"] for d in healthy} == {2.0}
