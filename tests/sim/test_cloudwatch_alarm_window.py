"""The alarm engine's kept evaluation range (AlarmEngine._window, window.advance) and its quick
state rule (AlarmEngine._choose) give exactly what reading the store afresh and
evaluation.choose give, through every kind of change a metric or an alarm can get."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from alarm_helpers import kept_ranges, put_alarm
from hypothesis import assume, given
from hypothesis import strategies as st

from cloudlab import Cloud
from cloudlab.sim.cloudwatch import alarms, metrics
from cloudlab.sim.cloudwatch.evaluation import (
    COMPARE,
    COMPARISONS,
    TREATMENTS,
    _iso,
    _stamp,
    choose,
)

DIMS = {"InstanceId": "i-1"}
CW_DIMS = [{"Name": "InstanceId", "Value": "i-1"}]


def _put_alarm(cloud: Cloud, name: str, **overrides: Any) -> None:
    put_alarm(cloud, name, CW_DIMS, **overrides)


def _check_kept_ranges(cloud: Cloud) -> int:
    """Every kept range equals the store's answer now; returns how many were checked."""
    return sum(1 for _ in kept_ranges(cloud))


def test_kept_range_equals_a_fresh_read_through_every_kind_of_change():
    with Cloud(seed=1) as cloud:
        engine, store = alarms(cloud), metrics(cloud)
        cw = cloud.client("cloudwatch")
        _put_alarm(cloud, "avg")
        _put_alarm(cloud, "count", Statistic="SampleCount", Threshold=1.5)
        _put_alarm(cloud, "p90", ExtendedStatistic="p90", EvaluationPeriods=2,
                   DatapointsToAlarm=1)
        _put_alarm(cloud, "max5", Statistic="Maximum", Period=300, EvaluationPeriods=2,
                   DatapointsToAlarm=1)
        _put_alarm(cloud, "unit", Unit="Percent", ComparisonOperator="LessThanThreshold")
        _put_alarm(cloud, "low", EvaluationPeriods=5, DatapointsToAlarm=4,
                   ComparisonOperator="LessThanThreshold", Threshold=45.0)
        checked = 0
        for minute in range(1, 61):
            t = (minute - 1) * 60.0
            value = 30.0 + (minute * 37) % 50
            if minute not in (40, 41, 42):  # 40-42: a gap (missing data)
                store.put("AWS/EC2", "CPUUtilization", DIMS, t, value, unit="Percent")
            if minute == 8:  # a second datapoint in a period the range already holds
                store.put("AWS/EC2", "CPUUtilization", DIMS, t - 30.0, 99.0, unit="Percent")
            if minute == 12:  # a datapoint ahead of the range (read when the range gets there)
                store.put("AWS/EC2", "CPUUtilization", DIMS, t + 180.0, 77.0, unit="Percent")
            if minute == 16:  # a statistic set (a learner's put_metric_data)
                cw.put_metric_data(Namespace="AWS/EC2", MetricData=[{
                    "MetricName": "CPUUtilization", "Dimensions": CW_DIMS, "Unit": "Percent",
                    "Timestamp": cloud.clock.start + timedelta(seconds=t + 10.0),
                    "StatisticValues": {"SampleCount": 3, "Sum": 240.0, "Minimum": 70.0,
                                        "Maximum": 90.0}}])
            if minute == 20:  # an array of datapoints, one ahead of the range
                store.put_series("AWS/EC2", "CPUUtilization", DIMS, [t + 5.0, t + 150.0],
                                 [10.0, 20.0], unit="Percent")
            if minute == 24:  # a time that is not a whole second
                store.put("AWS/EC2", "CPUUtilization", DIMS, t + 20.25, 60.0, unit="Percent")
            if minute == 28:  # another unit, then back
                store.put("AWS/EC2", "CPUUtilization", DIMS, t + 1.0, 55.0, unit="Count")
            if minute == 29:
                store.put("AWS/EC2", "CPUUtilization", DIMS, t + 1.0, 55.0, unit="Percent")
            if minute == 32:  # the alarm changes what it reads: the kept range is not its
                _put_alarm(cloud, "avg", Statistic="SampleCount")
            if minute == 36:  # more changes than the engine follows one by one
                for k in range(12):
                    store.put("AWS/EC2", "CPUUtilization", DIMS, t - 600.0 - k * 60.0, 5.0,
                              unit="Percent")
            if minute == 50:  # a learner's SetAlarmState: decided again on the same data
                cw.set_alarm_state(AlarmName="low", StateValue="ALARM", StateReason="test")
            cloud.advance(minutes=1)
            checked += _check_kept_ranges(cloud)
        assert checked >= 5 * 55
        assert len(engine.history) > 6  # the alarms did change state


def test_kept_range_through_a_period_longer_than_the_datapoints():
    """A 5-minute alarm over a metric published every minute: most minutes add a second
    datapoint to a period the range holds (the store is read), the others move it on."""
    with Cloud(seed=1) as cloud:
        store = metrics(cloud)
        _put_alarm(cloud, "avg5", Period=300, EvaluationPeriods=2, DatapointsToAlarm=2)
        for minute in range(1, 31):
            store.put("AWS/EC2", "CPUUtilization", DIMS, (minute - 1) * 60.0,
                      40.0 + minute, unit="Percent")
            cloud.advance(minutes=1)
            _check_kept_ranges(cloud)


