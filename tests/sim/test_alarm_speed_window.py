"""The usual minute of an alarm (window.move_on, quick_state, Window.data_version,
Series.added_one) gives exactly what the
general path gives (window.advance or a fresh read of the store, evaluation.choose): the
same states, history and kept ranges, through every kind of change a metric or an alarm
can get."""

from __future__ import annotations

import importlib
import random
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from alarm_helpers import kept_ranges, put_alarm

from cloudlab import Cloud
from cloudlab.sim.cloudwatch import alarms, metrics
from cloudlab.sim.cloudwatch.evaluation import COMPARE, choose
from cloudlab.sim.cloudwatch.metrics import MetricStore, metric_key
from cloudlab.sim.cloudwatch.window import kept, quick_state

_alarms_module = importlib.import_module("cloudlab.sim.cloudwatch.alarms")
DIMS = {"AutoScalingGroupName": "web"}
CW_DIMS = [{"Name": "AutoScalingGroupName", "Value": "web"}]
OTHER = {"AutoScalingGroupName": "api"}


def _put_alarm(cloud: Cloud, name: str, **overrides: Any) -> None:
    put_alarm(cloud, name, CW_DIMS, **overrides)


def _alarms(cloud: Cloud) -> None:
    _put_alarm(cloud, "high")  # a target tracking policy's two alarms
    _put_alarm(cloud, "low", EvaluationPeriods=15, DatapointsToAlarm=15, Threshold=45.0,
               ComparisonOperator="LessThanThreshold")
    _put_alarm(cloud, "two-of-three", DatapointsToAlarm=2,
               ComparisonOperator="GreaterThanOrEqualToThreshold")
    _put_alarm(cloud, "count", Statistic="SampleCount", Threshold=1.0,
               ComparisonOperator="LessThanOrEqualToThreshold")
    _put_alarm(cloud, "sum", Statistic="Sum", EvaluationPeriods=4, DatapointsToAlarm=2)
    _put_alarm(cloud, "p90", ExtendedStatistic="p90", EvaluationPeriods=2, DatapointsToAlarm=1)
    _put_alarm(cloud, "p90-low-sample", ExtendedStatistic="p90", EvaluationPeriods=2,
               DatapointsToAlarm=1, EvaluateLowSampleCountPercentile="ignore")
    _put_alarm(cloud, "unit", Unit="Percent", ComparisonOperator="LessThanThreshold")
    _put_alarm(cloud, "breaching", TreatMissingData="breaching", EvaluationPeriods=5,
               DatapointsToAlarm=4)
    _put_alarm(cloud, "ignore", TreatMissingData="ignore", Threshold=45.0,
               ComparisonOperator="LessThanThreshold")
    _put_alarm(cloud, "not-breaching", TreatMissingData="notBreaching", EvaluationPeriods=2,
               DatapointsToAlarm=2)
    _put_alarm(cloud, "five-minutes", Statistic="Maximum", Period=300, EvaluationPeriods=2,
               DatapointsToAlarm=1)
    # another metric with the same data versions, other values (the series kept with the
    # range of "high" must not be taken for it)
    _put_alarm(cloud, "other", Dimensions=[{"Name": "AutoScalingGroupName", "Value": "api"}],
               ComparisonOperator="LessThanThreshold")


def _check_windows(cloud: Cloud) -> int:
    """Every kept range equals the store's answer now; for the quick alarms, the breaching
    and missing counts and quick_state equal a fresh count and choose()."""
    checked = 0
    for spec, window, fresh in kept_ranges(cloud):
        if window.breaching >= 0:
            newest = fresh[0][-spec.n:]
            hits = [bool(COMPARE[spec.operator](v, spec.threshold)) for v in fresh[0]]
            assert window.breaching == sum(hits[-spec.n:]), spec.name
            assert window.missing == sum(1 for v in newest if v != v), spec.name
            state = quick_state(spec, window)
            if state is not None:
                assert state == choose(fresh[0], hits, spec.n, spec.m, spec.treat)[0]
            checked += 1
    return checked


