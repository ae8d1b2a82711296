"""The course as a whole: lab 01's simulated day, and grading every solution.

Figures are medians; grading runs each solution in a fresh kernel exactly as
``cloudlab grade`` does.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5


def lab01_day() -> dict[str, float]:
    """One virtual day at 1 s of lab 01's Experiment (fixed for the peak + elastic)."""
    from cloudlab import Cloud
    from cloudlab.checks.lab01 import lab_traffic
    from cloudlab.sim import ElasticFleet, Experiment, FixedFleet, instances_needed

    times = []
    with Cloud(seed=42) as cloud:
        traffic = lab_traffic()
        need = instances_needed(traffic.peak(days=1, seed=42), "m5.large")
        experiment = Experiment(traffic, {
            "fixed for the peak": FixedFleet("m5.large", need),
            "elastic": ElasticFleet("m5.large", target_utilization=0.7),
        })
        cloud.run(experiment, hours=24, progress=False)  # warm-up
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            cloud.run(experiment, hours=24, progress=False)
            times.append(time.perf_counter() - t0)
    return {"lab01_day_1s_two_fleets_s": statistics.median(times)}


def grade_all_solutions(repeats: int = 3) -> dict[str, float]:
    """Wall seconds to execute and grade every solution notebook (fresh kernel each)."""
    from cloudlab.grading import grade_notebook

    solutions = sorted((ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))
    totals = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for path in solutions:
            grade = grade_notebook(path)
            assert grade.score == grade.max_score, f"{path.name} no longer grades full marks"
        totals.append(time.perf_counter() - t0)
    return {
        "grade_all_solutions_s": statistics.median(totals),
        "solutions_graded": float(len(solutions)),
    }


def bench() -> dict[str, float]:
    return {**lab01_day(), **grade_all_solutions()}


if __name__ == "__main__":
    for name, value in bench().items():
        print(f"{name:32s} {value:10.3f}")
