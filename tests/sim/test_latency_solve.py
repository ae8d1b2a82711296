"""tier_latency's percentile solve computes what does not depend on the time once (b * lam,
-shift, and _IntExp's parts of k) instead of at each bisection step: the same bits as
calling _int_exp every time, for calm, busy, overloaded and server-less samples."""

from __future__ import annotations

import numpy as np
import pytest

from cloudlab.sim import latency
from cloudlab.sim.latency import _int_exp, tier_latency


class _Naive:
    """_IntExp's reference: _int_exp itself, every call."""

    def __init__(self, k: np.ndarray) -> None:
        self.k = k

    def __call__(self, c0: np.ndarray, m: np.ndarray) -> np.ndarray:
        return _int_exp(c0, self.k, m)


@pytest.mark.parametrize("service_ms", [10.0, 20.0 / 3, 7.3, 250.0])
def test_the_solve_gives_the_bits_of_calling_int_exp_each_step(monkeypatch, service_ms):
    rng = np.random.default_rng(7)
    servers = rng.integers(0, 41, 3000)
    capacity = servers * 1000.0 / service_ms
    # calm, near full, exactly full and overloaded samples, and a few with no demand
    demand = capacity * rng.choice([0.0, 0.3, 0.9, 0.999, 1.0, 1.2, 4.0], 3000)
    demand[::97] = 0.0
    fields = ("p50_ms", "p95_ms", "p99_ms", "error_rate", "served_rps", "utilization")
    got = tier_latency(demand, servers, service_ms=service_ms, timeout_ms=3000.0,
                       extra_hop_ms=0.6)
    monkeypatch.setattr(latency, "_IntExp", _Naive)
    want = tier_latency(demand, servers, service_ms=service_ms, timeout_ms=3000.0,
                        extra_hop_ms=0.6)
    for name in fields:
        assert getattr(got, name).tobytes() == getattr(want, name).tobytes(), name
