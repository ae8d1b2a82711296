"""The CloudWatch metric store: statistics, learners' put_metric_data, publishing on read
(cloudlab.sim.cloudwatch.metrics and its hooks)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlab import Cloud
from cloudlab.errors import InvalidScenario
from cloudlab.sim.cloudwatch import MAX_DATUMS_PER_CALL, MetricStore, metrics

DIMS = {"InstanceId": "i-1"}
CW_DIMS = [{"Name": "InstanceId", "Value": "i-1"}]


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    c = Cloud(seed=1)
    try:
        yield c
    finally:
        c.stop()


def count_puts(cloud: Cloud) -> list[int]:
    """Datums per put_metric_data request that reaches the backend, from now on."""
    sizes: list[int] = []

    def hook(event_name: str, params: Any = None, **_: Any) -> None:
        import json

        sizes.append(len(json.loads(params["body"])["MetricData"]))

    cloud.on("before-call.cloudwatch.PutMetricData", hook)
    return sizes


def backend_stats(cloud: Cloud, stat: str = "Average", minutes: int = 60
                  ) -> list[tuple[float, float]]:
    """(seconds since start, value) per minute of CPUUtilization of i-1, from the backend."""
    answer = cloud.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": "q", "MetricStat": {
            "Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                       "Dimensions": CW_DIMS}, "Period": 60, "Stat": stat}}],
        StartTime=cloud.clock.start, EndTime=cloud.clock.start + timedelta(minutes=minutes),
        ScanBy="TimestampAscending")
    result = answer["MetricDataResults"][0]
    return [((ts - cloud.clock.start).total_seconds(), v)
            for ts, v in zip(result["Timestamps"], result["Values"], strict=True)]


# -- statistics -----------------------------------------------------------------------------

def test_statistics_per_period_and_missing_periods_absent():
    store = MetricStore()
    t = np.array([0.0, 30, 60, 90, 200, 210])  # nothing in [120, 180)
    v = np.array([1.0, 3, 10, 20, 5, 7])
    store.put_series("App", "Lat", DIMS, t, v)
    starts, avg = store.statistic("App", "Lat", DIMS, "Average", 60, 0, 240)
    assert starts.tolist() == [0.0, 60.0, 180.0]
    assert avg.tolist() == [2.0, 15.0, 6.0]
    assert store.statistic("App", "Lat", DIMS, "Sum", 60, 0, 240)[1].tolist() == [4, 30, 12]
    assert store.statistic("App", "Lat", DIMS, "Minimum", 60, 0, 240)[1].tolist() == [1, 10, 5]
    assert store.statistic("App", "Lat", DIMS, "Maximum", 60, 0, 240)[1].tolist() == [3, 20, 7]
    assert store.statistic("App", "Lat", DIMS, "SampleCount", 60, 0, 240)[1].tolist() == [
        2, 2, 2]


def test_only_periods_fully_inside_the_window():
    store = MetricStore()
    store.put_series("App", "Lat", DIMS, np.arange(0.0, 300, 10), np.ones(30))
    starts, _ = store.statistic("App", "Lat", DIMS, "Sum", 60, 30, 290)
    assert starts.tolist() == [30.0, 90.0, 150.0, 210.0]  # [270, 330) sticks out


def test_percentile_is_nearest_rank_of_single_values():
    store = MetricStore()
    t = np.repeat([0.0, 60.0], 100) + np.tile(np.arange(100) * 0.5, 2)
    v = np.concatenate([np.arange(1.0, 101), np.arange(101.0, 201)])
    store.put_series("App", "Lat", DIMS, t, v)
    starts, p95 = store.statistic("App", "Lat", DIMS, "p95", 60, 0, 120)
    assert p95.tolist() == [95.0, 195.0]
    assert store.statistic("App", "Lat", DIMS, "p99.5", 60, 0, 60)[1].tolist() == [100.0]
    assert store.statistic("App", "Lat", DIMS, "p100", 60, 0, 60)[1].tolist() == [100.0]


def test_metric_identity_is_the_exact_dimension_set():
    store = MetricStore()
    store.put("App", "Lat", {"A": "1", "B": "2"}, 0, 5.0)
    assert store.statistic("App", "Lat", {"B": "2", "A": "1"}, "Sum", 60, 0, 60)[1].tolist() == [
        5.0]
    assert len(store.statistic("App", "Lat", {"A": "1"}, "Sum", 60, 0, 60)[0]) == 0


def test_bad_input_is_refused_with_a_clear_message():
    store = MetricStore()
    with pytest.raises(InvalidScenario, match="unknown statistic 'Median'"):
        store.statistic("App", "Lat", DIMS, "Median", 60, 0, 60)
    with pytest.raises(InvalidScenario, match="same length, got 2 times and 3 values"):
        store.put_series("App", "Lat", DIMS, np.zeros(2), np.zeros(3))
    with pytest.raises(InvalidScenario, match="finite"):
        store.put("App", "Lat", DIMS, 0, float("nan"))
    with pytest.raises(InvalidScenario, match="period_s must be > 0"):
        store.statistic("App", "Lat", DIMS, "Sum", 0, 0, 60)


# -- publishing to the backend --------------------------------------------------------------

def test_sim_series_is_visible_through_get_metric_data_after_flush_on_read(cloud):
    store = metrics(cloud)
    t = np.arange(0.0, 600, 60) + 5
    store.put_series("AWS/EC2", "CPUUtilization", DIMS, t, np.arange(10.0) * 10,
                     unit="Percent")
    assert store.pending == 10
    answer = cloud.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": "cpu", "MetricStat": {
            "Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                       "Dimensions": CW_DIMS}, "Period": 60, "Stat": "Average"}}],
        StartTime=cloud.clock.start, EndTime=cloud.clock.start + timedelta(minutes=10),
        ScanBy="TimestampAscending")
    result = answer["MetricDataResults"][0]
    assert result["Values"] == [i * 10.0 for i in range(10)]
    assert result["Timestamps"][0] == cloud.clock.start
    assert store.pending == 0


def test_flush_batches_at_most_1000_datums_per_call(cloud):
    store = metrics(cloud)
    sizes = count_puts(cloud)
    store.put_series("App", "Requests", {}, np.arange(2500.0), np.ones(2500))
    store.put("Other", "Requests", {}, 0, 1.0)
    assert store.flush() == 2501
    assert sizes == [1000, 1000, 500, 1]  # one namespace per call, in name order
    assert max(sizes) <= MAX_DATUMS_PER_CALL
    assert store.flush() == 0 and len(sizes) == 4


def test_a_read_publishes_only_the_metrics_it_reads(cloud):
    store = metrics(cloud)
    store.put_series("AWS/EC2", "CPUUtilization", DIMS, np.arange(0.0, 300, 60), np.ones(5))
    store.put_series("AWS/EC2", "NetworkIn", DIMS, np.arange(0.0, 300, 60), np.ones(5))
    assert [v for _, v in backend_stats(cloud)] == [1.0] * 5
    assert store.pending == 5  # NetworkIn is published only when something reads it
    names = {m["MetricName"] for m in cloud.client("cloudwatch").list_metrics(
        Namespace="AWS/EC2")["Metrics"]}
    assert names == {"CPUUtilization", "NetworkIn"} and store.pending == 0


def test_values_sharing_a_timestamp_travel_as_one_datum_with_counts(cloud):
    store = metrics(cloud)
    sizes = count_puts(cloud)
    store.put_series("AWS/EC2", "CPUUtilization", DIMS, np.full(6, 30.0),
                     np.array([1.0, 2, 2, 3, 3, 3]))
    store.flush()
    assert sizes == [1]
    assert backend_stats(cloud, stat="SampleCount") == [(0.0, 6.0)]


# -- learners' put_metric_data ---------------------------------------------------------------

def test_learner_datapoints_are_mirrored_and_not_published_again(cloud):
    store = metrics(cloud)
    cw = cloud.client("cloudwatch")
    cloud.advance(minutes=3)
    cw.put_metric_data(Namespace="AWS/EC2", MetricData=[
        {"MetricName": "CPUUtilization", "Dimensions": CW_DIMS, "Value": 42.0},
        {"MetricName": "CPUUtilization", "Dimensions": CW_DIMS,
         "Timestamp": cloud.clock.start + timedelta(seconds=70), "Values": [1.0, 2.0],
         "Counts": [1.0, 3.0]},
        {"MetricName": "CPUUtilization", "Dimensions": CW_DIMS,
         "Timestamp": cloud.clock.start + timedelta(seconds=130),
         "StatisticValues": {"SampleCount": 4, "Sum": 40, "Minimum": 5, "Maximum": 15}},
    ])
    starts, sums = store.statistic("AWS/EC2", "CPUUtilization", DIMS, "Sum", 60, 0, 240)
    assert starts.tolist() == [60.0, 120.0, 180.0]  # the Value without Timestamp is "now"
    assert sums.tolist() == [7.0, 40.0, 42.0]
    counts = store.statistic("AWS/EC2", "CPUUtilization", DIMS, "SampleCount", 60, 0, 240)[1]
    assert counts.tolist() == [4.0, 4.0, 1.0]
    assert store.pending == 0
    # the backend got virtual time for the datum without Timestamp (moto would use the wall
    # clock), and holds each datapoint once
    assert backend_stats(cloud, stat="Sum", minutes=4) == [(60.0, 7.0), (120.0, 40.0),
                                                           (180.0, 42.0)]


def test_calls_to_other_regions_are_left_alone(cloud):
    store = metrics(cloud)
    cloud.client("cloudwatch", region="eu-west-1").put_metric_data(
        Namespace="App", MetricData=[{"MetricName": "Lat", "Value": 1.0}])
    assert len(store) == 0


def test_reset_drops_the_store_and_hooks_do_not_pile_up(cloud):
    store = metrics(cloud)
    store.put("App", "Lat", {}, 0, 1.0)
    cloud.reset()
    fresh = metrics(cloud)
    assert fresh is not store and len(fresh) == 0 and fresh.pending == 0
    metrics(cloud)
    cloud.client("cloudwatch").put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Lat", "Value": 2.0}])
    assert metrics(cloud).datapoints(("App", "Lat", frozenset())) == 1


@pytest.mark.parametrize("module", ["metrics", "evaluation", "actions", "validation"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"cloudlab.sim.cloudwatch.{module}"))
    assert result.attempted > 0 and result.failed == 0


@settings(max_examples=200, deadline=None)
@given(ops=st.lists(st.tuples(st.integers(0, 40), st.floats(0, 100), st.booleans()),
                    min_size=1, max_size=30),
       stat=st.sampled_from(["Average", "Sum", "Minimum", "Maximum", "SampleCount", "p90"]),
       period=st.sampled_from([10.0, 60.0]), start=st.integers(-5, 45))
def test_the_per_period_cache_always_matches_a_fresh_computation(ops, stat, period, start):
    """Series.window answers from a grid it updates only where data changed; whatever the
    order of puts and reads, it must equal computing the window from scratch."""
    from cloudlab.sim.cloudwatch.series import Series, parse_percentile

    series = Series("None")
    q = parse_percentile(stat)
    for minute_ish, value, read in ops:
        series.add(minute_ish * 7.5, value, publish=False)
        if read:
            t0 = start * period
            got = series.window(stat, q, period, t0, 5)
            want = series._direct(stat, q, period, t0, 5)
            assert np.allclose(got[0], want[0], equal_nan=True)
            assert got[1] == want[1]


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(st.tuples(st.integers(0, 90), st.floats(-1e6, 1e6), st.integers(0, 3),
                              st.booleans()), min_size=1, max_size=40),
       stat=st.sampled_from(["Average", "Sum", "Minimum", "Maximum", "SampleCount", "p90"]),
       period=st.sampled_from([60.0, 300.0]), periods=st.sampled_from([3, 5, 17]))
def test_the_per_period_cache_gives_the_same_bits_as_a_fresh_computation(ops, stat, period,
                                                                          periods):
    """Alarms decide on Series.window; its plain-float path for periods holding one
    datapoint each must give exactly what numpy's aggregate gives, statistic sets too."""
    from cloudlab.sim.cloudwatch.series import Series, parse_percentile

    series = Series("None")
    q = parse_percentile(stat)
    for minute, value, kind, read in ops:
        if kind == 0:
            series.add_statistic_set(minute * 60.0, value, 3.0, value - 1.0, value + 1.0)
        else:
            series.add(minute * 60.0, value, publish=False)
        if read:
            t0 = (minute // (period / 60) + 1) * period - periods * period
            got = series.window(stat, q, period, t0, periods)
            want = series._direct(stat, q, period, t0, periods)
            assert [repr(v) for v in got[0]] == [repr(v) for v in want[0]]
            assert got[1] == want[1]
