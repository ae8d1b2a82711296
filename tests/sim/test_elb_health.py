"""Target health on the virtual clock, checked against the documented ALB behaviour.

https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
"""

from __future__ import annotations

import pytest
from webstack import BROKEN_USER_DATA, build_stack, launch_web

from cloudlab import Cloud
from cloudlab.sim.failures import crash_web_server, fail_az


@pytest.fixture
def cloud() -> Cloud:
    c = Cloud(seed=3)
    yield c
    c.stop()


def test_new_target_is_initial_then_healthy_after_one_passing_check(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    [iid] = launch_web(cloud, stack)   # registered once running (t=20); httpd answers at t=70
    assert stack.health() == {iid: "initial"}
    cloud.advance(seconds=30)          # the check at t=50 fails: one failure, still initial
    assert stack.health() == {iid: "initial"}
    cloud.advance(seconds=30)          # the check at t=80 passes: one is enough for a new target
    assert stack.health() == {iid: "healthy"}


def test_a_new_target_that_fails_twice_needs_the_healthy_threshold(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    cloud.client("elbv2").modify_target_group(TargetGroupArn=stack.tg_arn,
                                              HealthCheckIntervalSeconds=10)
    [iid] = launch_web(cloud, stack)   # registered at t=20; httpd answers at t=70
    cloud.advance(seconds=20)          # checks at 30 and 40 fail (still installing httpd)
    assert stack.health() == {iid: "unhealthy"}
    cloud.advance(seconds=60)          # passes at 70, 80, 90 and 100: four of five
    assert stack.health() == {iid: "unhealthy"}
    cloud.advance(seconds=10)          # the fifth passing check in a row brings it in
    assert stack.health() == {iid: "healthy"}


def test_a_target_that_serves_at_its_first_check_is_healthy_at_once(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    elb = cloud.client("elbv2")
    elb.modify_target_group(TargetGroupArn=stack.tg_arn, HealthCheckIntervalSeconds=120)
    [iid] = launch_web(cloud, stack)
    cloud.advance(seconds=119)
    assert stack.health()[iid] == "initial"
    cloud.advance(seconds=1)
    assert stack.health()[iid] == "healthy"


def test_a_dead_target_leaves_rotation_after_two_failed_checks_of_30_s(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    [iid] = launch_web(cloud, stack)
    cloud.advance(seconds=300)
    assert stack.health()[iid] == "healthy"
    crash_web_server(cloud, iid)       # right after the check at t=300
    cloud.advance(seconds=59)
    assert stack.health()[iid] == "healthy"     # one failed check: still in rotation
    cloud.advance(seconds=1)
    assert stack.health()[iid] == "unhealthy"   # 2 x 30 s after it died
    described = cloud.client("elbv2").describe_target_health(TargetGroupArn=stack.tg_arn)
    reason = described["TargetHealthDescriptions"][0]["TargetHealth"]["Reason"]
    assert reason == "Target.FailedHealthChecks"


def test_an_instance_that_never_starts_a_web_server_never_becomes_healthy(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    [iid] = launch_web(cloud, stack, user_data=BROKEN_USER_DATA)
    cloud.advance(minutes=30)
    assert stack.health() == {iid: "unhealthy"}


def test_deregistered_target_drains_for_the_deregistration_delay(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    [iid] = launch_web(cloud, stack)
    cloud.advance(seconds=300)
    elb = cloud.client("elbv2")
    elb.modify_target_group_attributes(TargetGroupArn=stack.tg_arn, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "120"}])
    elb.deregister_targets(TargetGroupArn=stack.tg_arn, Targets=[{"Id": iid}])
    assert stack.health() == {iid: "draining"}
    cloud.advance(seconds=100)
    assert stack.health() == {iid: "draining"}
    cloud.advance(seconds=60)
    assert stack.health() == {}


def test_targets_in_a_failed_az_fail_their_checks(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    a = launch_web(cloud, stack, az_index=0)[0]
    b = launch_web(cloud, stack, az_index=1)[0]
    cloud.advance(seconds=300)
    fail_az(cloud, stack.azs[0])
    cloud.advance(seconds=60)
    assert stack.health() == {a: "unhealthy", b: "healthy"}


def test_the_dns_name_stays_while_targets_change(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    elb = cloud.client("elbv2")
    launch_web(cloud, stack, count=2)
    cloud.advance(minutes=10)
    launch_web(cloud, stack, count=2)
    now = elb.describe_load_balancers(LoadBalancerArns=[stack.lb_arn])["LoadBalancers"][0]
    assert now["DNSName"] == stack.lb_dns
