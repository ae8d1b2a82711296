"""Traffic through the architecture: routing, errors, latency, cost, metrics, determinism."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from webstack import build_stack, launch_web

from cloudlab import Cloud, InvalidScenario
from cloudlab.sim import BusinessHours, Constant
from cloudlab.sim.elbv2.balancers import load_balancing
from cloudlab.sim.failures import crash_web_server, fail_instance
from cloudlab.sim.workload import WebTraffic


def _scaling_day(seed: int, peak: float = 1500.0, hours: float = 24):  # type: ignore[no-untyped-def]
    cloud = Cloud(seed=seed)
    try:
        build_stack(cloud, asg={"MinSize": 2, "MaxSize": 8, "DesiredCapacity": 2})
        cloud.advance(minutes=5)
        cloud.client("autoscaling").put_scaling_policy(
            AutoScalingGroupName="web", PolicyName="cpu50", PolicyType="TargetTrackingScaling",
            TargetTrackingConfiguration={"TargetValue": 50.0, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ASGAverageCPUUtilization"}})
        traffic = BusinessHours(base_rps=100, peak_rps=peak)
        return cloud.run(WebTraffic(traffic, to="web", step_s=5), hours=hours, progress=False)
    finally:
        cloud.stop()


def test_an_auto_scaling_group_follows_the_day() -> None:
    result = _scaling_day(seed=1)
    rec = result.recorder
    night, noon = int(3 * 3600 / 5), int(13 * 3600 / 5)
    assert rec["instances"][night] == 2
    assert rec["instances"][noon] > 4
    assert rec["errors_rps"].sum() / rec["demand_rps"].sum() < 0.02
    assert {m.kind for m in rec.events} >= {"alarm", "scale_out", "scale_in"}
    assert np.nanmedian(rec["p95_ms"]) < 100


def test_same_seed_same_numbers() -> None:
    a = _scaling_day(seed=7, peak=900, hours=11)   # night, then the morning scale-out
    b = _scaling_day(seed=7, peak=900, hours=11)
    assert {m.kind for m in a.recorder.events} >= {"scale_out"}
    for name in ("served_rps", "errors_rps", "p95_ms", "instances", "cost_usd"):
        np.testing.assert_array_equal(a.recorder[name], b.recorder[name])
    assert [m.label for m in a.recorder.events] == [m.label for m in b.recorder.events]


@settings(max_examples=3, deadline=None)
@given(peak=st.floats(min_value=200, max_value=3000), seed=st.integers(0, 50))
def test_invariants_hold_for_any_day(peak: float, seed: int) -> None:
    cloud = Cloud(seed=seed)
    try:
        build_stack(cloud, asg={"MinSize": 2, "MaxSize": 6, "DesiredCapacity": 2,
                                "HealthCheckGracePeriod": 300})
        cloud.client("autoscaling").put_scaling_policy(
            AutoScalingGroupName="web", PolicyName="cpu", PolicyType="TargetTrackingScaling",
            TargetTrackingConfiguration={"TargetValue": 60.0, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ASGAverageCPUUtilization"}})
        rec = cloud.run(WebTraffic(Constant(peak), to="web", step_s=10), hours=1,
                        progress=False).recorder
    finally:
        cloud.stop()
    assert np.all(np.diff(rec["cost_usd"]) >= 0)                      # cost never decreases
    assert rec["desired"].min() >= 2 and rec["desired"].max() <= 6    # within [min, max]
    assert np.all(rec["served_rps"] <= rec["demand_rps"] + 1e-9)
    assert np.all(rec["served_rps"] <= rec["capacity_rps"] + 1e-9)


def test_no_request_goes_to_an_unhealthy_target() -> None:
    cloud = Cloud(seed=2)
    try:
        stack = build_stack(cloud)
        ids = launch_web(cloud, stack, count=3)
        cloud.advance(minutes=5)
        crash_web_server(cloud, ids[0])
        cloud.advance(minutes=2)
        lbs = load_balancing(cloud)
        rotation = {t.target_id for t in lbs.rotation(lbs.balancer("web"))}
        assert rotation == set(ids[1:])
        rec = cloud.run(WebTraffic(Constant(200), to="web"), minutes=10,
                        progress=False).recorder
        assert rec["errors_rps"].sum() == 0
    finally:
        cloud.stop()


def test_between_a_crash_and_leaving_rotation_requests_fail() -> None:
    cloud = Cloud(seed=2)
    try:
        stack = build_stack(cloud)
        ids = launch_web(cloud, stack, count=2)
        cloud.advance(minutes=5)
        crash_web_server(cloud, ids[0], at=cloud.t + 1)
        rec = cloud.run(WebTraffic(Constant(100), to="web"), minutes=5,
                        progress=False).recorder
        failing = np.nonzero(rec["errors_rps"] > 0)[0]
        # half the requests fail (one of two targets) until two checks 30 s apart fail
        assert 30 <= len(failing) <= 60
        assert rec["error_pct"][failing].max() == pytest.approx(50.0)
    finally:
        cloud.stop()


def test_elastic_ip_failover_to_a_standby_has_measurable_downtime() -> None:
    cloud = Cloud(seed=4)
    try:
        ec2 = cloud.client("ec2")
        stack = build_stack(cloud)
        primary, standby = launch_web(cloud, stack, count=1)[0], launch_web(cloud, stack)[0]
        eip = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=primary)
        cloud.advance(minutes=5)
        fail_instance(cloud, primary, at=cloud.t + 60)
        cloud.clock.schedule_at(cloud.t + 240, lambda clock: ec2.associate_address(
            AllocationId=eip["AllocationId"], InstanceId=standby, AllowReassociation=True))
        rec = cloud.run(WebTraffic(Constant(50), to=eip["PublicIp"]), minutes=10,
                        progress=False).recorder
        down_s = float((rec["errors_rps"] > 0).sum())
        assert down_s == pytest.approx(180, abs=1)
    finally:
        cloud.stop()


def test_the_run_publishes_metrics_learners_read_with_boto3() -> None:
    cloud = Cloud(seed=6)
    try:
        stack = build_stack(cloud)
        launch_web(cloud, stack, count=2)
        cloud.advance(minutes=5)
        start = cloud.now
        cloud.run(WebTraffic(Constant(120), to="web"), minutes=10, progress=False)
        cw = cloud.client("cloudwatch")
        lb_dim = stack.lb_arn.split(":loadbalancer/")[1]
        out = cw.get_metric_statistics(
            Namespace="AWS/ApplicationELB", MetricName="RequestCount",
            Dimensions=[{"Name": "LoadBalancer", "Value": lb_dim}], StartTime=start,
            EndTime=start + timedelta(minutes=10), Period=60, Statistics=["Sum"])
        sums = sorted(p["Sum"] for p in out["Datapoints"])
        assert len(sums) == 10 and sums[0] == pytest.approx(120 * 60)
    finally:
        cloud.stop()


def test_bad_destinations_and_options_are_explained() -> None:
    cloud = Cloud(seed=1)
    try:
        with pytest.raises(Exception, match="no load balancer 'nope'"):
            cloud.run(WebTraffic(Constant(1), to="nope"), minutes=1)
        build_stack(cloud)
        with pytest.raises(InvalidScenario, match="did you mean 'hours'"):
            cloud.run(WebTraffic(Constant(1), to="web"), hour=1)
    finally:
        cloud.stop()


@pytest.mark.parametrize("scaling", [False, True])
def test_a_kept_route_is_the_route_computed_afresh(monkeypatch: pytest.MonkeyPatch,
                                                   scaling: bool) -> None:
    """The router keeps a route's shape, the cost per second and the instances it bills
    until something they depend on changes; at every step they must equal computing them
    from scratch, through a crashed web server, a noisy neighbour, a failed host and a
    failed AZ mid-run (with and without scaling)."""
    from dataclasses import replace

    from cloudlab.sim.autoscaling.groups import auto_scaling
    from cloudlab.sim.failures import fail_az, noisy_neighbour
    from cloudlab.sim.workload_state import Router

    kept_route = Router.route
    checked: list[float] = []

    def route(self: Router, t: float):  # type: ignore[no-untyped-def]
        got = kept_route(self, t)
        scaler = auto_scaling(self.cloud)
        tgs = set(self.lb.target_groups)
        desired = sum(g.desired for g in scaler.groups.values() if tgs & set(g.target_groups))
        fresh = replace(self._route_shape(t), desired=desired, cost_per_s=self._bill(t)[0])
        assert got == fresh, f"kept route differs from a fresh one at t={t}"
        billable = [r for r in self.book.records.values() if not (
            r.ended == "terminated" and r.ended_t is not None and t >= r.ended_t)]
        assert self._billable(t) == billable, f"billed instances differ at t={t}"
        checked.append(t)
        return got

    monkeypatch.setattr(Router, "route", route)
    cloud = Cloud(seed=3)
    try:
        build_stack(cloud, asg={"MinSize": 3, "MaxSize": 8, "DesiredCapacity": 3})
        cloud.advance(minutes=10)
        traffic = Constant(300)
        if scaling:
            traffic = BusinessHours(base_rps=800, peak_rps=2500)
            cloud.client("autoscaling").put_scaling_policy(
                AutoScalingGroupName="web", PolicyName="cpu50",
                PolicyType="TargetTrackingScaling", TargetTrackingConfiguration={
                    "TargetValue": 50.0, "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ASGAverageCPUUtilization"}})
        group = cloud.client("autoscaling").describe_auto_scaling_groups()[
            "AutoScalingGroups"][0]
        ids = sorted(i["InstanceId"] for i in group["Instances"])
        t = cloud.t
        crash_web_server(cloud, ids[0], at=t + 610)
        noisy_neighbour(cloud, ids[1], speed=0.5, at=t + 1510)
        fail_instance(cloud, ids[2], at=t + 2410)
        fail_az(cloud, cloud.azs()[0], at=t + 4010)
        # a learner's call mid-run: the controller re-reads its groups (new views)
        cloud.clock.schedule_at(t + 3010, lambda _c: cloud.client(
            "autoscaling").set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=6))
        cloud.run(WebTraffic(traffic, to="web", step_s=60), hours=2, progress=False)
    finally:
        cloud.stop()
    assert len(checked) == 120


def test_a_live_view_sees_every_step_filled_so_far() -> None:
    """Steps of one sample wait in rows until a batch is written; a live view must find
    every step before ``upto`` already in the arrays, equal to the run's final values."""
    seen: list[tuple[int, dict[str, np.ndarray]]] = []

    class Snapshot:
        def update(self, recorder, upto):  # type: ignore[no-untyped-def]
            seen.append((upto, {name: np.array(recorder[name][:upto])
                                for name in recorder.names}))

    cloud = Cloud(seed=2)
    try:
        build_stack(cloud, asg={"MinSize": 2, "MaxSize": 6, "DesiredCapacity": 2})
        cloud.advance(minutes=10)
        result = cloud.run(WebTraffic(BusinessHours(base_rps=200, peak_rps=900), to="web",
                                      step_s=60), hours=3, live=Snapshot(), progress=False)
    finally:
        cloud.stop()
    rec = result.recorder
    assert len(seen) >= 3 and seen[-1][0] == 180
    for upto, arrays in seen:
        for name in ("served_rps", "capacity_rps", "errors_rps", "utilization", "error_pct",
                     "instances", "healthy_hosts", "desired", "cost_usd"):
            np.testing.assert_array_equal(arrays[name], rec[name][:upto], err_msg=name)
        assert arrays["cost_usd"][-1] > 0 and arrays["instances"][-1] >= 2
        for name in arrays:
            if name.startswith("instances:"):
                np.testing.assert_array_equal(arrays[name], rec[name][:upto], err_msg=name)