def _scenario(fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any], int]:
    """A run through gaps, late and early datapoints, statistic sets, arrays, fractional
    times, unit changes, redefined and deleted alarms, a learner's SetAlarmState and a new
    clock start; ``fast=False``: without the usual minute's path."""
    if not fast:
        monkeypatch.setattr(_alarms_module, "move_on", lambda *args: False)
    rng = random.Random(4)
    with Cloud(seed=1) as cloud:
        engine, store = alarms(cloud), metrics(cloud)
        cw = cloud.client("cloudwatch")
        _alarms(cloud)
        checked = 0
        for minute in range(1, 121):
            t = cloud.t + 30.0
            value = rng.choice([40.0, 45.0, 47.5, 50.0, 52.5, 60.0, 44.0, 51.0])
            if minute == 34:  # the only value, in the older period left empty at 33
                store.put("AWS/EC2", "CPUUtilization", DIMS, t - 60.0, value, unit="Percent")
            elif minute == 36:  # the only value, in another unit (then back)
                store.put("AWS/EC2", "CPUUtilization", DIMS, t, value, unit="Count")
            elif minute not in (30, 31, 32, 33, 70):  # gaps (missing data)
                store.put("AWS/EC2", "CPUUtilization", DIMS, t, value, unit="Percent")
            if minute not in (30, 31, 32, 70, 90):  # the other metric: same versions
                store.put("AWS/EC2", "CPUUtilization", OTHER, t, 100.0 - value,
                          unit="Percent")
            if minute == 8:  # a second datapoint in the newest period
                store.put("AWS/EC2", "CPUUtilization", DIMS, t + 10.0, 99.0, unit="Percent")
            if minute == 12:  # a datapoint in an older period already read
                store.put("AWS/EC2", "CPUUtilization", DIMS, t - 120.0, 1.0, unit="Percent")
            if minute == 16:  # a datapoint ahead of the range
                store.put("AWS/EC2", "CPUUtilization", DIMS, t + 120.0, 70.0, unit="Percent")
            if minute == 20:  # a statistic set (a learner's put_metric_data)
                cw.put_metric_data(Namespace="AWS/EC2", MetricData=[{
                    "MetricName": "CPUUtilization", "Dimensions": CW_DIMS, "Unit": "Percent",
                    "Timestamp": cloud.clock.start + timedelta(seconds=t + 10.0),
                    "StatisticValues": {"SampleCount": 3, "Sum": 150.0, "Minimum": 40.0,
                                        "Maximum": 60.0}}])
            if minute == 24:  # an array of datapoints
                store.put_series("AWS/EC2", "CPUUtilization", DIMS, [t + 5.0, t + 15.0],
                                 [55.0, 35.0], unit="Percent")
            if minute == 27:  # a time that is not a whole second
                store.put("AWS/EC2", "CPUUtilization", DIMS, t + 0.25, 60.0, unit="Percent")
            if minute == 38:  # another unit with a second value, then back
                store.put("AWS/EC2", "CPUUtilization", DIMS, t + 1.0, 55.0, unit="Count")
            if minute == 40:  # an alarm redefined (every Spec is parsed again)
                _put_alarm(cloud, "two-of-three", DatapointsToAlarm=2, Threshold=45.0,
                           ComparisonOperator="LessThanThreshold")
            if minute == 45:  # a learner's SetAlarmState: decided again on the same data
                cw.set_alarm_state(AlarmName="low", StateValue="ALARM", StateReason="test")
                cw.set_alarm_state(AlarmName="high", StateValue="OK", StateReason="test")
            if minute == 50:  # deleted, then created again
                cw.delete_alarms(AlarmNames=["sum"])
            if minute == 52:
                _put_alarm(cloud, "sum", Statistic="Sum", EvaluationPeriods=4,
                           DatapointsToAlarm=2)
            if minute == 60:  # more changes than the engine follows one by one
                for k in range(12):
                    store.put("AWS/EC2", "CPUUtilization", DIMS, t - 900.0 - k * 60.0, 5.0,
                              unit="Percent")
            if minute == 80:  # a new start, 30 s off the minute: other period bounds
                cloud.clock.start = cloud.clock.start + timedelta(seconds=30)
            if minute == 100:  # and back on the minute
                cloud.clock.start = cloud.clock.start - timedelta(seconds=30)
            if minute == 105:  # half a second off: period bounds that are not whole seconds
                cloud.clock.start = cloud.clock.start + timedelta(seconds=0.5)
            if minute == 110:
                cloud.clock.start = cloud.clock.start - timedelta(seconds=0.5)
            cloud.advance(minutes=1)
            if fast:
                checked += _check_windows(cloud)
        start = cloud.clock.start
        history = [(c.t_s, c.alarm_name, c.old_state, c.new_state, c.reason)
                   for c in engine.history]
        items = [it.to_api(start) for it in engine.items]
        return history, items, checked


