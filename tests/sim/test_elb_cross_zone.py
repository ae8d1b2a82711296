"""Cross-zone load balancing turned off on a target group (load_balancing.cross_zone.enabled).

"When cross-zone load balancing is off, each load balancer node distributes traffic only
across the registered targets in its Availability Zone"; for ALBs the load balancer level is
always on and a target group can turn it off
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/disable-cross-zone.html).
A zone below one healthy target leaves DNS (DNS failover, default threshold 1)
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health.html).
"""

from __future__ import annotations

import pytest
from webstack import build_stack, launch_web

from cloudlab import Cloud
from cloudlab.sim import Constant
from cloudlab.sim.failures import crash_web_server
from cloudlab.sim.workload import WebTraffic
from cloudlab.sim.workload_state import Router


@pytest.fixture
def cloud() -> Cloud:
    c = Cloud(seed=4)
    yield c
    c.stop()


def _cross_zone(cloud: Cloud, tg_arn: str, value: str) -> None:
    cloud.client("elbv2").modify_target_group_attributes(TargetGroupArn=tg_arn, Attributes=[
        {"Key": "load_balancing.cross_zone.enabled", "Value": value}])


def _shares(cloud: Cloud) -> dict[str, float]:
    route = Router(cloud, "web").route(cloud.t)
    return {record.instance_id: share for record, share, ok in route.targets if ok}


def test_cross_zone_on_gives_every_target_the_same_share(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    ids = launch_web(cloud, stack, count=2, az_index=0) + launch_web(cloud, stack, az_index=1)
    cloud.advance(minutes=5)
    assert _shares(cloud) == pytest.approx(dict.fromkeys(ids, 1 / 3))


def test_cross_zone_off_each_node_splits_only_among_its_own_az(cloud: Cloud) -> None:
    stack = build_stack(cloud)        # the ALB has nodes in three AZs
    a = launch_web(cloud, stack, count=2, az_index=0)
    [b] = launch_web(cloud, stack, az_index=1)
    _cross_zone(cloud, stack.tg_arn, "false")
    cloud.advance(minutes=5)
    # the third AZ has no target: its node leaves DNS; the other two nodes get half each
    assert _shares(cloud) == pytest.approx({a[0]: 0.25, a[1]: 0.25, b: 0.5})
    route = Router(cloud, "web").route(cloud.t)
    assert route.good_share == pytest.approx(1.0)
    assert route.cross_az == 0.0      # no request crosses an AZ
    _cross_zone(cloud, stack.tg_arn, "use_load_balancer_configuration")
    assert _shares(cloud) == pytest.approx({a[0]: 1 / 3, a[1]: 1 / 3, b: 1 / 3})


def test_cross_zone_off_a_zone_that_loses_its_targets_leaves_dns(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    ids = [launch_web(cloud, stack, az_index=i)[0] for i in range(3)]
    _cross_zone(cloud, stack.tg_arn, "false")
    cloud.advance(minutes=5)
    assert _shares(cloud) == pytest.approx(dict.fromkeys(ids, 1 / 3))
    crash_web_server(cloud, ids[2])
    cloud.advance(minutes=2)           # two failed checks: unhealthy, its zone leaves DNS
    assert _shares(cloud) == pytest.approx({ids[0]: 0.5, ids[1]: 0.5})
    rec = cloud.run(WebTraffic(Constant(60), to="web"), minutes=2, progress=False).recorder
    assert rec["errors_rps"].sum() == 0


def test_cross_zone_off_an_imbalanced_fleet_overloads_the_lone_target(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    a = launch_web(cloud, stack, count=3, az_index=0)
    [b] = launch_web(cloud, stack, az_index=1)
    cloud.advance(minutes=5)
    on = _shares(cloud)
    _cross_zone(cloud, stack.tg_arn, "false")
    off = _shares(cloud)
    assert on[b] == pytest.approx(0.25) and off[b] == pytest.approx(0.5)
    assert off[a[0]] == pytest.approx(0.5 / 3)
