"""The router's route shape and bill against a plain reference computation.

:meth:`Router._route_shape` and :meth:`Router._bill` run after every change of a route (some
2,000 times in a virtual week), so they keep per-type prices and catalog entries and add in
local variables. This reference computes the same values the plain way (a catalog lookup per
instance, every sum on the route's fields in target order) through a run with two instance
types behind one load balancer, plain instances beside an Auto Scaling group, cross-zone
load balancing off for a while, an Elastic IP, a failed host and a failed AZ. The floats
must be equal to the bit: the router sums in the same order.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from webstack import build_stack, launch_web

from cloudlab import Cloud
from cloudlab.sim import BusinessHours
from cloudlab.sim.catalog import instance_type
from cloudlab.sim.failures import fail_az, fail_instance
from cloudlab.sim.run_prices import prices
from cloudlab.sim.workload import WebTraffic
from cloudlab.sim.workload_state import Route, Router


def reference_measure(router: Router, route: Route, t: float) -> dict[str, Any]:
    lb_azs = router.lb.azs if router.lb is not None else frozenset()
    good = capacity = cross = 0.0
    servers = 0
    rps_list = []
    for record, share, ok in route.targets:
        rps = 0.0
        if ok:
            it = instance_type(record.instance_type)
            rps = it.rps * record.speed
            good += share
            capacity += rps
            servers += it.vcpu
            if lb_azs and record.instance_id not in route.zonal:
                cross += share * (1.0 - (1.0 / len(lb_azs) if record.az in lb_azs else 0.0))
        rps_list.append(rps)
    if abs(good - 1.0) < 1e-9:
        good = 1.0
    running = [r.instance_id for r in route.members if r.state_at(t) == "running"]
    per_az: dict[str, int] = {}
    for r in route.members:
        if r.state_at(t) == "running":
            per_az[r.az] = per_az.get(r.az, 0) + 1
    healthy = 0
    for arn in router.lb.target_groups:
        group = router.lbs.groups.get(arn)
        if group is not None:
            healthy += sum(1 for x in group.targets.values() if x.state == "healthy")
    return {"good_share": good, "capacity_rps": capacity, "servers": servers,
            "cross_az": cross, "target_rps": rps_list, "running_ids": running,
            "running": len(running), "per_az": per_az, "healthy": healthy}


def reference_bill(router: Router, t: float) -> tuple[float, float]:
    p = prices()
    eips = router._addresses()[0]
    with_eip = {iid for iid in eips.values() if iid}
    ips = len(eips)
    total, until = 0.0, math.inf
    for record in router.book.records.values():
        if record.ended == "terminated" and record.ended_t is not None and t >= record.ended_t:
            continue
        state = record.state_at(t)
        if state == "running":
            total += instance_type(record.instance_type).price_per_hour / 3600.0
            ips += int(record.public_ip and record.instance_id not in with_eip)
        if state in ("pending", "running", "stopped"):
            total += p.root_volume_per_s
        if record.ended_t is not None and record.ended_t > t:
            until = min(until, record.ended_t)
        if record.running_t > t:
            until = min(until, record.running_t)
    kinds: dict[str, int] = {}
    for lb in router.lbs.balancers.values():
        kinds[lb.kind] = kinds.get(lb.kind, 0) + 1
    for kind in sorted(kinds):
        total += p.lb_per_s.get(kind, p.lb_per_s["application"]) * kinds[kind]
    return total + p.ipv4_per_s * ips, until


def test_route_shape_and_bill_equal_the_plain_computation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    kept_route = Router.route
    checked: list[float] = []

    def route(self: Router, t: float) -> Route:
        got = kept_route(self, t)
        shape = self._route_shape(t)
        expected = reference_measure(self, shape, t)
        for name, value in expected.items():
            assert getattr(shape, name) == value, f"{name} differs at t={t}"
        assert self._bill(t) == reference_bill(self, t), f"bill differs at t={t}"
        checked.append(t)
        return got

    monkeypatch.setattr(Router, "route", route)
    cloud = Cloud(seed=5)
    try:
        stack = build_stack(cloud, asg={"MinSize": 2, "MaxSize": 6, "DesiredCapacity": 2})
        cloud.client("autoscaling").put_scaling_policy(
            AutoScalingGroupName="web", PolicyName="cpu50", PolicyType="TargetTrackingScaling",
            TargetTrackingConfiguration={"TargetValue": 50.0, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ASGAverageCPUUtilization"}})
        ec2 = cloud.client("ec2")
        # a smaller type beside the group's m5.large: per-type prices and capacities differ
        small = ec2.run_instances(ImageId="ami-12c6146b", InstanceType="c5.xlarge",
                                  MinCount=1, MaxCount=1, SubnetId=stack.subnets[1])
        small_id = small["Instances"][0]["InstanceId"]
        launch_web(cloud, stack, 1, az_index=2)
        cloud.client("elbv2").register_targets(TargetGroupArn=stack.tg_arn,
                                               Targets=[{"Id": small_id}])
        eip = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=small_id)
        cloud.advance(minutes=5)
        t = cloud.t
        elb = cloud.client("elbv2")
        cloud.clock.schedule_at(t + 1800, lambda _c: elb.modify_target_group_attributes(
            TargetGroupArn=stack.tg_arn, Attributes=[
                {"Key": "load_balancing.cross_zone.enabled", "Value": "false"}]))
        fail_instance(cloud, small_id, at=t + 3000)
        fail_az(cloud, stack.azs[0], at=t + 5000)
        cloud.run(WebTraffic(BusinessHours(base_rps=300, peak_rps=1500), to="web",
                             step_s=60), hours=3, progress=False)
    finally:
        cloud.stop()
    assert len(checked) == 180
