"""What the publisher and the router keep between minutes gives what computing afresh gives.

- :func:`add_reduce` and :func:`add_reduce_same` are ``np.add.reduce`` to the bit (a
  group's CPU is a mean of its instances', every minute);
- a :class:`MinutePlan` of equal instances computes their CPU once, as each would;
- the publisher's plan is kept through a change of the instance book only while what it
  read from the book holds (records, groups, monitoring) and the route's load balancer
  is the same;
- the router gives a new route shape the old one's lists only where they hold the same,
  and returns its last route again only while shape, desired capacity and cost are the
  same: through health checks, a crash, an AZ failure, scaling and a group's desired
  capacity, every route equals a fresh router's; a cost that changes alone is seen.
"""

from __future__ import annotations

import random
import struct
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from webstack import build_stack

from cloudlab import Cloud
from cloudlab.errors import InvalidScenario
from cloudlab.sim.cloudwatch.metrics import MetricStore
from cloudlab.sim.pairwise import add_reduce, add_reduce_same
from cloudlab.sim.workload_metrics import MinutePublisher
from cloudlab.sim.workload_rows import MinutePlan
from cloudlab.sim.workload_state import Route, Router, _share_lists


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def test_add_reduce_is_numpys_sum_to_the_bit() -> None:
    rng = random.Random(7)
    sizes = [*range(0, 40), 127, 128, 129, 136, 255, 256, 257, 300, 1000]
    for _ in range(30):
        for n in sizes:
            values = [rng.choice([rng.uniform(0.0, 100.0), 2.0 + rng.random(), -0.0,
                                  rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-30, 30)])
                      for _ in range(n)]
            expected = float(np.add.reduce(np.asarray(values, dtype=float)))
            assert _bits(add_reduce(values)) == _bits(expected), (n, values)


def test_add_reduce_same_is_add_reduce_of_equal_values() -> None:
    rng = random.Random(8)
    for _ in range(40):
        x = rng.choice([rng.uniform(2.0, 100.0), 0.1, 1 / 3, rng.random() * 1e300, -0.0])
        for n in [*range(0, 40), 127, 128, 129, 255, 256, 257, 1000]:
            expected = float(np.add.reduce(np.full(n, x)))
            assert _bits(add_reduce_same(x, n)) == _bits(expected), (n, x)
            assert _bits(add_reduce([x] * n)) == _bits(expected), (n, x)


def test_equal_instances_get_the_cpu_each_would_get() -> None:
    rng = random.Random(9)
    for pairs in ([(1 / 3, 100.0)] * 3, [(0.05, 250.0)] * 20, [(0.5, 100.0), (0.5, 50.0)],
                  [(0.25, 100.0), (0.75, 100.0)], [(1.0, 80.0)]):
        plan = MinutePlan([f"i-{j}" for j in range(len(pairs))], [], [[p] for p in pairs],
                          [[p[0]] for p in pairs], [])
        assert (plan.uniform is not None) == (len(set(pairs)) == 1)
        for _ in range(200):
            served, alive = rng.uniform(0, 1e6), rng.choice([60.0, 59.5, 1e-9])
            expected = [min(100.0, 2.0 + 100.0 * (served * ratio / cap) / alive)
                        for ratio, cap in pairs]
            assert [_bits(c) for c in plan.cpus(served, alive)] == [_bits(c) for c in expected]


# -- the publisher's plan through changes of the book ------------------------------------
def _record(n: int) -> Any:
    return SimpleNamespace(instance_id=f"i-{n}", asg="web", detailed_monitoring=True)


class _AtOnce(MinutePublisher):
    """The reference: every minute's datapoints computed and put at once."""

    def _publish_minute(self, t0: float, queue: Any) -> bool:
        return False


def _minutes(cls: type[MinutePublisher], change: str) -> Any:
    records = {f"i-{n}": _record(n) for n in range(1, 4)}
    book = SimpleNamespace(records=records, generation=0, config_generation=0)
    tg = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1"
    group = SimpleNamespace(version=0, counts=lambda: {"healthy": 3})
    alb = SimpleNamespace(kind="application", arn="arn:lb", metric_id="app/web/1",
                          target_groups=[tg], name="web")
    classic = SimpleNamespace(kind="classic", arn="arn:clb", metric_id="web",
                              target_groups=[tg], name="web")
    router: Any = SimpleNamespace(book=book, lbs=SimpleNamespace(groups={tg: group}))
    with Cloud(seed=1) as cloud:
        publisher = cls(cloud, router, 1000.0)
        publisher.store = store = MetricStore()
        route = Route(targets=[(records[f"i-{n}"], share, True)
                               for n, share in ((1, 0.2), (2, 0.3), (3, 0.5))],
                      good_share=1.0, capacity_rps=300.0, servers=6,
                      target_rps=[100.0] * 3, running_ids=["i-1", "i-2", "i-3"], lb=alb)
        try:
            for minute in range(6):
                publisher.add(route, 60.0, 5000.0 + minute, 6000.0, 10.0)
                publisher.close((minute + 1) * 60.0)
                if minute == 2:
                    book.generation += 1  # the book changes; the route keeps its lists
                    if change == "gone":
                        del records["i-2"]
                    elif change == "replaced":  # another record object, the same values
                        records["i-2"] = _record(2)
                    elif change == "ungrouped":
                        records["i-2"] = SimpleNamespace(**{**vars(_record(2)), "asg": None})
                    elif change == "basic":  # basic monitoring: a learner's call
                        records["i-2"] = SimpleNamespace(**{**vars(_record(2)),
                                                            "detailed_monitoring": False})
                        book.config_generation += 1
                    elif change == "classic":  # the same lists behind another balancer
                        route = Route(**{**vars(route), "lb": classic})
        except (KeyError, InvalidScenario) as err:
            return repr(err)
        store.pending  # noqa: B018 - the buffered rows are added first
        return [(key, s.unit, [c.tolist() for c in s.columns()])
                for key, s in store._series.items()]


