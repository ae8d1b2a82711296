"""MinutePublisher: a minute of one stretch, published straight from its route (the kept
per-route plan), gives the datapoints that spreading it over the per-instance sums gives;
and a minute kept as a row of a MinuteRows block (its datapoints computed when the store
needs them, the kept MinutePlan, the kept layout) leaves the store exactly as publishing
the row at once does, through route changes, reads, monitoring and group changes, target
groups coming and going, idle minutes, and a real run with failures and scaling."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from webstack import build_stack

from cloudlab import Cloud
from cloudlab.sim import BusinessHours
from cloudlab.sim.cloudwatch import metrics
from cloudlab.sim.cloudwatch.metrics import MetricStore, metric_key
from cloudlab.sim.workload import WebTraffic
from cloudlab.sim.workload_metrics import MinutePublisher
from cloudlab.sim.workload_state import Route


class _Spreading(MinutePublisher):
    """The reference: every stretch spread over busy/alive/routed, as before."""

    def _publish_minute(self, t0: float, queue: Any) -> bool:
        return False

    def _instances(self) -> Any:
        if self._first is not None:
            self._spread(*self._first)
            self._first = None
        return super()._instances()


class _AtOnce(MinutePublisher):
    """The reference for the rows: every minute's row computed and put at once."""

    def _publish_minute(self, t0: float, queue: Any) -> bool:
        return False


def _record(n: int, asg: str | None = "web") -> Any:
    return SimpleNamespace(instance_id=f"i-{n}", asg=asg, detailed_monitoring=True)


@pytest.fixture(scope="module")
def cloud():
    with Cloud(seed=1) as c:
        yield c


TG = [f"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web{n}/{n}" for n in (1, 2)]


class _Group:
    def __init__(self, healthy: int, unhealthy: int) -> None:
        self.states = {"healthy": healthy, "unhealthy": unhealthy}
        self.version = 0  # changes with the counts

    def counts(self) -> dict[str, int]:
        return dict(self.states)


def _routes(lb: Any) -> list[Route]:
    r = {n: _record(n) for n in range(1, 5)}
    base = Route(targets=[(r[1], 0.6, True), (r[2], 0.4, True)], good_share=1.0,
                 capacity_rps=200.0, servers=4, target_rps=[100.0, 100.0],
                 running_ids=["i-1", "i-2"], running=2, lb=lb)
    same_shape = replace(base, cost_per_s=1.0)  # shares base's lists
    crashed = Route(targets=[(r[1], 0.5, True), (r[2], 0.5, False)], good_share=0.5,
                    capacity_rps=100.0, servers=2, target_rps=[100.0, 0.0],
                    running_ids=["i-1", "i-2"], running=2, lb=lb)
    fewer_running = replace(base, running_ids=["i-1"])  # base's targets, new running ids
    slower = replace(base, target_rps=[50.0, 100.0])  # base's targets, new capacities
    shifted = replace(base, targets=[(r[1], 0.7, True), (r[2], 0.3, True)])  # new shares
    less_good = replace(base, good_share=0.8)  # base's lists, another answering share
    two_ports = Route(targets=[(r[1], 0.25, True), (r[1], 0.25, True), (r[3], 0.5, True)],
                      good_share=1.0, capacity_rps=300.0, servers=6,
                      target_rps=[100.0, 100.0, 100.0], running_ids=["i-1", "i-3"], lb=lb)
    listed_twice = replace(two_ports, running_ids=["i-1", "i-3", "i-3"])
    unregistered = replace(base, running_ids=["i-1", "i-2", "i-4"])  # i-4 gets nothing
    # each route follows one that shares some of its lists (the kept plan must not be used)
    return [base, same_shape, fewer_running, base, slower, base, shifted, crashed, two_ports,
            base, less_good, listed_twice, unregistered]


def _state(store: MetricStore) -> list[Any]:
    store.pending  # noqa: B018 - the buffered rows are added first
    return [(key, s.unit, s.version, s.latest, list(s._log),
             [c.tolist() for c in s.columns()], [c.tolist() for c in s.take_pending()])
            for key, s in store._series.items()]


