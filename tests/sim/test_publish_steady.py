"""A minute like the last one: what the publisher keeps from a minute for the next one of
the same route gives what computing the minute afresh gives.

- ``MinuteWriter``'s steady minute (``_Steady``: the same route, the queue there or not as
  before, the instance book's generations, the load balancer's ARN and target groups, each
  target group object and version, the store's open block and split) leaves the store
  exactly as putting every minute at once does, through a change of each of those between
  two minutes of the same route, and with the direct metrics of each kind (a group's CPU,
  an instance's CPU, a value the block computes);
- ``MinutePublisher``'s queue of a minute of one stretch (kept per route and seconds) is the
  queue computed from the minute's sums, bit for bit.

Each change below makes a minute differ from the last one in one component of the kept
key (and only that one, where it can): leaving the component out fails the test.
"""

from __future__ import annotations

import struct
from types import SimpleNamespace
from typing import Any

import pytest

from cloudlab import Cloud
from cloudlab.sim.cloudwatch.metrics import MetricStore, metric_key
from cloudlab.sim.workload_metrics import MinutePublisher
from cloudlab.sim.workload_state import Route

TG = [f"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web{n}/{n}" for n in (1, 2)]


class _Fresh(MinutePublisher):
    """The reference: every minute's datapoints computed and put at once, and its queue
    computed from its sums (nothing kept from the minute before)."""

    def _publish_minute(self, t0: float, queue: Any) -> bool:
        return False

    def close(self, t_end: float) -> Any:
        self._kept_queue = (None, None, None)
        return super().close(t_end)


class _Group:
    def __init__(self, healthy: int, unhealthy: int, version: int = 0) -> None:
        self.states = {"healthy": healthy, "unhealthy": unhealthy}
        self.version = version

    def counts(self) -> dict[str, int]:
        return dict(self.states)


def _record(n: int) -> Any:
    return SimpleNamespace(instance_id=f"i-{n}", asg="web", detailed_monitoring=True)


def _bits(queue: Any) -> Any:
    return None if queue is None else [struct.pack("<d", x) for x in queue]


def _state(store: MetricStore) -> list[Any]:
    store.pending  # noqa: B018 - the buffered rows are added first
    return [(key, s.unit, s.version, s.latest, repr(s._log),
             [c.tolist() for c in s.columns()], [c.tolist() for c in s.take_pending()])
            for key, s in store._series.items()]


