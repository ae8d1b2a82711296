"""Benchmark of the chart: rendering one virtual day recorded every second.

Prints figures; never asserts on them (a benchmark is not a test). Run with
``.venv/bin/python -m benchmarks.bench_viz`` (or through ``make bench``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from benchmarks._timing import REPEATS, median_s
from cloudlab.viz import DemandCapacityChart, render_svg


class _DayRecorder:
    """One day at 1 s (86,400 samples per series), shaped like a scenario run."""

    def __init__(self) -> None:
        self.t_s = np.arange(86_400.0)
        self.start = datetime(2026, 1, 5, tzinfo=UTC)
        self.step_s = 1.0
        self.events: list[object] = []
        self.units: dict[str, str] = {}
        rng = np.random.default_rng(0)
        hour = self.t_s / 3600.0
        demand = (300 + 900 * np.exp(-(((hour - 13.5) / 3.0) ** 2))) * rng.lognormal(
            0, 0.05, 86_400
        )
        capacity = np.full_like(demand, 1000.0)
        instances = np.full_like(demand, 5.0)
        self._series = {
            "demand_rps": demand,
            "capacity_rps": capacity,
            "unmet_rps": np.maximum(demand - capacity, 0.0),
            "instances": instances,
            "cost_usd": np.cumsum(instances * 0.096 / 3600.0),
        }
        self.names = list(self._series)

    def __getitem__(self, name: str) -> np.ndarray:
        return self._series[name]

    def upto(self, i: int) -> _DayRecorder:
        view = _DayRecorder.__new__(_DayRecorder)
        view.__dict__.update(self.__dict__)
        view.t_s = self.t_s[:i]
        view._series = {k: v[:i] for k, v in self._series.items()}
        return view


def _timed(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    return median_s(fn, repeats, warmup=False)  # warmed up by the caller


def bench() -> dict[str, float]:
    """Median wall times (seconds) and SVG size (bytes) of the chart on a 1-day 1-s run."""
    rec = _DayRecorder()
    render_svg(rec)  # warm-up: imports, font cache
    svg = render_svg(rec, title="one day at 1 s")
    widget = DemandCapacityChart(title="live")
    return {
        "render_svg_1day_1s_s": _timed(lambda: render_svg(rec, title="one day at 1 s")),
        "render_svg_half_day_live_s": _timed(
            lambda: render_svg(rec.upto(43_200), t_end_s=86_399.0)
        ),
        "widget_update_final_s": _timed(lambda: widget.update(rec, 86_400)),
        "svg_bytes_1day_1s": float(len(svg.encode())),
    }


if __name__ == "__main__":
    for name, value in bench().items():
        print(f"{name:32s} {value:10.4f}" if value < 1000 else f"{name:32s} {value:10.0f}")
