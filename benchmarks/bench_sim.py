"""Benchmark of the simulation core: one virtual day at 1-second resolution.

Target (issue): a day (86,400 steps) of BusinessHours + Spike + Noise traffic served by an
ElasticFleet in <= 0.2 s wall. Figures are printed, never asserted.

Run: ``.venv/bin/python -m benchmarks.bench_sim``
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks._timing import median_s


def bench() -> dict[str, float]:
    """Median wall-clock seconds of each simulation figure (>= 5 runs each)."""
    import numpy as np

    from cloudlab.cloud import Cloud
    from cloudlab.sim import (
        BusinessHours,
        ElasticFleet,
        FixedFleet,
        Noise,
        Scenario,
        ScheduledFleet,
        Spike,
    )

    traffic = (BusinessHours(50, 2000) + Spike(3000, at=19, duration_h=2)) * Noise(0.05)
    t_day = np.arange(86400.0)
    figures: dict[str, float] = {}
    with Cloud(seed=0) as cloud:
        figures["traffic_day_1s_s"] = median_s(
            lambda: traffic.rps(t_day, start=cloud.clock.start, rng=cloud.rng("traffic"))
        )
        for key, fleet in (
            ("sim_day_1s_elastic_s", ElasticFleet("m5.large")),
            ("sim_day_1s_fixed_s", FixedFleet("m5.large", 16)),
            ("sim_day_1s_scheduled_s", ScheduledFleet("m5.large", 16)),
        ):
            # each repetition simulates the next virtual day on the same cloud
            figures[key] = median_s(_day_runner(cloud, Scenario(traffic, fleet)))
        week = Scenario(traffic, ElasticFleet("m5.large"))
        figures["sim_week_1s_elastic_s"] = median_s(
            lambda: cloud.run(week, days=7, progress=False), repeats=5
        )
    return figures


def _day_runner(cloud: Any, scenario: Any) -> Callable[[], object]:
    return lambda: cloud.run(scenario, days=1, progress=False)


if __name__ == "__main__":
    for name, value in bench().items():
        print(f"{name:28s} {value * 1000:9.1f} ms")