def _minutes(cloud: Cloud, cls: type[MinutePublisher]) -> list[Any]:
    records = {f"i-{n}": _record(n) for n in range(1, 4)}
    book = SimpleNamespace(records=records, generation=0, config_generation=0)
    groups: dict[str, Any] = {TG[0]: _Group(2, 0), TG[1]: _Group(1, 1)}
    lb = SimpleNamespace(kind="application", arn="arn:lb/1", metric_id="app/web/1",
                         target_groups=list(TG))
    router: Any = SimpleNamespace(book=book, lbs=SimpleNamespace(groups=groups))
    publisher = cls(cloud, router, 1000.0)
    publisher.store = store = MetricStore()
    r = records
    # equal instances (one CPU for all) and unequal ones; cross_az 0.1: a minute of 48 s
    # has another hop than one of 60 s (0.1 * 48 / 48 is not 0.1 * 60 / 60)
    uniform = Route(targets=[(r["i-1"], 0.5, True), (r["i-2"], 0.5, True)], good_share=1.0,
                    capacity_rps=200.0, servers=4, cross_az=0.1, target_rps=[100.0, 100.0],
                    running_ids=["i-1", "i-2"], running=2, lb=lb)
    unequal = Route(targets=[(r["i-1"], 0.6, True), (r["i-3"], 0.4, True)], good_share=1.0,
                    capacity_rps=150.0, servers=4, cross_az=0.3, target_rps=[100.0, 50.0],
                    running_ids=["i-1", "i-3"], running=2, lb=lb)
    cpu2 = metric_key("AWS/EC2", "CPUUtilization", {"InstanceId": "i-2"})
    cpu3 = metric_key("AWS/EC2", "CPUUtilization", {"InstanceId": "i-3"})
    net1 = metric_key("AWS/EC2", "NetworkOut", {"InstanceId": "i-1"})
    other = metric_key("Custom", "Other", {})
    asg = metric_key("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": "web"})
    store.version(asg)  # the group's CPU is read (by its alarms): written at once

    def response_time() -> Any:
        return metric_key("AWS/ApplicationELB", "TargetResponseTime",
                          {"LoadBalancer": lb.metric_id})

    def healthy() -> Any:
        return metric_key("AWS/ApplicationELB", "HealthyHostCount",
                          {"LoadBalancer": lb.metric_id, "TargetGroup": "targetgroup/web1/1"})

    def change(minute: int) -> None:
        """A change after ``minute``: the next minute (of the same route, unless said) is
        not like it in one component of the key."""
        if minute == 3:  # the book: i-2 moves to another group (the route keeps its lists)
            records["i-2"] = SimpleNamespace(**{**vars(records["i-2"]), "asg": "api"})
            book.generation += 1
        elif minute == 6:  # a learner's call: i-1 on basic monitoring, then back
            records["i-1"] = SimpleNamespace(**{**vars(records["i-1"]),
                                                "detailed_monitoring": False})
            book.config_generation += 1
        elif minute == 8:
            records["i-1"] = SimpleNamespace(**{**vars(records["i-1"]),
                                                "detailed_monitoring": True})
            records["i-2"] = _record(2)
            book.config_generation += 1
        # (minutes 10 and 11 are idle: no queue, then minute 12 has one again)
        elif minute == 12:  # a target's health: the group's version moves
            groups[TG[0]].states["healthy"] = 3
            groups[TG[0]].version += 1
        elif minute == 13:  # another group object with the same version, other counts
            groups[TG[0]] = _Group(1, 2, version=groups[TG[0]].version)
        elif minute == 15:  # a target group goes, then comes back
            groups.pop(TG[1])
        elif minute == 17:
            groups[TG[1]] = _Group(0, 2)
        elif minute == 19:  # the balancer's target groups: another list
            lb.target_groups = [TG[0]]
        elif minute == 21:  # the balancer's ARN (and so its metrics' dimension)
            lb.arn, lb.metric_id = "arn:lb/2", "app/web/2"
        # (minutes 23 and 24 take another route)
        elif minute == 25:  # readers: an instance's CPU, its network, the response time
            store.version(cpu2)
        elif minute == 27:
            store.aggregate(net1, "Sum", 60, 0, 3600)
            store.version(response_time())
            store.version(healthy())
        elif minute == 29:  # another writer's row: the block is no longer the newest
            store.put_row(store.layout([other], ["Count"]), 29 * 60.0, [1.0])
        elif minute == 31:  # a read of a buffered metric folds the blocks
            store.aggregate(metric_key("AWS/EC2", "NetworkIn", {"InstanceId": "i-2"}),
                            "Sum", 60, 0, 3600)
        # (minutes 32 and 33 last 48 s: another queue shape)
        elif minute == 34:  # a new store (as a reset would give)
            publisher.store = MetricStore()
            publisher.store.version(asg)

    queues, reads = [], []
    before_new_store = None
    for minute in range(44):
        route = unequal if minute in (23, 24, 36, 37, 38, 39) else uniform
        seconds = 48.0 if minute in (32, 33, 38) else 60.0
        demand = 100.0 + 37.0 * (minute % 5)
        served = 0.0 if minute in (10, 11) else 0.9  # idle: no queue, no response time
        if minute == 41:  # two stretches
            publisher.add(route, 20.0, demand * 20 * served, demand * 20, demand * 2)
            publisher.add(unequal, 40.0, demand * 40 * 0.8, demand * 40, demand * 8)
        else:
            publisher.add(route, seconds, demand * seconds * served, demand * seconds,
                          demand * seconds / 10)
        queues.append(_bits(publisher.close((minute + 1) * 60.0)))
        change(minute)
        if minute >= 25:  # what readers see between minutes: every datapoint so far
            reads.append([(publisher.store.latest(key), publisher.store.version(key))
                          for key in (cpu2, net1, response_time(), healthy())
                          if minute >= 27 or key == cpu2])
        if minute == 34:
            before_new_store = _state(store)
    read = {key: publisher.store.version(key) for key in (cpu2, cpu3, asg)}
    return [queues, reads, before_new_store, _state(publisher.store), read]


@pytest.fixture(scope="module")
def cloud():
    with Cloud(seed=1) as c:
        yield c


def test_minutes_like_the_last_leave_what_fresh_minutes_leave(cloud):
    assert _minutes(cloud, MinutePublisher) == _minutes(cloud, _Fresh)


def test_steady_minutes_are_taken(cloud):
    """The test above goes through the steady path (and leaves it at each change)."""
    from cloudlab.sim import workload_writer

    taken = []
    holds = workload_writer._Steady.holds

    def counting(self: Any, publisher: Any) -> bool:
        taken.append(holds(self, publisher))
        return taken[-1]

    workload_writer._Steady.holds = counting  # type: ignore[method-assign]
    try:
        _minutes(cloud, MinutePublisher)
    finally:
        workload_writer._Steady.holds = holds  # type: ignore[method-assign]
    assert sum(taken) > 15 and not all(taken)
