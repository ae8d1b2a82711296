"""Benchmark of the scaling dashboard: one virtual day recorded every second, and a week.

Prints figures; never asserts on them (a benchmark is not a test). Run with
``.venv/bin/python -m benchmarks.bench_dashboard`` (or ``python -m benchmarks dashboard``).
The recorder holds every series of the dashboard's contract: demand, served, capacity,
errors, p50/p95/p99 (NaN while there is no traffic), instances in 3 AZs, desired,
healthy hosts and cost, plus alarm, scaling, spike and failure markers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from benchmarks._timing import REPEATS, median_s
from cloudlab.sim import Marker, Recorder
from cloudlab.viz import ScalingDashboard
from cloudlab.viz.dashboard_render import render_dashboard_svg

AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
PER_INSTANCE_RPS = 150.0


def synthetic_run(days: float = 1.0, step_s: float = 1.0, seed: int = 0) -> Recorder:
    """Business hours with a flash sale each day at 15:00; desired tracks demand at 70 % CPU
    in steps of 2 instances, re-decided every 5 minutes, instances boot for 5 minutes."""
    t = np.arange(0.0, days * 86_400.0, step_s)
    hour = t / 3600.0 % 24
    rng = np.random.default_rng(seed)
    demand = (150 + 1100 * np.exp(-(((hour - 13) / 3) ** 2))) * rng.lognormal(0, 0.05, t.size)
    demand += np.where((hour >= 15) & (hour < 16), 2000.0, 0.0)
    demand[hour < 0.25] = 0.0
    per_5min = int(300 / step_s) or 1
    decided = np.maximum.reduceat(demand, np.arange(0, t.size, per_5min))
    desired = np.repeat(
        np.clip(2 * np.ceil(decided / (PER_INSTANCE_RPS * 0.7) / 2), 2, 40), per_5min
    )[: t.size]
    running = np.minimum(desired, np.concatenate([desired[:per_5min], desired[:-per_5min]]))
    per_az = {az: np.floor((running + 2 - k) / 3) for k, az in enumerate(AZS)}
    capacity = running * PER_INSTANCE_RPS
    served = np.minimum(demand, capacity)
    util = served / capacity
    quiet = demand == 0
    p95 = np.where(quiet, np.nan, 45 + 150 * util**8)
    changes = np.flatnonzero(np.diff(desired)) + 1
    events = [
        Marker(
            float(t[i]),
            f"desired {desired[i]:g}",
            "scale_out" if desired[i] > desired[i - 1] else "scale_in",
        )
        for i in changes
    ]
    for day in range(int(np.ceil(days))):
        base = day * 86_400.0
        events += [
            Marker(base + 14.9 * 3600, "cpu-high: ALARM", "alarm"),
            Marker(base + 15.2 * 3600, "cpu-high: OK", "alarm_ok"),
            Marker(base + 15 * 3600, "flash sale", "spike"),
            Marker(base + 16 * 3600, "sale ends", "spike_end"),
        ]
    events.append(Marker(18 * 3600.0, "us-east-1b outage", "failure"))
    rec = Recorder(t, start=datetime(2026, 1, 5, tzinfo=UTC), step_s=step_s, events=events)
    for name, values in {
        "demand_rps": demand,
        "served_rps": served,
        "capacity_rps": capacity,
        "errors_rps": demand - served,
        "p50_ms": np.where(quiet, np.nan, 20 + 15 * util**3),
        "p95_ms": p95,
        "p99_ms": 1.6 * p95,
        "instances": running,
        "desired": desired,
        "healthy_hosts": running,
        "cost_usd": np.cumsum(running * 0.096 * step_s / 3600.0),
        **{f"instances:{az}": n for az, n in per_az.items()},
    }.items():
        rec.add(name, values)
    return rec


def _timed(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    return median_s(fn, repeats, warmup=False)  # warmed up by the caller


def bench() -> dict[str, float]:
    """Median wall times (seconds) and SVG sizes (bytes) of the dashboard."""
    day = synthetic_run()
    week = synthetic_run(days=7, step_s=60.0)
    render_dashboard_svg(day)  # warm-up: imports, font cache
    svg_day = render_dashboard_svg(day, title="one day at 1 s", slo_p95_ms=150)
    svg_week = render_dashboard_svg(week, title="one week at 60 s", slo_p95_ms=150)
    widget = ScalingDashboard(title="live", slo_p95_ms=150)
    half = day.upto(43_200)
    return {
        "dashboard_render_1day_1s_s": _timed(
            lambda: render_dashboard_svg(day, title="one day at 1 s", slo_p95_ms=150)
        ),
        "dashboard_render_half_day_live_s": _timed(
            lambda: render_dashboard_svg(half, t_end_s=86_399.0, progress_text="t = 12:00")
        ),
        "dashboard_render_1week_60s_s": _timed(lambda: render_dashboard_svg(week), repeats=3),
        "dashboard_update_final_s": _timed(lambda: widget.update(day, 86_400)),
        "dashboard_svg_bytes_1day_1s": float(len(svg_day.encode())),
        "dashboard_svg_bytes_1week_60s": float(len(svg_week.encode())),
    }


def main() -> None:
    """Print every figure of :func:`bench`."""
    for name, value in bench().items():
        print(f"{name:36s} {value:10.4f}" if value < 1000 else f"{name:36s} {value:10.0f}")


if __name__ == "__main__":
    main()
