"""MetricStore.put_row (rows of datapoints, buffered for metrics nobody read) holds and
publishes exactly what putting each datapoint with put_key gives, through reads, other
writes, new metrics, unit changes and errors."""

from __future__ import annotations

import math
import sys
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from cloudlab import Cloud
from cloudlab.errors import InvalidScenario
from cloudlab.sim.cloudwatch import metrics
from cloudlab.sim.cloudwatch.metrics import MetricStore, metric_key

CPU = [metric_key("AWS/EC2", "CPUUtilization", {"InstanceId": f"i-{n}"}) for n in range(4)]
REQ = metric_key("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": "app/web/1"})
UNITS = {k: "Percent" for k in CPU} | {REQ: "Count"}


def _minute(m: int) -> tuple[list[Any], list[float]]:
    """The metrics of minute ``m`` (instances come and go) and their values."""
    keys = [CPU[i] for i in range(4) if (m // 7 + i) % 3] + [REQ]
    return keys, [float((m * 13 + 7 * j) % 97) + 0.25 for j in range(len(keys))]


def _script(store: MetricStore, rows: bool) -> None:
    """A run's writes (with rows or datapoint by datapoint) and reads in between."""
    for m in range(60):
        keys, values = _minute(m)
        if rows:
            store.put_row(store.layout(keys, [UNITS[k] for k in keys]), m * 60.0, values)
        else:
            for key, value in zip(keys, values, strict=True):
                store.put_key(key, m * 60.0, value, unit=UNITS[key])
        if m == 10:
            store.version(CPU[1])  # read once: its later datapoints are written at once
        if m == 20:  # another writer on a metric whose datapoints are in rows
            store.put_key(CPU[2], m * 60.0 + 1, 5.0, unit="Count")
        if m == 30:
            store.put_series("AWS/EC2", "CPUUtilization", {"InstanceId": "i-3"},
                             np.array([m * 60.0 - 90, m * 60.0 + 2]), np.array([1.0, 2.0]))
        if m == 40:
            assert store.window(REQ, "Sum", 60, 0.0, 45)[0][39] == _minute(39)[1][-1]
        if m >= 50:  # read every minute, as an alarm does
            store.aggregate(CPU[0], "Maximum", 60, 0.0, m * 60.0 + 60)


def _state(store: MetricStore) -> list[Any]:
    out: list[Any] = []
    store.pending  # noqa: B018 - the buffered rows are added first
    for key, series in store._series.items():  # insertion order: flush publishes in it
        out.append((key, series.unit, series.version, series.latest, list(series._log),
                    [c.tolist() for c in series.columns()], series.pending,
                    [c.tolist() for c in series.take_pending()]))
    return out


def test_rows_hold_what_putting_each_datapoint_holds():
    by_rows, by_key = MetricStore(), MetricStore()
    _script(by_rows, rows=True)
    _script(by_key, rows=False)
    assert len(by_rows._rows) > 0  # some rows were still buffered at the end
    assert _state(by_rows) == _state(by_key)


def test_every_read_sees_the_buffered_rows():
    for read in (lambda s, k: s.version(k), lambda s, k: s.unit(k),
                 lambda s, k: s.datapoints(k), lambda s, k: s.latest(k),
                 lambda s, k: s.added_since(k, 0),
                 lambda s, k: s.window(k, "Average", 60, 0.0, 5)[0],
                 lambda s, k: s.aggregate(k, "Sum", 60, 0.0, 600.0)[1].tolist(),
                 lambda s, k: s.pending):
        by_rows, by_key = MetricStore(), MetricStore()
        for m in range(5):
            keys, values = _minute(m)
            by_rows.put_row(by_rows.layout(keys, [UNITS[k] for k in keys]), m * 60.0, values)
            for key, value in zip(keys, values, strict=True):
                by_key.put_key(key, m * 60.0, value, unit=UNITS[key])
            assert read(by_rows, REQ) == read(by_key, REQ)
            assert (CPU[1] in by_rows) == (CPU[1] in by_key)
            assert list(by_rows) == list(by_key)


def test_a_non_finite_value_is_refused_after_the_ones_before_it():
    by_rows, by_key = MetricStore(), MetricStore()
    keys = [CPU[0], CPU[1], REQ]
    values = [1.0, math.nan, 3.0]
    layout = by_rows.layout(keys, [UNITS[k] for k in keys])
    by_rows.put_row(layout, 0.0, [0.5, 0.5, 0.5])
    with pytest.raises(InvalidScenario, match="CPUUtilization must have finite t_s and value"):
        by_rows.put_row(layout, 60.0, values)
    by_key.put_key(CPU[0], 0.0, 0.5, unit="Percent")
    by_key.put_key(CPU[1], 0.0, 0.5, unit="Percent")
    by_key.put_key(REQ, 0.0, 0.5, unit="Count")
    with pytest.raises(InvalidScenario):
        for key, value in zip(keys, values, strict=True):
            by_key.put_key(key, 60.0, value, unit=UNITS[key])
    assert _state(by_rows) == _state(by_key)


def _published(cloud: Cloud, monkeypatch: Any) -> list[dict[str, Any]]:
    """The put_metric_data requests metrics(cloud).flush() makes."""
    module = sys.modules["cloudlab.sim.cloudwatch.metrics"]
    client = module._fast_client(cloud)
    calls: list[dict[str, Any]] = []
    real = client.put_metric_data

    def put_metric_data(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(client, "put_metric_data", put_metric_data)
    metrics(cloud).flush()
    return calls


def test_flush_publishes_the_same_datums(monkeypatch):
    published = []
    for rows in (True, False):
        with Cloud(seed=1) as cloud:
            _script(metrics(cloud), rows=rows)
            published.append(_published(cloud, monkeypatch))
            stats = cloud.client("cloudwatch").get_metric_statistics(
                Namespace="AWS/EC2", MetricName="CPUUtilization",
                Dimensions=[{"Name": "InstanceId", "Value": "i-0"}],
                StartTime=cloud.clock.start,
                EndTime=cloud.clock.start + timedelta(hours=2),
                Period=60,
                Statistics=["Average"])["Datapoints"]
            published[-1].append(sorted((d["Timestamp"], d["Average"]) for d in stats))
    assert published[0] == published[1]
    assert len(published[0]) >= 3


def test_folding_rows_keeps_the_collector_off_older_objects_and_restores_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a long run's waiting rows to their series (~250,000 datapoints after a week)
    freezes older objects and makes young collections rarer while it works, as a run does;
    afterwards the collector is as it was."""
    import gc

    from webstack import build_stack

    from cloudlab.sim import Constant, WebTraffic
    from cloudlab.sim._collector import BUSY_GC_ALLOCATIONS

    seen = []
    fold = MetricStore._fold_blocks

    def spy(blocks):  # type: ignore[no-untyped-def]
        seen.append((gc.get_freeze_count() > 0, gc.get_threshold()[0]))
        return fold(blocks)

    monkeypatch.setattr(MetricStore, "_fold_blocks", staticmethod(spy))
    with Cloud(seed=4) as cloud:
        build_stack(cloud, asg={"MinSize": 2, "MaxSize": 4, "DesiredCapacity": 2})
        cloud.run(WebTraffic(Constant(200), to="web", step_s=60), hours=1, progress=False)
        seen.clear()
        before = gc.get_threshold()
        assert metrics(cloud).pending > 0  # folds the rows the run left
        assert seen == [(True, BUSY_GC_ALLOCATIONS)]
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0