def _published(cloud: Cloud, cls: type[MinutePublisher], with_lb: bool = False,
               full: bool = False) -> list[Any]:
    records = {f"i-{n}": _record(n) for n in range(1, 5)}
    book = SimpleNamespace(records=records, generation=0, config_generation=0)
    groups: dict[str, Any] = {TG[0]: _Group(2, 0), TG[1]: _Group(1, 1)}
    lb = (SimpleNamespace(kind="application", arn="arn:lb", metric_id="app/web/1",
                          target_groups=TG) if with_lb else None)
    router: Any = SimpleNamespace(book=book, lbs=SimpleNamespace(groups=groups))
    publisher = cls(cloud, router, 1000.0)
    publisher.store = store = MetricStore()
    routes = _routes(lb)
    cpu2 = metric_key("AWS/EC2", "CPUUtilization", {"InstanceId": "i-2"})
    net1 = metric_key("AWS/EC2", "NetworkOut", {"InstanceId": "i-1"})
    rt = metric_key("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": "app/web/1"})
    for minute in range(60):
        route = routes[minute % len(routes)]
        demand = 100.0 + 37.0 * (minute % 5)
        served = 0.0 if minute in (1, 22, 31) else 0.9  # idle: no response time
        if minute % 13 in (7, 11):  # two stretches in the minute
            other = routes[(minute + 1) % len(routes)]
            publisher.add(route, 20.0, demand * 20 * served, demand * 20, demand * 2)
            publisher.add(other, 40.0, demand * 40 * 0.8, demand * 40, demand * 8)
        else:
            publisher.add(route, 60.0, demand * 60 * served, demand * 60, demand * 6)
        publisher.close((minute + 1) * 60.0)
        # changes between two minutes of routes with the same lists (13k, 13k + 1)
        if minute == 13:  # the instance book changes (a new generation): i-2 leaves the group
            records["i-2"] = SimpleNamespace(**{**vars(records["i-2"]), "asg": None})
            book.generation += 1
        if minute == 26:  # a target group goes
            groups.pop(TG[1])
        if minute in (39, 52):  # i-1 to basic monitoring and back (a learner's calls)
            records["i-1"] = SimpleNamespace(**{**vars(records["i-1"]),
                                                "detailed_monitoring": minute == 52})
            book.config_generation += 1
        if minute == 52:  # the target group comes back, with other counts
            groups[TG[1]] = _Group(0, 2)
        if minute == 45:
            groups[TG[0]].states["healthy"] = 3
            groups[TG[0]].version += 1
        if minute == 15:
            store.version(cpu2)  # read: written at once from now on
        if minute == 19:
            store.aggregate(net1, "Sum", 60, 0, 1800)
            store.version(rt)
    if full:
        return _state(store)
    return [(key, store.unit(key), store.aggregate(key, "Sum", 60, 0, 3600)[1].tolist(),
             store.aggregate(key, "SampleCount", 60, 0, 3600)[1].tolist())
            for key in store]


@pytest.mark.parametrize("with_lb", [False, True])
def test_one_stretch_minutes_publish_what_spreading_publishes(cloud, with_lb):
    got = _published(cloud, MinutePublisher, with_lb)
    assert got == _published(cloud, _Spreading, with_lb)
    assert len([key for key, *_ in got if key[0] == "AWS/EC2"]) == 4 * 3 + 1


@pytest.mark.parametrize("with_lb", [False, True])
def test_minutes_kept_as_rows_leave_what_putting_them_at_once_leaves(cloud, with_lb):
    got = _published(cloud, MinutePublisher, with_lb, full=True)
    assert got == _published(cloud, _AtOnce, with_lb, full=True)


