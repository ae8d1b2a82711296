"""Benchmark of the latency model: one day of a tier at 1-minute resolution.

``tier_latency`` for 1,440 samples (a virtual day, one per minute) of a 20-server tier whose
demand swings from calm to overload, so every branch of the model runs. Figures are
printed, never asserted.

Run: ``.venv/bin/python -m benchmarks.bench_latency``
"""

from __future__ import annotations

from benchmarks._timing import median_s


def bench() -> dict[str, float]:
    """Median wall-clock seconds of each latency figure (7 runs each)."""
    import numpy as np

    from cloudlab.sim.latency import MMc, tier_latency

    minutes = np.arange(1440.0)
    # 10 ms per request on 20 servers is 2,000 req/s of capacity; demand peaks at 2,400
    demand = 1300.0 - 1100.0 * np.cos(2 * np.pi * minutes / 1440.0)
    servers = np.full(minutes.shape, 20)
    return {
        "latency_day_1min_20_servers_s": median_s(
            lambda: tier_latency(demand, servers, service_ms=10)
        ),
        "mmc_p99_one_queue_s": median_s(
            lambda: MMc(1900.0, 100.0, 20).response_time_quantile_s(0.99)
        ),
    }


if __name__ == "__main__":
    for name, value in bench().items():
        print(f"{name:32s} {value * 1000:9.3f} ms")
