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
from cloudlab.sim.autoscaling.policies import _latest
from cloudlab.sim.cloudwatch.actions import (
    _iso,
    handler_for,
    register_alarm_action,
    unregister_alarm_action,
)
from cloudlab.sim.cloudwatch.metrics import metrics

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
    for seconds in (0.0, 0.0004, 0.0015, 59.9996, 86_399.999_9, 604_800.25):
        try:
            when = start + timedelta(seconds=seconds)
        except OverflowError:
            continue
        expected = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"
        assert _iso(when) == expected


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
