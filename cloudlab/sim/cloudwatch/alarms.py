"""The alarm engine: evaluates every metric alarm once a minute of virtual time.

moto stores alarms but never evaluates them. The :class:`AlarmEngine` of a cloud (reach it
with :func:`alarms`) reads the alarm definitions from the backend with ``describe_alarms``
(cached until a call changes them), reads each alarm's statistic from the
:class:`~cloudlab.sim.cloudwatch.metrics.MetricStore`, decides the state with the rules of
:mod:`~cloudlab.sim.cloudwatch.evaluation` and, on a change, records it
(:class:`AlarmTransition`, history for ``describe_alarm_history``), tells the
``on_transition`` callbacks, runs the alarm's actions (:mod:`~cloudlab.sim.cloudwatch.
actions`) and writes the state back with ``set_alarm_state`` before anyone next reads
alarms, so ``describe_alarms`` is truthful.

What is evaluated: metric alarms on one metric (``Namespace``/``MetricName``/``Dimensions``
with ``Statistic`` or a ``pNN`` ``ExtendedStatistic``) with a static threshold. Metric-math
alarms (``Metrics=``), anomaly-detection operators and other extended statistics keep their
state, with a reason that says the mini cloud does not evaluate them.

When: on every whole minute of virtual time (as CloudWatch, which evaluates alarms every
minute), over periods aligned to the epoch, ending at the latest period boundary at or
before now: at 00:08:00 a 1-minute alarm's newest datapoint is the one of 00:07-00:08.
Nothing is re-decided while neither the range nor its data changed, so an alarm costs
about 10 microseconds a minute.

Example (``put_metric_alarm`` arguments shortened)::

    cloud = Cloud(seed=1)
    engine = alarms(cloud)
    cloud.client("cloudwatch").put_metric_alarm(AlarmName="cpu-high", Threshold=75.0, ...)
    metrics(cloud).put("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"}, 30, 97.0)
    cloud.advance(minutes=1)
    engine.history  # [AlarmTransition(t_s=60.0, alarm_name='cpu-high', ..., 'ALARM', ...)]
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cloudlab.sim.cloudwatch import actions as _actions
from cloudlab.sim.cloudwatch.definition import ACTION_KEYS, Spec, parse
from cloudlab.sim.cloudwatch.evaluation import (
    COMPARE,
    choose,
    decide_lists,
    low_sample_limit,
    range_starts,
)
from cloudlab.sim.cloudwatch.history import (
    AlarmTransition,
    HistoryItem,
    action_item,
    configuration_item,
    state_item,
)
from cloudlab.sim.cloudwatch.metrics import MetricStore, metrics
from cloudlab.sim.cloudwatch.window import (
    advance,
    kept,
    move_on,
    quick_state,
    remember,
)

if TYPE_CHECKING:
    from cloudlab.cloud import Cloud

__all__ = ["EVALUATION_INTERVAL_S", "INITIAL_REASON", "AlarmEngine", "alarms"]

#: CloudWatch evaluates alarms every minute.
EVALUATION_INTERVAL_S = 60
#: The reason a new alarm starts with (AWS sets ``INSUFFICIENT_DATA``; moto says ``OK``).
INITIAL_REASON = "Unchecked: Initial alarm creation"
_STATE = "cloudwatch.alarms"
_MAX_REASON = 1023  # StateReason length limit


@dataclass
class _Runtime:
    """What the engine knows of one alarm beyond its definition."""

    state: str
    reason: str
    state_t: float
    config_t: float
    note: str = ""  # why the alarm is not evaluated, once written
    # the range end, data version and state of the last decision (a NaN end: decide again)
    seen_end: float = math.nan
    seen_version: int = -2
    seen_state: str = ""

    def forget(self) -> None:
        """Decide again at the next evaluation."""
        self.seen_end = math.nan


class AlarmEngine:
    """Alarm evaluation for one cloud. Get it with :func:`alarms` (which also starts the
    evaluation every minute of virtual time).

    State changes reach the backend (``set_alarm_state``) lazily: they are written just
    before anyone reads alarms (``describe_alarms``, ``describe_alarms_for_metric``) or on
    :meth:`flush_states`, so an alarm that flaps every minute costs no API call per flap.

    Attributes:
        history: every :class:`AlarmTransition`, in order.
        items: every history entry ``describe_alarm_history`` answers from.
        store: the cloud's :class:`MetricStore`.
    """

    def __init__(self, cloud: Cloud, store: MetricStore) -> None:
        self._cloud = cloud
        self.store = store
        self.history: list[AlarmTransition] = []
        self.items: list[HistoryItem] = []
        self.writing = False  # True while the engine itself calls set_alarm_state
        self.describe_calls = 0
        self._callbacks: list[Callable[[AlarmTransition], object]] = []
        self._specs: list[Spec] | None = None
        self._runtime: dict[str, _Runtime] = {}
        self._unwritten: dict[str, tuple[str, str, Mapping[str, Any]]] = {}
        self._windows = kept(cloud)  # the range each alarm read last, to move along
        clock = cloud.clock
        self._start = clock.start  # the clock's start and its epoch seconds
        self._offset = clock.start.timestamp()
        epoch_t = clock.start.timestamp() + clock.t
        first = EVALUATION_INTERVAL_S - (epoch_t % EVALUATION_INTERVAL_S)
        self.event = clock.every(EVALUATION_INTERVAL_S, self._minute,
                                 name="cloudwatch: evaluate alarms", first_in_s=first)

    # -- callbacks and cache ------------------------------------------------------------
    def on_transition(self, callback: Callable[[AlarmTransition], object]) -> None:
        """Call ``callback(transition)`` after each state change."""
        self._callbacks.append(callback)

    def invalidate(self) -> None:
        """Forget the cached alarm definitions (read again at the next evaluation)."""
        self._specs = None

    def _load(self) -> list[Spec]:
        if self._specs is None:
            client = self._cloud.client("cloudwatch")
            found: list[dict[str, Any]] = []
            for page in client.get_paginator("describe_alarms").paginate(
                    AlarmTypes=["MetricAlarm"]):
                self.describe_calls += 1
                found.extend(page.get("MetricAlarms", ()))
            found.sort(key=lambda a: a["AlarmName"])
            self._specs = [parse(a) for a in found]
            for alarm in found:
                if alarm["AlarmName"] not in self._runtime:
                    self._adopt(alarm)
        return self._specs

    def definitions(self) -> list[dict[str, Any]]:
        """The metric alarms of the cloud's Region, as ``describe_alarms`` returns them."""
        return [s.alarm for s in self._load()]

    def _adopt(self, alarm: Mapping[str, Any]) -> None:
        """Take over an alarm created before the engine was watching."""
        name = alarm["AlarmName"]
        t = self._cloud.t
        if alarm.get("StateReason") == INITIAL_REASON:
            self._runtime[name] = _Runtime("INSUFFICIENT_DATA", INITIAL_REASON, t, t)
            self._unwritten[name] = ("INSUFFICIENT_DATA", INITIAL_REASON, {})
        else:
            self._runtime[name] = _Runtime(alarm.get("StateValue", "INSUFFICIENT_DATA"),
                                           alarm.get("StateReason", ""), t, t)

    def state(self, alarm_name: str) -> str | None:
        """The state the engine holds for an alarm (``None`` if unknown)."""
        rt = self._runtime.get(alarm_name)
        return rt.state if rt else None

    # -- evaluation ---------------------------------------------------------------------
    def evaluate(self) -> list[AlarmTransition]:
        """Evaluate every alarm now; returns the transitions it caused."""
        before = len(self.history)
        for spec in self._load():
            self._evaluate_one(spec)
        return self.history[before:]

    def _minute(self, _clock: object) -> None:
        """The evaluation every minute: :meth:`evaluate` without the list it returns."""
        specs = self._specs
        for spec in self._load() if specs is None else specs:
            self._evaluate_one(spec)

    def _evaluate_one(self, spec: Spec) -> None:
        rt = self._runtime[spec.name]
        if spec.note:
            if rt.note != spec.note:
                rt.note = rt.reason = spec.note
                self._unwritten[spec.name] = (rt.state, spec.note, {})
            return
        period = spec.period
        clock = self._cloud.clock
        now = clock.t
        if clock.start is not self._start:
            self._start, self._offset = clock.start, clock.start.timestamp()
        offset = self._offset
        end = math.floor((now + offset) / period + 1e-9) * period - offset
        window = self._windows.get(spec.name) if spec.quick else None
        version = self.store.version(spec.key) if window is None else \
            window.data_version(spec, self.store)
        state: str | None
        # the range moved, its data changed or the state was set since the last decision
        if end != rt.seen_end or version != rt.seen_version or rt.state != rt.seen_state:
            rt.seen_end, rt.seen_version, rt.seen_state = end, version, rt.state
            t0 = end - spec.span * period
            if window is not None and move_on(spec, window, t0, end, version):
                # the usual minute: the kept range moved one period on, in place, with the
                # breaching and missing counts of its N newest periods
                values, counts = window.values, window.counts
                state = quick_state(spec, window) or self._choose(spec, values)
            else:
                values, counts = self._window(spec, rt, t0, end, version)
                if spec.q is not None and spec.low_sample_ignore and any(
                        0 < c < low_sample_limit(spec.q) for c in counts):
                    state = None  # not decided: a low-sample percentile is ignored
                else:
                    state = self._choose(spec, values)
            if state is not None and state != rt.state:
                # decide()'s arguments as the lists it makes of them (the Python float of
                # each value and count, and of each period start)
                verdict = decide_lists(list(map(float, values)),
                                       range_starts(t0, spec.span, period),
                                       list(map(float, counts)), threshold=spec.threshold,
                                       operator=spec.operator, n=spec.n, m=spec.m,
                                       treat=spec.treat, old_state=rt.state,
                                       start=self._cloud.clock.start, stat_name=spec.stat,
                                       period=period, query_t=now)
                self.transition(spec.alarm, state, verdict.reason, verdict.reason_data)
                rt.seen_end, rt.seen_version, rt.seen_state = end, version, rt.state
                return
        if spec.enabled:  # Auto Scaling actions run every minute the alarm stays in a state
            for arn in spec.repeating[rt.state]:
                self._run(spec.alarm, arn, rt.state, rt.state, rt.reason, rt)

    @staticmethod
    def _choose(spec: Spec, values: list[float]) -> str | None:
        """The state :func:`choose` gives for ``values``. When the N newest periods all have
        data (their sum is not NaN), those N are the evaluated datapoints, none is filled
        in and the state is ALARM if at least M of them breach, else OK: that, without
        building the lists :func:`choose` builds."""
        compare, threshold, n = COMPARE[spec.operator], spec.threshold, spec.n
        newest = values[-n:]
        total = sum(newest)
        if total == total:
            breaching = 0
            for v in newest:
                if compare(v, threshold):
                    breaching += 1
            return "ALARM" if breaching >= spec.m else "OK"
        hits = [bool(compare(v, threshold)) for v in values]
        return choose(values, hits, n, spec.m, spec.treat)[0]

    def _window(self, spec: Spec, rt: _Runtime, t0: float, end: float,
                version: int) -> tuple[list[float], list[float]]:
        """The statistic and sample count of each period of the range (NaN: missing)."""
        store, key = self.store, spec.key
        if spec.unit and store.unit(key) != spec.unit:
            self._windows.pop(spec.name, None)
            return [math.nan] * spec.span, [0.0] * spec.span  # no datapoint has that Unit
        window = self._windows.get(spec.name)
        got = None if window is None else advance(store, spec, window, t0, end)
        if got is None:
            got = store.window(key, spec.stat, spec.period, t0, spec.span)
        remember(self._windows, spec, t0, end, version, got, store.latest(key) < end,
                 store.series(key))
        return got

    # -- changing state -----------------------------------------------------------------
    def transition(self, alarm: Mapping[str, Any], new_state: str, reason: str,
                   reason_data: Mapping[str, Any], *, write: bool = True) -> AlarmTransition:
        """Move an alarm to ``new_state``: backend, history, callbacks, then actions."""
        name = alarm["AlarmName"]
        rt = self._runtime[name]
        old = rt.state
        now = self._cloud.t
        if write:
            self._unwritten[name] = (new_state, reason, reason_data)
        rt.state, rt.reason, rt.state_t = new_state, reason, now
        change = AlarmTransition(now, name, old, new_state, reason)
        self.history.append(change)
        self.items.append(state_item(change, reason_data))
        for callback in list(self._callbacks):
            callback(change)
        if alarm.get("ActionsEnabled", True):
            for arn in self._actions_for(alarm, new_state):
                self._run(alarm, arn, old, new_state, reason)
        return change

    @staticmethod
    def _actions_for(alarm: Mapping[str, Any], state: str) -> list[str]:
        return list(alarm.get(ACTION_KEYS[state]) or ())

    def _run(self, alarm: Mapping[str, Any], arn: str, old: str, new: str, reason: str,
             rt: _Runtime | None = None) -> None:
        if rt is None:
            rt = self._runtime[alarm["AlarmName"]]
        now = self._cloud.clock.t
        _ok, summary, data = _actions.run_action(self._cloud, arn, alarm, old, new, reason,
                                                 now, rt.config_t)
        self.items.append(action_item(now, alarm["AlarmName"], summary, data))

    def flush_states(self) -> int:
        """Write the states changed since the last write to the backend; returns how many."""
        pending, self._unwritten = self._unwritten, {}
        for name, (state, reason, data) in pending.items():
            if name in self._runtime:
                self._write(name, state, reason, data)
        return len(pending)

    def _write(self, name: str, state: str, reason: str, data: Mapping[str, Any]) -> None:
        self._unwritten.pop(name, None)
        self.writing = True
        try:
            self._cloud.client("cloudwatch").set_alarm_state(
                AlarmName=name, StateValue=state, StateReason=reason[:_MAX_REASON],
                StateReasonData=json.dumps(dict(data)))
        finally:
            self.writing = False

    # -- what the hooks tell the engine -------------------------------------------------
    def alarm_put(self, params: Mapping[str, Any]) -> None:
        """After a successful ``PutMetricAlarm``: a new alarm starts in INSUFFICIENT_DATA;
        an updated one keeps its state (moto resets it to OK)."""
        name = params["AlarmName"]
        now = self._cloud.t
        config = {k: v for k, v in params.items() if k != "Tags"}
        rt = self._runtime.get(name)
        if rt is None:
            self._runtime[name] = _Runtime("INSUFFICIENT_DATA", INITIAL_REASON, now, now)
            self.items.append(configuration_item(now, name, "Create", config))
            self._write(name, "INSUFFICIENT_DATA", INITIAL_REASON, {})
        else:
            rt.config_t, rt.note = now, ""
            rt.forget()
            self.items.append(configuration_item(now, name, "Update", config))
            self._write(name, rt.state, rt.reason, {})
        self.invalidate()

    def alarms_deleted(self, names: list[str]) -> None:
        """After ``DeleteAlarms``: forget them (their history stays, as on AWS)."""
        now = self._cloud.t
        for name in names:
            self._unwritten.pop(name, None)
            self._windows.pop(name, None)
            if self._runtime.pop(name, None) is not None:
                self.items.append(configuration_item(now, name, "Delete",
                                                     {"alarmName": name}))
        self.invalidate()

    def state_set(self, params: Mapping[str, Any]) -> None:
        """After a learner's ``SetAlarmState``: a real change, with actions, that lasts until
        the next evaluation (AWS: "This temporary state change lasts only until the next
        alarm comparison occurs")."""
        self.invalidate()
        name = str(params.get("AlarmName"))
        self._unwritten.pop(name, None)
        spec = next((s for s in self._load() if s.name == name), None)
        rt = self._runtime.get(name)
        if spec is None or rt is None:
            return
        state = str(params.get("StateValue"))
        rt.forget()
        if state == rt.state:
            rt.reason = str(params.get("StateReason", ""))
            return
        try:
            data = json.loads(params.get("StateReasonData") or "{}")
        except ValueError:
            data = {}
        self.transition(spec.alarm, state, str(params.get("StateReason", "")), data,
                        write=False)

    def observe(self, parsed: Mapping[str, Any]) -> None:
        """Correct a ``describe_alarms`` answer: alarms made before the engine watched
        start in INSUFFICIENT_DATA (moto says OK), and times are virtual (moto stamps
        wall-clock time)."""
        start = self._cloud.clock.start
        for alarm in parsed.get("MetricAlarms") or ():
            name = alarm.get("AlarmName")
            if name not in self._runtime:
                self._adopt(alarm)
                self.invalidate()
                alarm["StateValue"] = self._runtime[name].state
            rt = self._runtime[name]
            alarm["StateUpdatedTimestamp"] = start + timedelta(seconds=rt.state_t)
            alarm["StateTransitionedTimestamp"] = start + timedelta(seconds=rt.state_t)
            alarm["AlarmConfigurationUpdatedTimestamp"] = start + timedelta(seconds=rt.config_t)


def alarms(cloud: Cloud) -> AlarmEngine:
    """The per-cloud :class:`AlarmEngine`: created on first use (evaluating every minute of
    virtual time from then on) and dropped by ``cloud.reset()``."""
    store = metrics(cloud)
    return cloud.state(_STATE, lambda: AlarmEngine(cloud, store))
