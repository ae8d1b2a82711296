"""What the repeating Auto Scaling alarm action reads and writes, against plain references:
the handler lookup (kept per ARN until a registration changes), the history timestamps and
the metric value a policy acts on (read from the per-period grid)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from cloudlab import Cloud
from cloudlab.cloud.clock import DEFAULT_START
from cloudlab.sim.autoscaling.policies import _latest, _metric_of
from cloudlab.sim.cloudwatch.actions import (
    _iso,
    handler_for,
    register_alarm_action,
    timestamp,
    unregister_alarm_action,
)
from cloudlab.sim.cloudwatch.alarms import alarms
from cloudlab.sim.cloudwatch.metrics import metrics
from cloudlab.sim.cloudwatch.window import kept_statistic

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


@pytest.fixture
def lambda_prefixes() -> Iterator[None]:
    saved = {p: handler_for(p + "x") for p in ("arn:aws:lambda:", "arn:aws:lambda:us-east-1:")}
    try:
        yield
    finally:
        for prefix in saved:
            unregister_alarm_action(prefix)
        for prefix, previous in saved.items():
            if previous is not None and handler_for(prefix + "x") is not previous:
                register_alarm_action(prefix, previous)


def test_the_handler_of_an_arn_follows_every_registration(lambda_prefixes: None) -> None:
    def first(*_: Any) -> None: ...
    def longer(*_: Any) -> None: ...
    def replaced(*_: Any) -> None: ...

    register_alarm_action("arn:aws:lambda:", first)
    assert handler_for(ARN) is first
    register_alarm_action("arn:aws:lambda:us-east-1:", longer)  # the longest prefix wins
    assert handler_for(ARN) is longer
    register_alarm_action("arn:aws:lambda:us-east-1:", replaced)
    assert handler_for(ARN) is replaced
    unregister_alarm_action("arn:aws:lambda:us-east-1:")
    assert handler_for(ARN) is first
    unregister_alarm_action("arn:aws:lambda:")
    assert handler_for(ARN) is None


@pytest.mark.parametrize("start", [
    datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 5, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2026, 1, 5, 12, tzinfo=timezone(timedelta(hours=2))), datetime(2026, 1, 5),
    datetime(999, 12, 31, 23, 59, tzinfo=UTC), datetime(1, 1, 1)])
def test_history_timestamps_are_what_strftime_writes(start: datetime) -> None:
    for seconds in (0.0, 0.0004, 0.0015, 59.9996, 60.0, 86_399.999_9, 86_400.0, 604_800.25,
                    -3_600.0):
        try:
            when = start + timedelta(seconds=seconds)
        except OverflowError:
            continue
        expected = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"
        assert _iso(when) == expected
        assert timestamp(start, seconds) == expected  # what run_action writes


def _reference(cloud: Cloud, alarm: dict[str, Any]) -> float | None:
    """_latest as it was: the statistic of the last full period, computed alone."""
    period = int(alarm.get("Period") or 60)
    end = math.floor(cloud.t / period) * period
    stat = alarm.get("Statistic") or alarm.get("ExtendedStatistic") or "Average"
    dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []}
    _, values = metrics(cloud).statistic(alarm["Namespace"], alarm["MetricName"], dims, stat,
                                         period, end - period, end)
    return float(values[-1]) if len(values) else None


def _same(a: float | None, b: float | None) -> bool:
    return a == b or (a is not None and b is not None and math.isnan(a) and math.isnan(b))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # 0 / 0
@pytest.mark.parametrize("stat", [{"Statistic": s} for s in
                                  ("Average", "Sum", "Minimum", "Maximum", "SampleCount")]
                         + [{"ExtendedStatistic": "p90"}])
@pytest.mark.parametrize("period", [60, 300])
def test_the_value_a_policy_acts_on_is_the_statistic_of_the_last_period(
        stat: dict[str, str], period: int) -> None:
    with Cloud(seed=1) as cloud:
        store = metrics(cloud)
        dims = {"AutoScalingGroupName": "web"}
        alarm = {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "Period": period,
                 "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "web"}], **stat}
        checked = []
        for minute in range(40):
            t = minute * 60.0
            if minute % 7 == 3:
                pass  # a minute without data
            elif minute % 5 == 0:  # several datapoints in one minute
                for k, v in enumerate((10.0, 70.0, 35.5)):
                    store.put("AWS/EC2", "CPUUtilization", dims, t + 10 * k, v)
            elif minute % 11 == 4:  # a statistic set (no percentile), once of zero samples
                store.record("AWS/EC2", {"MetricName": "CPUUtilization", "Dimensions": [
                    {"Name": "AutoScalingGroupName", "Value": "web"}], "StatisticValues": {
                    "SampleCount": float(minute % 2), "Sum": 40.0 * (minute % 2),
                    "Minimum": 40.0, "Maximum": 40.0}}, t)
            else:
                store.put("AWS/EC2", "CPUUtilization", dims, t + 30, 20.0 + minute)
            for _ in range(3):  # at the start of each minute and within it
                got, want = _latest(cloud, alarm), _reference(cloud, alarm)
                assert _same(got, want), (cloud.t, got, want)
                checked.append(got)
                cloud.advance(seconds=20)
        assert any(v is None for v in checked) and any(v is not None for v in checked)


def test_a_redefined_alarm_is_read_from_its_new_metric() -> None:
    # The metric of an alarm is kept per describe_alarms entry: put_metric_alarm with the
    # same name gives the engine a new entry, which may watch another metric.
    with Cloud(seed=1) as cloud:
        store = metrics(cloud)
        for group, value in (("web", 30.0), ("api", 80.0)):
            store.put("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": group}, 30.0, value)
        cloud.advance(seconds=60)

        def alarm(group: str, period: int = 60) -> dict[str, Any]:
            return {"AlarmName": "high", "Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                    "Statistic": "Maximum", "Period": period,
                    "Dimensions": [{"Name": "AutoScalingGroupName", "Value": group}]}
        assert _latest(cloud, alarm("web")) == 30.0
        assert _latest(cloud, alarm("api")) == 80.0
        assert _latest(cloud, alarm("api", 120)) is None  # no full 2-minute period yet


def _put_alarm(cloud: Cloud, name: str, **overrides: Any) -> None:
    params: dict[str, Any] = dict(
        AlarmName=name, Namespace="AWS/EC2", MetricName="CPUUtilization",
        Dimensions=[{"Name": "AutoScalingGroupName", "Value": "web"}], Statistic="Average",
        Period=60, EvaluationPeriods=3, DatapointsToAlarm=3, Threshold=50.0,
        ComparisonOperator="GreaterThanThreshold")
    params.update(overrides)
    if "ExtendedStatistic" in params:
        del params["Statistic"]
    cloud.client("cloudwatch").put_metric_alarm(**params)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # 0 / 0
@pytest.mark.parametrize("offset_s", [0, 30])
def test_the_value_taken_from_the_alarms_kept_range_is_the_stores(offset_s: int) -> None:
    """After each evaluation, the value a policy acts on (taken from the range its alarm
    just read when that is sure) equals the store's, through every kind of change, for
    the engine's alarms and for alarms that differ from them in one part of what is read
    (statistic, period, metric). With a clock that starts 30 s into a minute, the alarms'
    periods (aligned to the epoch) are not the policy's (aligned to the clock): never
    taken from the range."""
    start = DEFAULT_START + timedelta(seconds=offset_s)
    with Cloud(seed=1, start=start) as cloud:
        engine, store = alarms(cloud), metrics(cloud)
        cw = cloud.client("cloudwatch")
        def put(t: float, value: float, unit: str = "Percent") -> None:
            # "web" and its twin get as many datapoints (the same data versions), with
            # other values
            for group, plus in (("web", 0.0), ("twin", 1.0)):
                store.put("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": group}, t,
                          value + plus, unit=unit)

        _put_alarm(cloud, "avg")
        _put_alarm(cloud, "sum", Statistic="Sum", Threshold=100.0)
        _put_alarm(cloud, "count", Statistic="SampleCount", Threshold=1.5)
        _put_alarm(cloud, "p90", ExtendedStatistic="p90", EvaluationPeriods=2,
                   DatapointsToAlarm=1)
        _put_alarm(cloud, "max5", Statistic="Maximum", Period=300, EvaluationPeriods=2,
                   DatapointsToAlarm=2)
        _put_alarm(cloud, "unit", Unit="Percent", ComparisonOperator="LessThanThreshold")
        taken = compared = 0
        cloud.advance(seconds=30)
        for minute in range(1, 61):  # from 30 s into each minute
            t = cloud.t
            if minute not in (20, 21):  # 20-21: a gap (missing data)
                put(t, 30.0 + (minute * 37) % 50)
            if minute == 8:  # a second datapoint in a period
                put(t - 20.0, 99.0)
            if minute in (12, 13):  # statistic sets, one of zero samples
                cw.put_metric_data(Namespace="AWS/EC2", MetricData=[{
                    "MetricName": "CPUUtilization", "Unit": "Percent",
                    "Dimensions": [{"Name": "AutoScalingGroupName", "Value": group}],
                    "Timestamp": cloud.clock.start + timedelta(seconds=t + 10.0),
                    "StatisticValues": {"SampleCount": float(minute - 12),
                                        "Sum": 60.0 * (minute - 12), "Minimum": 60.0,
                                        "Maximum": 60.0}} for group in ("web", "twin")])
            if minute == 28:  # another unit
                put(t + 1.0, 55.0, "Count")
            if minute == 40:  # an alarm now reads another metric
                _put_alarm(cloud, "avg", Dimensions=[
                    {"Name": "AutoScalingGroupName", "Value": "api"}])
            if minute >= 40:
                store.put("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": "api"}, t,
                          10.0 + minute)
            cloud.advance(seconds=30)  # to the minute: the alarms evaluate
            for step in range(3):
                if step == 1 and minute % 3 == 0:  # a datapoint after the evaluation
                    put(cloud.t - 15.0, 42.0)
                for alarm in engine.definitions():
                    for variant in (alarm, {**alarm, "Period": 2 * alarm["Period"]},
                                    {**alarm, "Statistic": "Minimum"},
                                    {**alarm, "Dimensions": [
                                        {"Name": "AutoScalingGroupName", "Value": "twin"}]}):
                        got, want = _latest(cloud, variant), _reference(cloud, variant)
                        assert _same(got, want), (minute, step, variant, got, want)
                        compared += 1
                        taken += _taken(cloud, variant)
                cloud.advance(seconds=10)
        assert compared > 2000
        if offset_s:
            assert taken == 0
        else:
            assert taken > 500
        assert len(engine.history) > 6


def _taken(cloud: Cloud, alarm: dict[str, Any]) -> bool:
    """Whether _latest would take the value from the alarm's kept range."""
    store, key, stat, period = _metric_of(cloud, alarm)
    end = math.floor(cloud.t / period) * period
    return kept_statistic(cloud, store, alarm["AlarmName"], key, stat, period,
                          float(end - period)) is not None