def _run(monkeypatch: pytest.MonkeyPatch, at_once: bool) -> tuple[list[Any], Any]:
    from cloudlab.sim.failures import crash_web_server, fail_az, fail_instance, noisy_neighbour

    with monkeypatch.context() as patch:
        if at_once:
            patch.setattr(MinutePublisher, "_publish_minute", _AtOnce._publish_minute)
        cloud = Cloud(seed=3)
        try:
            build_stack(cloud, asg={"MinSize": 3, "MaxSize": 8, "DesiredCapacity": 3})
            cloud.advance(minutes=10)
            cloud.client("autoscaling").put_scaling_policy(
                AutoScalingGroupName="web", PolicyName="cpu50",
                PolicyType="TargetTrackingScaling", TargetTrackingConfiguration={
                    "TargetValue": 50.0, "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ASGAverageCPUUtilization"}})
            ids = sorted(i["InstanceId"] for i in cloud.client(
                "autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"][0][
                "Instances"])
            t = cloud.t
            crash_web_server(cloud, ids[0], at=t + 610)
            noisy_neighbour(cloud, ids[1], speed=0.5, at=t + 1510)
            fail_instance(cloud, ids[2], at=t + 2410)
            fail_az(cloud, cloud.azs()[0], at=t + 4010)
            cw = cloud.client("cloudwatch")
            cloud.clock.schedule_at(t + 3010, lambda _c: cloud.client(
                "autoscaling").set_desired_capacity(AutoScalingGroupName="web",
                                                     DesiredCapacity=6))
            # a learner reads an instance's metrics mid-run (the store folds, publishes)
            cloud.clock.schedule_at(t + 1810, lambda _c: cw.get_metric_statistics(
                Namespace="AWS/EC2", MetricName="NetworkIn", Period=60,
                Dimensions=[{"Name": "InstanceId", "Value": ids[1]}], Statistics=["Sum"],
                StartTime=cloud.clock.start, EndTime=cloud.clock.now))
            result = cloud.run(WebTraffic(BusinessHours(base_rps=800, peak_rps=2500),
                                          to="web", step_s=60), hours=2, progress=False)
            store = metrics(cloud)
            published = store.published
            return [_state(store), published], result.recorder
        finally:
            cloud.stop()


def test_a_run_publishes_the_same_with_rows_kept(monkeypatch):
    kept, rec = _run(monkeypatch, at_once=False)
    at_once, rec_at_once = _run(monkeypatch, at_once=True)
    assert kept == at_once
    assert kept[1] > 0  # the learner's read published some
    for name in rec.names:
        np.testing.assert_array_equal(rec[name], rec_at_once[name])


def test_a_minute_at_exactly_full_load_has_the_timeout_as_its_mean() -> None:
    """Rounding can put a queue at full load after ``rps >= servers * service_rps`` said it
    was not: its M/M/c mean is then infinite, which the store refuses (the run stopped with
    InvalidScenario). Such a minute's mean is the timeout, like any overloaded one, and
    every other minute keeps its mean."""
    import math
    import random

    from cloudlab.sim.latency import mean_response_s
    from cloudlab.sim.workload_rows import minute_mean_s

    rng = random.Random(1)
    edge = 0
    for _ in range(20_000):
        servers = rng.randint(1, 40)
        service_ms = rng.choice([10.0, 12.5, 20.0 / 3, 7.3, 100 / 3])
        rps = servers * (1000.0 / service_ms) * (1 - rng.choice([0, 1e-16, 3e-16, 1e-3]))
        got = minute_mean_s((rps, float(servers), service_ms, 0.3), 3000.0)
        assert math.isfinite(got)
        service_rps = 1000.0 / service_ms
        if rps >= servers * service_rps or not rps / service_rps / servers < 1.0:
            edge += rps < servers * service_rps  # where the M/M/c mean alone is inf
            assert got == 3.0 + 0.3 / 1000.0
        else:
            assert got == mean_response_s(rps, service_rps, servers) + 0.3 / 1000.0
    assert edge > 0  # the rounding case was met
    assert minute_mean_s((410.958904109589, 3.0, 7.3, 0.3), 3000.0) == 3.0 + 0.3 / 1000.0


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_a_minute_with_values_that_are_not_finite_is_refused_as_before(cloud, bad):
    from cloudlab.errors import InvalidScenario

    messages = []
    for cls in (MinutePublisher, _AtOnce):
        records = {f"i-{n}": _record(n) for n in range(1, 5)}
        book = SimpleNamespace(records=records, generation=0, config_generation=0)
        router: Any = SimpleNamespace(book=book, lbs=SimpleNamespace(groups={}))
        publisher = cls(cloud, router, 1000.0)
        publisher.store = MetricStore()
        publisher.add(_routes(None)[0], 60.0, 100.0, bad, 0.0)
        with pytest.raises(InvalidScenario) as err:
            publisher.close(60.0)
        messages.append((str(err.value), _state(publisher.store)))
    assert messages[0] == messages[1]
