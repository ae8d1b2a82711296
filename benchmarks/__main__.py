"""`make bench`: print every benchmark figure next to its target. Nothing is asserted.

Usage: python -m benchmarks [NAME ...]   (no name: all of them, in the order below)

Each NAME runs benchmarks/bench_NAME.py and prints its figures with their targets; the
compute benchmark (the ALB + Auto Scaling day and week) takes about a minute, memory (three
lab kernels) a few. With several names, each benchmark runs in a fresh Python process, so
its figures (times and the process's peak RSS) do not depend on which benchmarks ran
before it in the same process.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

# figure name -> (target, unit of the target); figures without a target are informative
TARGETS: dict[str, tuple[str, str]] = {
    "cold_start_ratio": ("<= 1.0 (stretch 0.75)", "cloudlab / raw moto"),
    "s3_put_overhead_pct": ("<= 10", "%"),
    "sim_day_1s_elastic_s": ("<= 0.2", "s"),
    "lab01_day_1s_two_fleets_s": ("<= 0.2 per fleet", "s"),
    "grade_all_solutions_s": ("<= 300 for the full course", "s"),
    "iam_decision_200_statements_ms": ("<= 1", "ms"),
    "net_query_ms_median": ("<= 20", "ms"),
    "topology_render_90_ms": ("<= 300", "ms"),
    "alb_asg_day_1s_s": ("<= 2", "s"),
    "alb_asg_week_1min_s": ("<= 1", "s"),
    "lab09_kernel_rss_mib": ("<= 400", "MiB"),
    "lab09_kernel_peak_rss_mib": ("<= 400", "MiB"),
}
MODULES = ["cloud", "sim", "latency", "viz", "dashboard", "iam", "net", "topology", "course",
           "cloudwatch", "ebs", "compute", "memory"]
#: Where ``benchmarks`` can be imported from (a child process puts it first on its path).
_ROOT = Path(__file__).resolve().parent.parent


def run_one(name: str) -> None:
    """Run benchmarks/bench_NAME.py in this process and print its section."""
    module = importlib.import_module(f"benchmarks.bench_{name}")
    print(f"-- {name}: {(module.__doc__ or name).strip().splitlines()[0]}", flush=True)
    for figure, value in module.bench().items():
        target, unit = TARGETS.get(figure, ("", ""))
        shown = f"{target} {unit}".strip()
        print(f"{figure:34s} {value:12.4f}   {shown}", flush=True)


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):
        print(f"{(__doc__ or '').strip()}\n\nNAME is one of: {', '.join(MODULES)}")
        return 0
    chosen = argv or MODULES
    unknown = sorted(set(chosen) - set(MODULES))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {MODULES}", file=sys.stderr)
        return 2
    print(f"{'figure':34s} {'measured':>12s}   target", flush=True)
    if len(chosen) == 1:
        run_one(chosen[0])
        return 0
    failed = []
    for name in chosen:  # each in its own interpreter; its output goes straight through
        code = (f"import sys; sys.path.insert(0, {str(_ROOT)!r}); "
                f"from benchmarks.__main__ import run_one; run_one({name!r})")
        if subprocess.run([sys.executable, "-c", code], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"benchmark(s) {failed} failed (their error is above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
