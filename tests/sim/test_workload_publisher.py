"""MinutePublisher: a minute of one stretch, published straight from its route (the kept
per-route plan), gives the datapoints that spreading it over the per-instance sums gives."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from cloudlab import Cloud
from cloudlab.sim.cloudwatch.metrics import MetricStore
from cloudlab.sim.workload_metrics import MinutePublisher
from cloudlab.sim.workload_state import Route


class _Spreading(MinutePublisher):
    """The reference: every stretch spread over busy/alive/routed, as before."""

    def _instances(self) -> Any:
        if self._first is not None:
            self._spread(*self._first)
            self._first = None
        return super()._instances()


def _record(n: int) -> Any:
    return SimpleNamespace(instance_id=f"i-{n}", asg="web", detailed_monitoring=True)


@pytest.fixture(scope="module")
def cloud():
    with Cloud(seed=1) as c:
        yield c


def _routes() -> list[Route]:
    r = {n: _record(n) for n in range(1, 4)}
    base = Route(targets=[(r[1], 0.5, True), (r[2], 0.5, True)], good_share=1.0,
                 capacity_rps=200.0, servers=4, target_rps=[100.0, 100.0],
                 running_ids=["i-1", "i-2"], running=2)
    same_shape = replace(base, cost_per_s=1.0)  # shares base's lists
    crashed = Route(targets=[(r[1], 0.5, True), (r[2], 0.5, False)], good_share=0.5,
                    capacity_rps=100.0, servers=2, target_rps=[100.0, 0.0],
                    running_ids=["i-1", "i-2"], running=2)
    fewer_running = replace(base, running_ids=["i-1"])  # base's targets, new running ids
    slower = replace(base, target_rps=[50.0, 100.0])  # base's targets, new capacities
    shifted = replace(base, targets=[(r[1], 0.7, True), (r[2], 0.3, True)])  # new shares
    two_ports = Route(targets=[(r[1], 0.25, True), (r[1], 0.25, True), (r[3], 0.5, True)],
                      good_share=1.0, capacity_rps=300.0, servers=6,
                      target_rps=[100.0, 100.0, 100.0], running_ids=["i-1", "i-3", "i-3"])
    # each route follows one that shares some of its lists (the kept plan must not be used)
    return [base, same_shape, fewer_running, base, slower, base, shifted, crashed, two_ports]


def _published(cloud: Cloud, cls: type[MinutePublisher]) -> list[Any]:
    records = {f"i-{n}": _record(n) for n in range(1, 4)}
    router: Any = SimpleNamespace(book=SimpleNamespace(records=records), lbs=None)
    publisher = cls(cloud, router, 1000.0)
    publisher.store = store = MetricStore()
    routes = _routes()
    for minute in range(30):
        route = routes[minute % len(routes)]
        demand = 100.0 + 37.0 * (minute % 5)
        if minute % 4 == 3:  # two stretches in the minute
            other = routes[(minute + 1) % len(routes)]
            publisher.add(route, 20.0, demand * 20 * 0.9, demand * 20, demand * 2)
            publisher.add(other, 40.0, demand * 40 * 0.8, demand * 40, demand * 8)
        else:
            publisher.add(route, 60.0, demand * 60 * 0.9, demand * 60, demand * 6)
        publisher.close((minute + 1) * 60.0)
    return [(key, store.unit(key), store.aggregate(key, "Sum", 60, 0, 1800)[1].tolist(),
             store.aggregate(key, "SampleCount", 60, 0, 1800)[1].tolist())
            for key in store]


def test_one_stretch_minutes_publish_what_spreading_publishes(cloud):
    got = _published(cloud, MinutePublisher)
    assert got == _published(cloud, _Spreading)
    assert len(got) == 3 * 3 + 1  # three instances' metrics and the group's CPU
