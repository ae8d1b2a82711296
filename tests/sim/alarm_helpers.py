"""Helpers of the alarm-range tests: bitwise float lists and a metric alarm with defaults."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from cloudlab import Cloud


def same_bits(a: list[float], b: list[float]) -> bool:
    """Bit for bit, NaN equal to NaN."""
    return len(a) == len(b) and all(
        (x == y and math.copysign(1.0, x) == math.copysign(1.0, y)) or (x != x and y != y)
        for x, y in zip(a, b, strict=True))


def put_alarm(cloud: Cloud, name: str, dimensions: list[dict[str, str]],
              **overrides: Any) -> None:
    """``put_metric_alarm`` on CPUUtilization: 3 of 3 minutes above 50 unless overridden
    (an ``ExtendedStatistic`` replaces the ``Statistic``)."""
    params: dict[str, Any] = dict(
        AlarmName=name, Namespace="AWS/EC2", MetricName="CPUUtilization",
        Dimensions=dimensions, Statistic="Average", Period=60, EvaluationPeriods=3,
        DatapointsToAlarm=3, Threshold=50.0, ComparisonOperator="GreaterThanThreshold")
    params.update(overrides)
    if "ExtendedStatistic" in params:
        del params["Statistic"]
    cloud.client("cloudwatch").put_metric_alarm(**params)


def kept_ranges(cloud: Cloud) -> Iterator[tuple[Any, Any, tuple[list[float], list[float]]]]:
    """``(spec, kept range, the store's answer now)`` for each alarm whose kept range is of
    its current definition, after asserting the range equals that answer bit for bit."""
    from cloudlab.sim.cloudwatch import alarms, metrics
    from cloudlab.sim.cloudwatch.window import kept

    engine, store = alarms(cloud), metrics(cloud)
    for spec in engine._load():
        window = kept(cloud).get(spec.name)
        if window is None or window.spec is not spec:
            continue
        fresh = store.window(spec.key, spec.stat, spec.period, window.t0, spec.span)
        assert same_bits(window.values, fresh[0]), (spec.name, window.values, fresh[0])
        assert same_bits(window.counts, fresh[1]), (spec.name, window.counts, fresh[1])
        yield spec, window, fresh