@pytest.mark.parametrize("change", ["gone", "replaced", "ungrouped", "basic", "classic"])
def test_the_kept_plan_holds_only_while_what_it_read_holds(change):
    assert _minutes(MinutePublisher, change) == _minutes(_AtOnce, change)


def test_a_plan_is_kept_through_a_book_change_that_leaves_its_instances_alone():
    made = []

    class Counting(MinutePublisher):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            make = self._minutes._make_plan
            self._minutes._make_plan = lambda route: made.append(1) or make(route)

    _minutes(Counting, "replaced")
    assert len(made) == 1


# -- the router's lists and routes --------------------------------------------------------
def test_a_new_shape_gets_the_old_lists_only_where_they_are_the_same() -> None:
    a, b = _record(1), _record(2)

    def shape(**changes: Any) -> Route:
        fields: dict[str, Any] = {"targets": [(a, 0.5, True), (b, 0.5, True)],
                                  "target_rps": [100.0, 100.0], "running_ids": ["i-1", "i-2"]}
        return Route(**{**fields, **changes})

    old = shape()
    for changes, kept in [
            ({}, ("targets", "target_rps", "running_ids")),
            ({"targets": [(a, 0.5, True), (_record(2), 0.5, True)]},  # an equal record
             ("target_rps", "running_ids")),
            ({"targets": [(a, 0.25, True), (b, 0.75, True)]}, ("target_rps", "running_ids")),
            ({"targets": [(a, 0.5, True), (b, 0.5, False)]}, ("target_rps", "running_ids")),
            ({"targets": [(a, 0.5, True)]}, ("target_rps", "running_ids")),
            ({"target_rps": [100.0, 50.0]}, ("targets", "running_ids")),
            ({"running_ids": ["i-1"]}, ("targets", "target_rps"))]:
        new = shape(**changes)
        before = {name: list(getattr(new, name)) for name in kept}
        _share_lists(new, old)
        for name in ("targets", "target_rps", "running_ids"):
            assert (getattr(new, name) is getattr(old, name)) == (name in kept), (changes, name)
        assert {name: getattr(new, name) for name in kept} == before


def _content(route: Route) -> tuple[Any, ...]:
    return ([(r.instance_id, _bits(share), ok) for r, share, ok in route.targets],
            _bits(route.good_share), _bits(route.capacity_rps), route.servers,
            _bits(route.cross_az), route.running, route.healthy, route.desired,
            sorted(route.per_az.items()), _bits(route.cost_per_s),
            [r.instance_id for r in route.members], route.lb, sorted(route.zonal),
            [_bits(x) for x in route.target_rps], route.running_ids,
            _bits(route.usd_per_request))


def test_the_routes_a_router_keeps_are_a_fresh_routers():
    from cloudlab.sim.autoscaling.groups import auto_scaling
    from cloudlab.sim.failures import crash_web_server, fail_az

    with Cloud(seed=4) as cloud:
        build_stack(cloud, asg={"MinSize": 2, "MaxSize": 8, "DesiredCapacity": 3})
        router = Router(cloud, "web")
        asg = cloud.client("autoscaling")
        seen: list[Route] = []
        for minute in range(40):
            if minute == 12:
                ids = sorted(i["InstanceId"] for i in asg.describe_auto_scaling_groups()[
                    "AutoScalingGroups"][0]["Instances"])
                crash_web_server(cloud, ids[0])
            if minute == 16:
                asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=5)
            if minute == 26:  # the group's desired capacity alone
                auto_scaling(cloud).groups["web"].desired += 1
            if minute == 30:
                fail_az(cloud, cloud.azs()[1])
            for second in (0, 25):  # twice a minute: before and after an instance runs
                route = router.route(cloud.t)
                assert _content(route) == _content(Router(cloud, "web").route(cloud.t)), (
                    minute, second)
                seen.append(route)
                cloud.advance(seconds=second or 35)
        # the router did keep routes and lists (else this test proves nothing)
        assert any(a is b for a, b in zip(seen, seen[1:], strict=False))
        assert any(a is not b and a.targets is b.targets
                   for a, b in zip(seen, seen[1:], strict=False))
        assert any(a is not b and a.targets is not b.targets and a.running_ids is b.running_ids
                   for a, b in zip(seen, seen[1:], strict=False))


def test_a_kept_shape_gets_the_cost_of_now():
    """The cost can change while the shape is kept (an instance outside the load balancer
    starts running): the route then has the new cost."""
    with Cloud(seed=4) as cloud:
        build_stack(cloud, asg={"MinSize": 2, "MaxSize": 8, "DesiredCapacity": 3})
        router = Router(cloud, "web")
        first = router.route(cloud.t)
        costs = iter([first.cost_per_s, 2.0 * first.cost_per_s])
        router._cost_per_s = lambda t: next(costs)  # type: ignore[method-assign]
        again = router.route(cloud.t)
        assert again is first  # nothing changed: the same route
        dearer = router.route(cloud.t)
        assert dearer.cost_per_s == 2.0 * first.cost_per_s
        assert dearer.targets is first.targets  # the same shape
