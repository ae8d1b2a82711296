"""tier_latency against a plain copy of it as it was before its calm fast path and the
bisection's stop at the fixed point: the same bits for every field, on calm weeks (which
take the fast path), busy ones, overload, samples without servers or demand, and huge
demand (which take the general path)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cloudlab.sim.latency import MMc, _erlang_b_vec, tier_latency


def _int_exp(c0: np.ndarray, k: np.ndarray, m: np.ndarray) -> np.ndarray:
    positive = np.abs(k) > 0
    safe = np.where(positive, np.abs(k), 1.0)
    e1 = np.where(positive, -np.expm1(-safe * m) / safe, m)
    return np.exp(c0 + np.maximum(0.0, k * m)) * e1


def _solve_cdf(cdf, q, hi):
    lo = np.zeros_like(hi)
    hi = hi.copy()
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        below = cdf(mid) < q
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return hi


def _reference(demand, servers, service_ms, timeout_ms, extra_hop_ms):
    """tier_latency's arithmetic at 6a32de1, every bisection step, no shortcut."""
    lam = np.asarray(demand, dtype=float)
    n = np.asarray(servers, dtype=float).astype(np.int64)
    mu = 1000.0 / service_ms
    tau = timeout_ms / 1000.0
    none = n == 0
    n_safe = np.where(none, 1, n)
    capacity = n_safe * mu
    theta = capacity - lam
    b = _erlang_b_vec(n_safe - 1, lam / mu)
    shift = np.maximum(0.0, -theta * tau)
    w0 = np.exp(-shift)
    w1 = b * lam * _int_exp(-shift, -theta, np.full_like(lam, tau))
    w2 = b * lam * np.exp(-np.maximum(theta * tau, 0.0)) / capacity
    total = w0 + w1 + w2
    error = np.where(none, np.where(lam > 0, 1.0, 0.0), w2 / total)

    def cdf(t):
        m = np.minimum(t, tau)
        served = w0 * -np.expm1(-mu * t) + b * lam * (
            _int_exp(-shift, -theta, m) - _int_exp(-shift - mu * t, mu - theta, m)
        )
        return (served + np.where(t >= tau, w2, 0.0)) / total

    qs = np.array([[0.5], [0.95], [0.99]])
    hi = tau + np.log(1.0 / (1.0 - qs)) / mu + np.zeros_like(lam)
    seconds = _solve_cdf(cdf, qs, hi)
    ms = np.where(none, timeout_ms, seconds * 1000.0) + extra_hop_ms
    return {"p50_ms": ms[0], "p95_ms": ms[1], "p99_ms": ms[2], "error_rate": error,
            "served_rps": lam * (1.0 - error),
            "utilization": np.where(none, np.where(lam > 0, np.inf, 0.0), lam / capacity)}


def _same(demand, servers, service_ms, timeout_ms=3000.0, extra_hop_ms=0.6):
    got = tier_latency(demand, servers, service_ms=service_ms, timeout_ms=timeout_ms,
                       extra_hop_ms=extra_hop_ms)
    want = _reference(demand, servers, service_ms, timeout_ms, extra_hop_ms)
    for name, value in want.items():
        assert getattr(got, name).tobytes() == value.tobytes(), name


SERVICES = [10.0, 20.0 / 3, 7.3, 250.0, 0.01]


@pytest.mark.parametrize("service_ms", SERVICES)
@pytest.mark.parametrize("timeout_ms", [3000.0, 50.0, 1.0])
def test_calm_samples_take_the_fast_path_with_the_same_bits(service_ms, timeout_ms):
    rng = np.random.default_rng(11)
    servers = rng.integers(2, 41, 2000)
    capacity = servers * 1000.0 / service_ms
    # utilisation 0.2 .. 0.85 and 0.999: every sample drains, serving's rate is below 0
    _same(capacity * rng.choice([0.2, 0.5, 0.85, 0.999], 2000), servers, service_ms,
          timeout_ms)
    # one server: serving's rate mu - theta is the demand (> 0); mixed with two servers
    ones = rng.integers(1, 3, 2000)
    _same(ones * 1000.0 / service_ms * rng.uniform(0.01, 0.99, 2000), ones, service_ms,
          timeout_ms)


@pytest.mark.parametrize("service_ms", SERVICES)
def test_busy_overloaded_empty_and_huge_samples_give_the_same_bits(service_ms):
    rng = np.random.default_rng(7)
    servers = rng.integers(0, 41, 3000)
    capacity = np.maximum(servers, 1) * 1000.0 / service_ms
    demand = capacity * rng.choice([0.0, 0.3, 0.9, 0.999, 1.0, 1.2, 4.0, 1e6], 3000)
    demand[::97] = 0.0
    demand[::101] = 1e300
    _same(demand, servers, service_ms)
    # an empty series, a series without any server, one without demand, one at exactly
    # full utilisation
    _same(np.zeros(0), np.zeros(0, dtype=int), service_ms)
    _same(np.full(50, 100.0), np.zeros(50, dtype=int), service_ms)
    _same(np.zeros(50), rng.integers(0, 5, 50), service_ms)
    _same(np.full(50, 4 * 1000.0 / service_ms), np.full(50, 4), service_ms)
    # one overloaded sample among calm ones sends the whole series down the general path
    calm = capacity * 0.5
    calm[17] = capacity[17] * 3.0
    _same(calm, servers, service_ms)


def test_a_single_mmc_percentile_is_unchanged_by_the_stop_at_the_fixed_point():
    q = MMc(arrival_rps=80, service_rps_per_server=10, servers=10)
    p_wait = q.p_wait
    hi = np.array([2.0 * math.log(2.0 / (1.0 - 0.99)) / min(10.0, q._drain_rps)])
    want = _solve_cdf(lambda t: q._cdf(t, p_wait), np.array([0.99]), hi)[0]
    assert q.response_time_quantile_s(0.99) == want
