"""Publishing a run's minutes as rows of :class:`~cloudlab.sim.workload_rows.MinuteRows`
blocks: :class:`MinuteWriter`.

The writer keeps what a minute's rows need from its route (the :class:`~cloudlab.sim.
workload_rows.MinutePlan`, the layout of its metrics, the block being filled, the target
groups' counts) and, for the usual minute that repeats the last one's route, all of the last
minute but its own values (:class:`_Steady`), so such a minute computes only its values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlab.sim.pairwise import add_reduce_same
from cloudlab.sim.workload_rows import (
    IDLE_CPU_PCT,
    METRIC_UNITS,
    PROCESSED_BYTES,
    MinutePlan,
    MinuteRows,
    Queue,
    group_cpus,
)

if TYPE_CHECKING:
    from cloudlab.sim.cloudwatch.metrics import MetricKey
    from cloudlab.sim.workload_state import Route

__all__ = ["MinuteWriter"]

#: Bound on a minute's requests, errors and served requests for computing its datapoints
#: later: far below it, every datapoint (at most 22,000 times one of them) is finite.
_LARGE = 1e290


class _Steady:
    """What :meth:`MinuteWriter.publish` keeps from a minute for the next one of the same
    route: all but the minute's own values. A minute takes it while it holds: the route is
    the same object (a route is not changed once made, so its lists, shares and load
    balancer are the same: the same plan, the same keys), the queue is there or not as it
    was (the mean response time is in the layout or not), the instance book has the same
    generations (the plan read it), the load balancer the same ARN and target groups, each
    target group is the same object at the same ``version`` (or still absent: the same
    counts, the same layout), and the store keeps the block open (``MetricStore.is_open``:
    putting the row then adds the same direct metrics and nothing else, see
    ``MetricStore.direct``)."""

    __slots__ = ("route", "idle", "generation", "config_generation", "lb", "lb_arn",
                 "lb_groups", "watched", "targets", "plan", "uniform", "n", "counts", "rows",
                 "direct")

    def __init__(self, route: Route, idle: bool, router: Any, plan: MinutePlan,
                 rows: MinuteRows, watched: list[tuple[str, Any, int]],
                 targets: list[tuple[int, int, int]], direct: list[tuple[int, Any, str]]
                 ) -> None:
        self.route, self.idle, self.plan, self.rows = route, idle, plan, rows
        self.generation = router.book.generation
        self.config_generation = router.book.config_generation
        lb = route.lb
        self.lb = lb is not None
        self.lb_arn = None if lb is None else lb.arn
        self.lb_groups = None if lb is None else lb.target_groups
        #: per target group of the balancer: its ARN, the group (``None``: absent) and its
        #: version; per present one its healthy and unhealthy targets and max(1, healthy)
        self.watched, self.targets = watched, targets
        self.uniform, self.n = plan.uniform, len(plan.ids)
        self.counts = [count for _, _, count in plan.groups]
        #: the direct metrics (MetricStore.direct): series, unit, the position of a group's
        #: CPU in the tail (-1: another metric) and in the layout
        self.direct = [(series, unit, rows.group_at(i), i) for i, series, unit in direct]

    def holds(self, p: Any) -> bool:
        """Whether the kept minute holds for a minute of publisher ``p`` of the same route
        and queue."""
        router = p.router
        book = router.book
        if (book.generation != self.generation
                or book.config_generation != self.config_generation):
            return False
        if self.lb:
            lb = self.route.lb
            if lb.arn is not self.lb_arn or lb.target_groups is not self.lb_groups:
                return False
            groups = router.lbs.groups
            for arn, group, version in self.watched:
                found = groups.get(arn)
                if found is not group or (found is not None and found.version != version):
                    return False
        return bool(p.store.is_open(self.rows))


class MinuteWriter:
    """Publishes a :class:`~cloudlab.sim.workload_metrics.MinutePublisher`'s minutes of one
    stretch as rows of :class:`MinuteRows` blocks, with what it keeps for them: the
    :class:`MinutePlan` of the route, the layout of the minute's metrics, the block being
    filled and the target groups' counts."""

    def __init__(self, publisher: Any) -> None:
        self.publisher = publisher  # whose minute (its sums, keys, store) it publishes
        self._kept_plan: tuple[Any, ...] | None = None  # see plan
        self._minute_layout: tuple[Any, ...] | None = None  # see publish
        self._rows: MinuteRows | None = None  # the block of minutes being filled
        self._kept_counts: dict[str, tuple[Any, int, tuple[int, int]]] = {}  # see counts
        self._steady: _Steady | None = None  # the last minute, for the next (see publish)

    def publish(self, t0: float, queue: Queue | None) -> bool:
        """Publish a minute of one stretch as a row of a :class:`MinuteRows` block: the
        datapoints ``MinutePublisher._publish`` would put, in its order, of which only the
        instances' CPU and the groups' CPU are computed now (and any value a reader
        already asked for); the others when the store needs them. Returns ``False``, publishing
        nothing, for a minute ``_publish`` must take: an instance on basic monitoring,
        listed twice or unknown, a target that answers with no capacity, a load balancer other
        than an Application Load Balancer, or values that might not be finite (the store
        refuses those).

        A minute like the last one (the same route, see :class:`_Steady`) takes a short
        path: only its values are computed, its row joins the block and its direct
        metrics get their datapoints."""
        p = self.publisher
        route, seconds, served, requests = p._first  # type: ignore[misc]
        if not (served < _LARGE and requests < _LARGE and p.requests < _LARGE
                and p.errors < _LARGE):  # (False for NaN too)
            return False
        s = self._steady
        if s is not None and route is s.route and (queue is None) is s.idle and s.holds(p):
            block = s.rows
            alive = max(0.0 + seconds, 1e-9)  # each instance ran the stretch
            if s.uniform is not None:  # plan.cpus() and the groups' mean of equal values
                ratio, cap = s.uniform
                cpu = min(100.0, IDLE_CPU_PCT + 100.0 * (served * ratio / cap) / alive)
                cpus = [cpu] * s.n
                tail = []
                for count in s.counts:  # (a loop: a list comprehension is a call)
                    tail.append(add_reduce_same(cpu, count) / count)
            else:
                cpus = s.plan.cpus(served, alive)
                tail = group_cpus(s.plan, cpus)
            if s.lb:
                tail += (p.requests, p.errors, p.requests * PROCESSED_BYTES)
                for healthy, unhealthy, per in s.targets:
                    tail += (healthy, unhealthy, p.requests / per)
            block.add_row(t0, cpus, requests, queue, tail)  # its last plan is this one
            # store.put_rows(block), inlined: the block is open (holds()), so it adds the
            # layout's direct metrics, in order, and nothing else (see MetricStore.direct)
            for series, unit, k, i in s.direct:
                if unit != "None":
                    series.unit = unit
                series.add(t0, tail[k] if k >= 0 else block.last(i), True)
            return True
        self._steady = None
        plan = self.plan(route)
        if plan is None:
            return False
        cpus = plan.cpus(served, max(0.0 + seconds, 1e-9))  # each instance ran the stretch
        tail = group_cpus(plan, cpus)
        lb, mean_at, alb = route.lb, -1, None
        present: tuple[bool, ...] = ()
        targets: list[tuple[int, int, int]] = []
        watched: list[tuple[str, Any, int]] = []
        if lb is not None:
            alb = p._alb_keys(lb)
            tail += (p.requests, p.errors, p.requests * PROCESSED_BYTES)
            if queue is not None:
                mean_at = len(tail)
            groups = p.router.lbs.groups
            found = []
            for arn, _ in alb[4]:
                group = groups.get(arn)
                found.append(group is not None)
                watched.append((arn, group, -1 if group is None else group.version))
                if group is not None:
                    healthy, unhealthy = self.counts(arn, group)
                    tail += (healthy, unhealthy, p.requests / max(1, healthy))
                    targets.append((healthy, unhealthy, max(1, healthy)))
            present = tuple(found)
        kept = self._minute_layout
        if (kept is not None and kept[0] is plan and kept[1] == mean_at and kept[2] is alb
                and kept[3] == present):
            layout = kept[4]
        else:
            keys = plan.keys + [key for key, _, _ in plan.groups]
            if alb is not None:
                keys += alb[:4] if mean_at >= 0 else alb[:3]
                for (_, group_keys), there in zip(alb[4], present, strict=True):
                    if there:
                        keys += group_keys
            if not keys:
                return False
            layout = p.store.layout(keys, [METRIC_UNITS[k[1]] for k in keys])
            self._minute_layout = (plan, mean_at, alb, present, layout)
        rows = self._rows
        if rows is None or rows.layout is not layout or not p.store.is_open(rows):
            rows = self._rows = MinuteRows(layout, len(plan.ids), p.timeout_ms, mean_at)
        rows.add(t0, plan, cpus, requests, queue, tail)
        p.store.put_rows(rows)
        if p.store.is_open(rows):  # (a layout of direct metrics only is not kept in rows)
            self._steady = _Steady(route, queue is None, p.router, plan, rows, watched,
                                   targets, p.store.direct(layout))
        return True

    def counts(self, arn: str, group: Any) -> tuple[int, int]:
        """The healthy and unhealthy targets of ``group.counts()``, kept while the group is
        the same object with the same ``version`` (which changes whenever a target is added,
        removed or changes state)."""
        kept = self._kept_counts.get(arn)
        if kept is not None and kept[0] is group and kept[1] == group.version:
            return kept[2]
        counts = group.counts()
        found = (counts.get("healthy", 0), counts.get("unhealthy", 0))
        self._kept_counts[arn] = (group, group.version, found)
        return found

    def plan(self, route: Route) -> MinutePlan | None:
        """The :class:`MinutePlan` of a route (``None``: its minutes take the general
        path), kept while the route has the same lists and share of answering targets
        (see ``MinutePublisher._plan``) and the instance book the same generations
        (instances' groups and monitoring are read from it)."""
        p = self.publisher
        book = p.router.book
        kept = self._kept_plan
        if (kept is not None and kept[0] is route.targets and kept[1] is route.target_rps
                and kept[2] is route.running_ids and kept[3] == route.good_share
                and kept[4] is route.lb):
            if kept[5][0] == book.generation and kept[5][1] == book.config_generation:
                return kept[7]  # type: ignore[no-any-return]
            generations = (book.generation, book.config_generation)
            # the book changed (an instance launched, a learner's call): the plan holds
            # while what it read from the book does (see _records)
            records = self._records(route)
            if records == kept[6]:
                self._kept_plan = (*kept[:5], generations, records, kept[7])
                return kept[7]  # type: ignore[no-any-return]
        plan = self._make_plan(route)
        generations = (book.generation, book.config_generation)
        self._kept_plan = (route.targets, route.target_rps, route.running_ids,
                           route.good_share, route.lb, generations, self._records(route),
                           plan)
        return plan

    def _records(self, route: Route) -> list[tuple[Any, bool]]:
        """All that :meth:`_make_plan` reads from the instance book, for each running id:
        the instance's group and whether it has detailed monitoring (an instance the book
        does not know has neither: its minutes take the general path, as on basic
        monitoring). The metric keys and everything else come from the route's lists."""
        records = self.publisher.router.book.records
        out = []
        for iid in route.running_ids:
            record = records.get(iid)
            out.append((None, False) if record is None
                       else (record.asg, bool(record.detailed_monitoring)))
        return out

    def _make_plan(self, route: Route) -> MinutePlan | None:
        p = self.publisher
        if route.lb is not None and route.lb.kind != "application":
            return None  # a Classic, Network or Gateway Load Balancer: the general path
        ok_share = route.good_share
        answering: dict[str, list[tuple[float, float]]] = {}
        shares: dict[str, list[float]] = {}
        for (target, share, ok), cap in zip(route.targets, route.target_rps, strict=True):
            shares.setdefault(target.instance_id, []).append(share)
            if ok and ok_share > 0:
                if not cap:
                    return None  # the general path divides by it (and fails as it did)
                answering.setdefault(target.instance_id, []).append((share / ok_share, cap))
        ids = list(dict.fromkeys(route.running_ids))
        if len(ids) != len(route.running_ids):
            return None
        records = p.router.book.records
        keys: list[MetricKey] = []
        groups: dict[str, list[int]] = {}
        for j, iid in enumerate(ids):
            record = records.get(iid)
            if record is None or not record.detailed_monitoring:
                return None
            keys.extend(p._instance_keys(iid))
            if record.asg:
                groups.setdefault(record.asg, []).append(j)
        everyone = list(range(len(ids)))
        return MinutePlan(
            ids, keys, [answering.get(iid, []) for iid in ids],
            [shares.get(iid, []) for iid in ids],
            [(p._key("AWS/EC2", "CPUUtilization", ("AutoScalingGroupName", name)),
              None if members == everyone else members, len(members))
             for name, members in groups.items()])