values_st = st.lists(st.one_of(st.just(math.nan), st.floats(0, 100, allow_nan=False)),
                     min_size=3, max_size=20)


@given(values=values_st, n=st.integers(1, 18), m=st.integers(1, 18),
       treat=st.sampled_from(TREATMENTS), operator=st.sampled_from(sorted(COMPARISONS)),
       threshold=st.floats(0, 100))
def test_quick_state_rule_equals_choose(values, n, m, treat, operator, threshold):
    from cloudlab.sim.cloudwatch.alarms import AlarmEngine

    n = min(n, len(values))
    m = min(m, n)

    class Spec:  # the fields _choose reads
        pass

    spec: Any = Spec()
    spec.operator, spec.threshold, spec.n, spec.m, spec.treat = operator, threshold, n, m, treat
    hits = [bool(COMPARE[operator](v, threshold)) for v in values]
    assert AlarmEngine._choose(spec, values) == choose(values, hits, n, m, treat)[0]


@given(when=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       aware=st.booleans())
def test_reason_timestamps_are_strftime(when, aware):
    """The reason's timestamps, written with format specs, are strftime's."""
    start = datetime(1, 1, 1, tzinfo=UTC if aware else None)
    t = (when.replace(tzinfo=start.tzinfo) - start).total_seconds()
    at = start + timedelta(seconds=t)
    assert _stamp(start, t) == at.strftime("%d/%m/%y %H:%M:%S")
    assert _iso(start, t) == at.strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{at.microsecond // 1000:03d}+0000"


@given(start=st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 1),
                          timezones=st.sampled_from([None, UTC,
                                                     timezone(timedelta(hours=-5))])),
       seconds=st.integers(-10**9, 10**9), whole_start=st.booleans())
def test_reason_timestamps_of_whole_seconds_are_strftime(start, seconds, whole_start):
    """Whole seconds from a start (the periods of a range) are split into days and seconds
    of the day: the same text as strftime of start + timedelta."""
    if whole_start:
        start = start.replace(microsecond=0)
    try:
        at = start + timedelta(seconds=float(seconds))
    except OverflowError:  # past year 9999: no datetime to compare with
        at = None
    assume(at is not None and 1000 <= at.year <= 9999)
    assert at is not None
    assert _stamp(start, float(seconds)) == at.strftime("%d/%m/%y %H:%M:%S")
    assert _iso(start, float(seconds)) == at.strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{at.microsecond // 1000:03d}+0000"


def test_reason_timestamps_follow_the_start_they_are_given():
    """The day and second of the day of a start are kept for the start last seen: starts
    taken in turn (none, one with microseconds, others in other zones and days) each give
    strftime's text."""
    starts = [None, datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 5, 23, 59, 59),
              datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2))),
              datetime(2026, 1, 5, 0, 0, 0, 500_000, tzinfo=UTC), datetime(1999, 12, 31)]
    for seconds in (0.0, 59.0, 86_400.0, 3_600.5, -61.0, 604_800.0):
        for start in starts * 2:
            at = (start or datetime(1970, 1, 1)) + timedelta(seconds=seconds)
            assert _stamp(start, seconds) == at.strftime("%d/%m/%y %H:%M:%S")
            assert _iso(start, seconds) == at.strftime("%Y-%m-%dT%H:%M:%S.") + \
                f"{at.microsecond // 1000:03d}+0000"


def test_kept_range_moved_by_one_period_with_one_new_value():
    """The usual minute (one period on, one new value in the newest period) is moved along
    in place; one value elsewhere (ahead of the range, in an older period left empty, at
    a time not a whole second, just before the range's end), two values, or the range not
    moved on, is not that case."""
    with Cloud(seed=1) as cloud:
        store = metrics(cloud)
        _put_alarm(cloud, "avg", EvaluationPeriods=3, DatapointsToAlarm=1)
        _put_alarm(cloud, "max5", Statistic="Maximum", Period=300, EvaluationPeriods=2,
                   DatapointsToAlarm=1)
        cloud.advance(seconds=30)
        checked = 0
        for minute in range(1, 41):
            t = cloud.t  # 30 s into the minute the next evaluation reads last
            if minute == 10:  # only a value ahead of the range
                t += 120.0
            elif minute == 14:  # only a value in an older period, empty until now
                t -= 120.0
            elif minute == 17:  # a time that is not a whole second
                t += 0.25
            elif minute == 21:  # just before the end of the period
                t = math.nextafter(t + 30.0, -math.inf)
            if minute not in (13, 20):  # 13, 20: nothing (14 fills the gap of 12-13)
                store.put("AWS/EC2", "CPUUtilization", DIMS, t, 40.0 + minute,
                          unit="Percent")
            if minute == 25:  # two values in the newest period
                store.put("AWS/EC2", "CPUUtilization", DIMS, t + 10.0, 90.0, unit="Percent")
            cloud.advance(seconds=30 if minute % 7 else 60)  # (every 7th: a minute more)
            checked += _check_kept_ranges(cloud)
            cloud.advance(seconds=30)
        assert checked >= 70