def test_the_usual_minute_decides_as_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    slow_history, slow_items, _ = _scenario(False, monkeypatch)
    monkeypatch.undo()
    history, items, checked = _scenario(True, monkeypatch)
    assert checked > 500  # the quick alarms' counts were checked most minutes
    assert len(history) > 20  # the alarms did change state
    assert {name for _, name, *_ in history} >= {"high", "low", "two-of-three", "other"}
    assert history == slow_history
    assert items == slow_items


def test_added_one_answers_as_the_store() -> None:
    """Series.added_one is MetricStore.added_since when that is one value (else None), for
    any metric, version read since and version now, through single values, arrays and
    statistic sets on two metrics with the same versions."""
    store = MetricStore()
    keys = [metric_key("AWS/EC2", "CPUUtilization", DIMS),
            metric_key("AWS/EC2", "CPUUtilization", OTHER)]
    rng = random.Random(7)
    asked = ones = 0
    for step in range(400):
        for i, key in enumerate(keys):  # the same versions, other values
            kind = rng.random()
            if kind < 0.8:
                store.put_key(key, step * 60.0 + 30.0, float(step + 100 * i), unit="Percent")
            elif kind < 0.9:
                store.put_series(*key[:2], dict(key[2]), np.array([step * 60.0 + 1.0]),
                                 np.array([float(step)]), unit="Percent")
            elif kind < 0.95:
                store.record(key[0], {"MetricName": key[1], "Dimensions": [
                    {"Name": n, "Value": v} for n, v in sorted(key[2])],
                    "StatisticValues": {"SampleCount": 2, "Sum": 3.0, "Minimum": 1.0,
                                        "Maximum": 2.0}}, step * 60.0 + 2.0)
            else:
                store.put_key(key, step * 60.0 + 31.0, 1.0, unit="Percent")
                store.put_key(key, step * 60.0 + 32.0, 2.0, unit="Percent")
        for _ in range(3):
            key = rng.choice(keys)
            series = store.series(key)
            assert series is not None and series.version == store.version(key)
            since = series.version - rng.choice([0, 1, 1, 1, 2, 3])
            added = store.added_since(key, since)
            one = added[0] if added is not None and len(added) == 1 else None
            assert series.added_one(since) == one, (step, key, since)
            asked += 1
            ones += one is not None
    assert asked == 1200 and 300 < ones < 900  # both answers, many times


def test_data_version_is_the_metric_version_through_redefinitions() -> None:
    """Window.data_version (the version of the series kept with an alarm's range) equals
    the store's version of the alarm's metric every minute, through an alarm moved to
    another metric and back, a metric that appears after the alarm and a new clock start:
    the range's definition is part of its key (left out, a range of the old metric would
    answer for the new one)."""
    rng = random.Random(5)
    with Cloud(seed=1) as cloud:
        engine, store = alarms(cloud), metrics(cloud)
        _put_alarm(cloud, "moved")
        _put_alarm(cloud, "later", Dimensions=[{"Name": "AutoScalingGroupName",
                                                "Value": "later"}])
        checked = 0
        for minute in range(1, 61):
            t = cloud.t + 30.0
            if minute % 7:  # gaps of different minutes in the two metrics
                store.put("AWS/EC2", "CPUUtilization", DIMS, t, rng.uniform(30, 70))
            if minute % 5:
                store.put("AWS/EC2", "CPUUtilization", OTHER, t, rng.uniform(30, 70))
            if minute % 4 == 0:
                store.put("AWS/EC2", "CPUUtilization", OTHER, t + 1.0, rng.uniform(30, 70))
            if minute >= 20:
                store.put("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": "later"}, t,
                          50.0)
            if minute == 15:
                _put_alarm(cloud, "moved", Dimensions=[{"Name": "AutoScalingGroupName",
                                                        "Value": "api"}])
            if minute == 40:
                _put_alarm(cloud, "moved")
            if minute == 50:
                cloud.clock.start = cloud.clock.start + timedelta(seconds=30)
            for when in ("before", "after"):  # the minute's evaluation
                if when == "after":
                    cloud.advance(minutes=1)
                for spec in engine._load():  # the definitions now
                    window = kept(cloud).get(spec.name)
                    if window is not None:
                        assert window.data_version(spec, store) == store.version(spec.key), \
                            (minute, when, spec.name)
                        if when == "after":  # read at the version it was evaluated at
                            assert window.version == store.version(spec.key), \
                                (minute, spec.name)
                        checked += 1
        assert checked > 200
