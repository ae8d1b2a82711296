"""Tests of the queueing latency model: Erlang C, M/M/c percentiles, a tier over time.

The analytic model is checked three ways: against known values and a direct textbook formula,
against a seeded discrete-event simulation of the same queue written here with numpy and a
heap, and with Hypothesis properties that must hold for any load.
"""

from __future__ import annotations

import heapq
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlab.errors import InvalidScenario
from cloudlab.sim.latency import (
    LatencySeries,
    MMc,
    erlang_c,
    inter_az_rtt_ms,
    latency_info,
    mean_response_s,
    tier_latency,
)

PROPS = settings(max_examples=60, deadline=None)


def direct_erlang_c(c: int, a: float) -> float:
    """Erlang C from its textbook definition, summed in log space (independent of the module)."""
    log_terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    log_top = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
    peak = max([*log_terms, log_top])
    below = sum(math.exp(t - peak) for t in log_terms)
    top = math.exp(log_top - peak)
    return top / (below + top)


def simulate(
    lam: float, mu: float, c: int, *, customers: int, seed: int, timeout_s: float = math.inf
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FIFO queue with ``c`` servers, Poisson arrivals, exponential service.

    A customer whose wait would exceed ``timeout_s`` leaves at ``timeout_s`` without being
    served. Returns (waits, client-observed response times, served flags) after a warm-up.
    """
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / lam, customers)).tolist()
    services = rng.exponential(1.0 / mu, customers).tolist()
    free = [0.0] * c  # a heap of the times each server becomes free
    waits = np.empty(customers)
    response = np.empty(customers)
    served = np.ones(customers, dtype=bool)
    for i, (arrive, service) in enumerate(zip(arrivals, services, strict=True)):
        start = max(arrive, free[0])
        wait = start - arrive
        waits[i] = wait
        if wait > timeout_s:
            served[i] = False
            response[i] = timeout_s
            continue
        heapq.heapreplace(free, start + service)
        response[i] = wait + service
    warm = customers // 20
    return waits[warm:], response[warm:], served[warm:]


# ------------------------------------------------------------------------------ Erlang C


def test_one_server_waits_with_probability_rho():
    for rho in (0.0, 0.1, 0.5, 0.93):
        assert erlang_c(1, rho) == pytest.approx(rho, abs=1e-15)


def test_two_servers_one_erlang_is_one_third():
    exact = Fraction(1, 3)
    assert erlang_c(2, 1.0) == pytest.approx(float(exact), rel=1e-14)


@pytest.mark.parametrize(
    ("c", "a"), [(10, 8.0), (3, 2.5), (50, 45.0), (200, 180.0), (1000, 950.0), (1000, 10.0)]
)
def test_erlang_c_matches_the_direct_formula(c, a):
    assert erlang_c(c, a) == pytest.approx(direct_erlang_c(c, a), rel=1e-10)


def test_textbook_value_ten_servers_eight_erlangs():
    assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=5e-5)


def test_erlang_c_is_one_when_unstable_and_zero_without_load():
    assert erlang_c(4, 4.0) == 1.0
    assert erlang_c(4, 9.5) == 1.0
    assert erlang_c(4, 0.0) == 0.0


@pytest.mark.parametrize(
    ("servers", "load", "message"),
    [
        (0, 1.0, "servers must be >= 1 (a queue needs at least one server), got 0"),
        (-3, 1.0, "servers must be >= 1"),
        (2.5, 1.0, "servers must be a whole number, got 2.5"),
        (
            2,
            -1.0,
            "offered_load must be >= 0 (arrival rate / service rate per server, in "
            "Erlangs), got -1",
        ),
        (2, float("nan"), "offered_load must be a finite number"),
        (2, "1", "offered_load must be a number, got str"),
    ],
)
def test_erlang_c_rejects_bad_input(servers, load, message):
    with pytest.raises(InvalidScenario) as err:
        erlang_c(servers, load)
    assert message in str(err.value)


# ------------------------------------------------------------------------------ M/M/c


def test_mmc_closed_forms_for_one_server():
    q = MMc(arrival_rps=60, service_rps_per_server=100, servers=1)
    assert q.utilization == pytest.approx(0.6)
    assert q.p_wait == pytest.approx(0.6)
    # M/M/1: response time is exponential with rate mu - lambda
    assert q.mean_response_s == pytest.approx(1 / 40)
    for p in (0.5, 0.95, 0.99):
        assert q.response_time_quantile_s(p) == pytest.approx(-math.log(1 - p) / 40, rel=1e-12)


def test_mmc_percentiles_are_named_in_ms():
    q = MMc(arrival_rps=80, service_rps_per_server=10, servers=10)
    out = q.percentiles_ms()
    assert list(out) == ["p50_ms", "p95_ms", "p99_ms"]
    assert out["p95_ms"] == pytest.approx(q.response_time_quantile_s(0.95) * 1000)


def test_unstable_mmc_has_infinite_waits():
    q = MMc(arrival_rps=200, service_rps_per_server=100, servers=2)
    assert not q.stable
    assert q.p_wait == 1.0
    assert q.mean_wait_s == math.inf
    assert q.response_time_quantile_s(0.5) == math.inf


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"arrival_rps": -1, "service_rps_per_server": 1, "servers": 1},
            "arrival_rps must be >= 0, got -1",
        ),
        (
            {"arrival_rps": 1, "service_rps_per_server": 0, "servers": 1},
            "service_rps_per_server must be > 0 (1000 / service_ms), got 0",
        ),
        ({"arrival_rps": 1, "service_rps_per_server": 1, "servers": 0}, "servers must be >= 1"),
    ],
)
def test_mmc_rejects_bad_input(kwargs, message):
    with pytest.raises(InvalidScenario) as err:
        MMc(**kwargs)
    assert message in str(err.value)


@pytest.mark.parametrize("q", [0.0, 1.0, 1.5, -0.1])
def test_quantile_must_be_strictly_between_zero_and_one(q):
    with pytest.raises(InvalidScenario) as err:
        MMc(1, 2, 1).response_time_quantile_s(q)
    assert "q must be a probability strictly between 0 and 1" in str(err.value)


# Measured with the seeds below (relative differences, simulated vs analytic; 190,000
# customers after the warm-up). One server is the noisiest case (seeds 11-15 spread its
# mean wait over -1.7%..0%); more servers average more independent work.
#   c=1,  rho=0.6:  mean wait -1.7%, p95 response -1.4%
#   c=10, rho=0.8:  mean wait +1.1%, p95 response +0.5%
#   c=20, rho=0.85: mean wait +0.9%, p95 response +0.03%
DES_CASES = [(0.6, 1.0, 1, 11), (8.0, 1.0, 10, 12), (17.0, 1.0, 20, 13)]


@pytest.mark.parametrize(("lam", "mu", "c", "seed"), DES_CASES)
def test_analytic_mmc_agrees_with_a_discrete_event_simulation(lam, mu, c, seed):
    waits, response, _ = simulate(lam, mu, c, customers=200_000, seed=seed)
    q = MMc(lam, mu, c)
    assert waits.mean() == pytest.approx(q.mean_wait_s, rel=0.05)
    assert float(np.mean(waits > 0)) == pytest.approx(q.p_wait, rel=0.05)
    assert float(np.quantile(response, 0.95)) == pytest.approx(
        q.response_time_quantile_s(0.95), rel=0.05
    )
    assert float(np.quantile(response, 0.5)) == pytest.approx(
        q.response_time_quantile_s(0.5), rel=0.05
    )


def test_timeouts_agree_with_a_simulation_with_abandonment():
    # measured: error rate 16.62% simulated vs 16.73% analytic; p95 71.4 ms vs 71.2 ms
    # 5 servers at 10 ms each (capacity 500 req/s), 600 req/s arriving, 50 ms timeout
    lam, mu, c, timeout_s = 600.0, 100.0, 5, 0.05
    _, response, served = simulate(lam, mu, c, customers=200_000, seed=21, timeout_s=timeout_s)
    out = tier_latency(np.array([lam]), c, service_ms=10, timeout_ms=timeout_s * 1000)
    assert float(1 - served.mean()) == pytest.approx(out.error_rate[0], rel=0.05)
    assert float(np.quantile(response, 0.5)) * 1000 == pytest.approx(out.p50_ms[0], rel=0.05)
    assert float(np.quantile(response, 0.95)) * 1000 == pytest.approx(out.p95_ms[0], rel=0.05)


# ------------------------------------------------------------------------------ properties


@PROPS
@given(st.integers(1, 300), st.floats(0, 400, allow_nan=False))
def test_p_wait_is_a_probability(c, a):
    assert 0.0 <= erlang_c(c, a) <= 1.0


@PROPS
@given(st.integers(1, 200), st.floats(0, 1), st.floats(0, 1))
def test_p_wait_grows_with_load(c, x, y):
    low, high = sorted((x, y))
    assert erlang_c(c, low * c) <= erlang_c(c, high * c) + 1e-12


@PROPS
@given(st.integers(1, 100), st.floats(0.0, 0.98), st.floats(1.0, 1000.0))
def test_mmc_quantiles_are_ordered(c, rho, mu):
    q = MMc(rho * c * mu, mu, c)
    p50, p95, p99 = (q.response_time_quantile_s(p) for p in (0.5, 0.95, 0.99))
    assert 0 < p50 <= p95 <= p99 < math.inf
    assert p50 >= math.log(2) / mu * (1 - 1e-9)  # never faster than the bare service time


@PROPS
@given(st.integers(1, 60), st.floats(0.0, 0.99), st.sampled_from([0.5, 0.95, 0.99]))
def test_more_servers_never_increase_latency(c, rho, p):
    mu = 50.0
    lam = rho * c * mu
    fewer, more = MMc(lam, mu, c), MMc(lam, mu, c + 1)
    assert more.mean_wait_s <= fewer.mean_wait_s + 1e-15
    assert more.response_time_quantile_s(p) <= fewer.response_time_quantile_s(p) * (1 + 1e-9)


@PROPS
@given(
    st.lists(st.floats(0, 5000, allow_nan=False), min_size=1, max_size=30),
    st.integers(0, 40),
    st.floats(1.0, 50.0),
    st.floats(20.0, 5000.0),
)
def test_tier_latency_invariants(demand, servers, service_ms, timeout_ms):
    d = np.array(demand)
    out = tier_latency(d, servers, service_ms=service_ms, timeout_ms=timeout_ms)
    more = tier_latency(d, servers + 1, service_ms=service_ms, timeout_ms=timeout_ms)
    assert len(out) == len(d)
    assert np.all((out.error_rate >= 0) & (out.error_rate <= 1))
    assert np.all(out.p50_ms <= out.p95_ms) and np.all(out.p95_ms <= out.p99_ms)
    assert np.all(out.served_rps <= d * (1 + 1e-12))
    assert np.all(more.error_rate <= out.error_rate + 1e-12)
    assert np.all(out.served_rps <= servers * 1000 / service_ms * (1 + 1e-9))


# ------------------------------------------------------------------------------ tier_latency


def test_tier_without_timeouts_matches_mmc():
    demand = np.array([0.0, 500.0, 1900.0, 1990.0])
    out = tier_latency(demand, 20, service_ms=10, timeout_ms=1e9)
    for i, lam in enumerate(demand):
        q = MMc(lam, 100, 20)
        assert out.p50_ms[i] == pytest.approx(q.response_time_quantile_s(0.5) * 1000, rel=1e-9)
        assert out.p95_ms[i] == pytest.approx(q.response_time_quantile_s(0.95) * 1000, rel=1e-9)
        assert out.p99_ms[i] == pytest.approx(q.response_time_quantile_s(0.99) * 1000, rel=1e-9)
    assert np.all(out.error_rate == 0)


def test_stable_load_has_no_errors_and_overload_has_some():
    out = tier_latency(np.array([1000.0, 1800.0, 2100.0, 4000.0]), 20, service_ms=10)
    # stable: only waits beyond 3 s fail, a tail below 1e-200 here
    assert out.error_rate[0] == 0 and out.error_rate[1] < 1e-200
    np.testing.assert_allclose(out.served_rps[:2], [1000.0, 1800.0], rtol=1e-15)
    assert out.error_rate[2] > 0
    assert out.error_rate[3] > out.error_rate[2]
    assert out.failed_requests > 0
    assert 0 < out.overall_error_rate < 1


def test_deep_overload_serves_capacity_and_times_out_the_rest():
    out = tier_latency(np.array([20_000.0, 1e6]), 20, service_ms=10)
    np.testing.assert_allclose(out.error_rate, [0.9, 0.998], rtol=1e-6)
    np.testing.assert_allclose(out.served_rps, [2000.0, 2000.0], rtol=1e-6)
    assert out.p50_ms[0] == pytest.approx(3000.0)  # most requests wait out the timeout
    np.testing.assert_array_equal(out.utilization, [10.0, 500.0])


def test_no_servers_times_everything_out():
    out = tier_latency(np.array([0.0, 50.0]), np.array([0, 0]), service_ms=10, timeout_ms=2500)
    np.testing.assert_array_equal(out.error_rate, [0.0, 1.0])
    np.testing.assert_array_equal(out.served_rps, [0.0, 0.0])
    np.testing.assert_array_equal(out.p99_ms, [2500.0, 2500.0])


def test_idle_tier_answers_in_the_service_time():
    out = tier_latency(np.zeros(2), 4, service_ms=20)
    np.testing.assert_allclose(out.p50_ms, 20 * math.log(2), rtol=1e-12)
    np.testing.assert_allclose(out.p99_ms, 20 * math.log(100), rtol=1e-12)


def test_extra_hop_adds_a_fixed_delay():
    demand = np.linspace(0, 3000, 7)
    base = tier_latency(demand, 20, service_ms=10)
    hop = tier_latency(demand, 20, service_ms=10, extra_hop_ms=inter_az_rtt_ms())
    for name in ("p50_ms", "p95_ms", "p99_ms"):
        np.testing.assert_allclose(getattr(hop, name) - getattr(base, name), 0.6, atol=1e-9)
    np.testing.assert_array_equal(hop.error_rate, base.error_rate)


def test_servers_may_vary_per_sample():
    out = tier_latency(np.array([900.0, 900.0]), np.array([10, 30]), service_ms=10)
    assert isinstance(out, LatencySeries)
    assert out.p99_ms[1] < out.p99_ms[0]
    np.testing.assert_allclose(out.utilization, [0.9, 0.3])


def test_tier_latency_is_deterministic():
    demand = np.random.default_rng(3).uniform(0, 3000, 100)
    a = tier_latency(demand, 20, service_ms=10)
    b = tier_latency(demand, 20, service_ms=10)
    np.testing.assert_array_equal(a.p99_ms, b.p99_ms)
    np.testing.assert_array_equal(a.error_rate, b.error_rate)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([1.0, -2.0], 3), {}, "demand_rps must be >= 0 everywhere, got -2"),
        (([1.0, np.nan], 3), {}, "demand_rps must contain only finite numbers"),
        (([1.0, 2.0], [3, 4, 5]), {}, "demand_rps and servers must have one value per sample"),
        (([1.0, 2.0], [3, 4.5]), {}, "servers must be whole numbers"),
        (([1.0, 2.0], [3, -1]), {}, "servers must be >= 0 everywhere, got -1"),
        (([[1.0]], 3), {}, "demand_rps must be one value per sample (1-D)"),
        (([1.0], 3), {"service_ms": 0}, "service_ms must be > 0"),
        (([1.0], 3), {"timeout_ms": -5}, "timeout_ms must be > 0, got -5"),
        (([1.0], 3), {"window_s": 0}, "window_s must be > 0"),
        (([1.0], 3), {"extra_hop_ms": -1}, "extra_hop_ms must be >= 0, got -1"),
    ],
)
def test_tier_latency_rejects_bad_input(args, kwargs, message):
    kwargs = {"service_ms": 10, **kwargs}
    demand, servers = args
    with pytest.raises(InvalidScenario) as err:
        tier_latency(np.array(demand), servers, **kwargs)
    assert message in str(err.value)


# ------------------------------------------------------------------------------ data


def test_inter_az_round_trip_comes_from_the_data_file_with_a_source():
    assert inter_az_rtt_ms() == 0.6
    figure = latency_info()["figures"]["inter_az_rtt_ms"]
    assert figure["value"] == 0.6 and figure["unit"] == "ms"
    assert "Hamilton" in figure["source"] and figure["as_of"]
    latency_info()["figures"].clear()  # a copy: the cache is untouched
    assert inter_az_rtt_ms() == 0.6


@settings(max_examples=300, deadline=None)
@given(lam=st.floats(0.0, 5000.0), mu=st.floats(0.01, 1000.0), c=st.integers(1, 64))
def test_mean_response_s_is_the_queues_to_the_last_bit(lam: float, mu: float, c: int) -> None:
    """The unchecked shortcut a run uses every minute gives MMc's float exactly."""
    assert repr(mean_response_s(lam, mu, c)) == repr(MMc(lam, mu, c).mean_response_s)
