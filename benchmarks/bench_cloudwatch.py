"""CloudWatch on the virtual clock: alarm evaluation over a day, publishing metrics to moto.

Figures (medians of a few runs, each on a fresh cloud whose first CloudWatch call is made
before timing):

- ``cw_eval_50_alarms_day_s``: 50 alarms (1-minute period, 2 out of 3) on 50 metrics with a
  day of per-minute datapoints, advanced one virtual day (72,000 evaluations).
- ``cw_eval_per_alarm_minute_us``: the same, per evaluation of one alarm.
- ``cw_eval_flapping_50_alarms_day_s``: the worst case: random data makes the alarms
  change state about 13,000 times a day (each change: history, reason text, SNS-free).
- ``cw_flush_20_metrics_day_s``: publishing a day of per-minute datapoints of 20 metrics
  (28,800 datums, 29 ``put_metric_data`` calls).
- ``cw_flush_per_1000_ms``: the same per 1,000 datums (moto itself is most of it).
- ``cw_read_one_metric_after_day_s``: the first ``get_metric_statistics`` of one metric
  after that day (publishes only the metric it reads).

Run: ``python -m benchmarks.bench_cloudwatch`` (or ``python -m benchmarks cloudwatch``).
Nothing is asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import numpy as np

from cloudlab import Cloud
from cloudlab.sim.cloudwatch import alarms, metrics

MINUTES = 1440
REPEATS = 3


def _fresh() -> Cloud:
    cloud = Cloud(seed=1)
    cloud.client("cloudwatch").describe_alarms()  # moto's first call costs ~1 s: not ours
    return cloud


def _alarm_day(flapping: bool) -> tuple[float, int]:
    cloud = _fresh()
    store, engine = metrics(cloud), alarms(cloud)
    cw = cloud.client("cloudwatch")
    rng = cloud.rng("bench")
    t = np.arange(MINUTES) * 60.0 + 30
    for k in range(50):
        if flapping:
            cpu = rng.uniform(0, 100, MINUTES)
        else:  # a business day: quiet nights, a busy afternoon, some noise
            hour = t / 3600
            cpu = 30 + 45 * np.exp(-((hour - 14 - k % 5) / 2.5) ** 2) + rng.normal(0, 3, MINUTES)
        store.put_series("App", "CPUUtilization", {"Node": f"n{k}"}, t, cpu, unit="Percent")
        cw.put_metric_alarm(
            AlarmName=f"cpu-{k}", Namespace="App", MetricName="CPUUtilization",
            Dimensions=[{"Name": "Node", "Value": f"n{k}"}], Statistic="Average", Period=60,
            EvaluationPeriods=3, DatapointsToAlarm=2, Threshold=70.0,
            ComparisonOperator="GreaterThanThreshold")
    t0 = time.perf_counter()
    cloud.advance(days=1)
    elapsed = time.perf_counter() - t0
    cloud.stop()
    return elapsed, len(engine.history)


def _flush_day() -> tuple[float, float]:
    cloud = _fresh()
    store = metrics(cloud)
    t = np.arange(MINUTES) * 60.0 + 30
    for k in range(20):
        store.put_series("App", f"Metric{k}", {"Fleet": "web"}, t, np.sin(t / 3600 + k) + 1)
    t0 = time.perf_counter()
    store.flush()
    flushed = time.perf_counter() - t0
    for k in range(20):
        store.put_series("App", f"Metric{k}", {"Fleet": "web"}, t + 86400, np.ones(MINUTES))
    t0 = time.perf_counter()
    cloud.client("cloudwatch").get_metric_statistics(
        Namespace="App", MetricName="Metric0", Dimensions=[{"Name": "Fleet", "Value": "web"}],
        StartTime=cloud.now, EndTime=cloud.now + timedelta(days=2), Period=3600,
        Statistics=["Average"])
    read = time.perf_counter() - t0
    cloud.stop()
    return flushed, read


def _median(fn: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    runs = [fn() for _ in range(REPEATS)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))


def bench() -> dict[str, float]:
    """The figures listed in the module docstring."""
    day_s, transitions = _median(lambda: _alarm_day(False))
    flap_s, flaps = _median(lambda: _alarm_day(True))
    flush_s, read_s = _median(_flush_day)
    return {
        "cw_eval_50_alarms_day_s": day_s,
        "cw_eval_per_alarm_minute_us": day_s / (50 * MINUTES) * 1e6,
        "cw_eval_day_transitions": transitions,
        "cw_eval_flapping_50_alarms_day_s": flap_s,
        "cw_eval_flapping_transitions": flaps,
        "cw_flush_20_metrics_day_s": flush_s,
        "cw_flush_per_1000_ms": flush_s / (20 * MINUTES) * 1e6,
        "cw_read_one_metric_after_day_s": read_s,
    }


def main() -> None:
    for name, value in bench().items():
        print(f"{name:34s} {value:12.4f}")


if __name__ == "__main__":
    main()
