"""MetricStore.aggregate answered from an alarm's per-period grid (Series.few_periods) gives
what aggregate() over the columns gives, bit for bit, through every kind of change."""

from __future__ import annotations

import numpy as np
import pytest

from cloudlab.sim.cloudwatch.metrics import MetricStore, metric_key
from cloudlab.sim.cloudwatch.series import aggregate, parse_percentile

KEY = metric_key("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": "web"})


def _fresh(store: MetricStore, stat: str, period: float, t0: float, t1: float) -> tuple:
    series = store._series[KEY]
    return aggregate(series.columns(), stat, parse_percentile(stat), period, t0, t1)


def _same(a: tuple, b: tuple) -> bool:
    return all(x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y)
               for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("stat", ["Average", "Sum", "Minimum", "Maximum", "SampleCount", "p90"])
@pytest.mark.parametrize("change", ["half-second", "half-second array", "statistic set"])
def test_few_periods_from_the_grid_equal_aggregate(stat, change):
    store = MetricStore()
    answered = 0
    for minute in range(1, 80):
        t = (minute - 1) * 60.0
        store.put_key(KEY, t, 40.0 + (minute * 7) % 23, unit="Percent")
        if minute % 9 == 0:  # two datapoints in one period
            store.put_key(KEY, t + 30.0, 71.0, unit="Percent")
        if minute == 20:  # out of order
            store.put_key(KEY, t - 300.0, 5.0, unit="Percent")
        if minute == 30:  # an array
            store.put_series(*KEY[:2], dict(KEY[2]), [t + 1.0, t + 61.0], [9.0, 11.0])
        if minute == 50:  # from now on the grid no longer answers
            if change == "half-second":  # a time that is not a whole second
                store.put_key(KEY, t + 0.5, 33.0, unit="Percent")
            elif change == "half-second array":
                store.put_series(*KEY[:2], dict(KEY[2]), [t + 2.0, t + 0.5], [1.0, 2.0])
            else:  # a statistic set (a period with data may count 0 samples)
                store._series[KEY].add_statistic_set(t + 2.0, 0.0, 0.0, 0.0, 0.0)
        store.window(KEY, stat, 60, t - 240.0, 5)  # the alarm's read keeps the grid
        for t0, t1 in ((t - 60.0, t), (t, t + 60.0), (t - 300.0, t + 60.0), (t - 30.0, t + 90.0)):
            got = store.aggregate(KEY, stat, 60, t0, t1)
            assert _same(got, _fresh(store, stat, 60.0, t0, t1)), (minute, t0, t1, got)
        answered += store._series[KEY].few_periods(stat, parse_percentile(stat), 60.0,
                                                   t - 60.0, t) is not None
    assert answered == 49  # the grid answered until minute 50