def test_a_run_keeps_the_collector_off_older_objects_and_restores_it() -> None:
    """During a run the objects made before it are frozen (a full collection would walk
    moto's ~300,000 objects for nothing) and young collections are rarer; afterwards nothing
    stays frozen, the thresholds are the learner's again, and a freeze made by someone else
    is left as it was."""
    import gc

    from cloudlab.sim._collector import BUSY_GC_ALLOCATIONS

    during: list[int] = []
    thresholds: list[tuple[int, ...]] = []

    class Probe:
        def update(self, recorder, upto):  # type: ignore[no-untyped-def]
            during.append(gc.get_freeze_count())
            thresholds.append(gc.get_threshold())

    with Cloud(seed=4) as cloud:
        build_stack(cloud, asg={"MinSize": 2, "MaxSize": 4, "DesiredCapacity": 2})
        cloud.advance(minutes=10)
        assert gc.get_freeze_count() == 0
        previous = gc.get_threshold()
        before = len(gc.get_objects())
        cloud.run(WebTraffic(Constant(200), to="web", step_s=60), hours=1, live=Probe(),
                  progress=False)
        assert during and min(during) >= before // 2
        assert gc.get_freeze_count() == 0
        assert set(thresholds) == {(BUSY_GC_ALLOCATIONS, *previous[1:])}
        assert gc.get_threshold() == previous
        gc.freeze()  # someone else's freeze: the run must not undo it
        try:
            frozen = gc.get_freeze_count()
            during.clear()
            cloud.run(WebTraffic(Constant(200), to="web", step_s=60), hours=1, live=Probe(),
                      progress=False)
            # objects freed during the run leave the permanent generation, so the count
            # may drop a little; an unfreeze would empty it
            assert gc.get_freeze_count() > frozen - 1000
            assert during and min(during) > frozen - 1000
        finally:
            gc.unfreeze()


def test_a_route_holds_until_an_instance_of_it_runs_serves_or_ends() -> None:
    """The kept route's end: the earliest running, serving or end time after ``t`` of any
    of its targets and members; times at or before ``t``, and missing ones, do not count."""
    from types import SimpleNamespace

    from cloudlab.sim.workload_state import Route, _next_change

    def record(launch_t, running_after, serving_after, ended_t):  # type: ignore[no-untyped-def]
        plan = SimpleNamespace(running_after_s=running_after, serving_after_s=serving_after)
        return SimpleNamespace(launch_t=launch_t, plan=plan, ended_t=ended_t)

    booting = record(100.0, 30.0, 90.0, None)  # runs at 130, serves at 190
    ending = record(0.0, 30.0, None, 500.0)
    route = Route(targets=[(booting, 0.5, True)], members=[ending])
    assert _next_change(route, 100.0) == 130.0
    assert _next_change(route, 130.0) == 190.0  # a time equal to t has passed
    assert _next_change(route, 190.0) == 500.0  # the member's end
    assert _next_change(route, 500.0) == math.inf
    assert _next_change(Route(), 0.0) == math.inf
