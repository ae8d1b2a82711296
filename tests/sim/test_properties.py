"""Hypothesis properties of the simulation: invariants that hold for any valid input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudlab.cloud import DEFAULT_START
from cloudlab.sim import (
    BusinessHours,
    Constant,
    ElasticFleet,
    FixedFleet,
    Noise,
    Scenario,
    ScheduledFleet,
    Spike,
)
from cloudlab.sim.traffic import traffic_rng

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

rates = st.floats(min_value=0, max_value=5000, allow_nan=False)
types = st.sampled_from(["t3.micro", "m5.large", "c5.xlarge", "r5.large", "m7i.large"])


@st.composite
def traffic_models(draw):
    base = draw(rates)
    model = BusinessHours(base, base + draw(rates), weekdays_only=draw(st.booleans()))
    if draw(st.booleans()):
        model = model + Spike(draw(rates), at=draw(st.floats(0, 40)),
                              duration_h=draw(st.floats(0.1, 5)), ramp_h=draw(st.floats(0, 2)))
    if draw(st.booleans()):
        model = model * Noise(draw(st.floats(0, 0.5)), every_s=draw(st.sampled_from([1, 30, 60])))
    return model


@st.composite
def fleets(draw):
    kind = draw(st.sampled_from(["fixed", "elastic", "scheduled"]))
    it = draw(types)
    if kind == "fixed":
        return FixedFleet(it, draw(st.integers(0, 30)))
    if kind == "scheduled":
        return ScheduledFleet(it, draw(st.integers(0, 30)),
                              days=draw(st.sampled_from(["Mon-Fri", "Mon-Sun", "Sat,Sun"])))
    lo = draw(st.integers(0, 5))
    return ElasticFleet(it, min_size=lo, max_size=lo + draw(st.integers(1, 40)),
                        target_utilization=draw(st.floats(0.1, 1.0)),
                        boot_s=draw(st.sampled_from([0, 60, 180, 400])),
                        evaluation_s=draw(st.sampled_from([30, 60, 300])),
                        scale_in_cooldown_s=draw(st.sampled_from([0, 60, 300, 900])))


@SETTINGS
@given(traffic=traffic_models(), fleet=fleets(), hours=st.integers(1, 30),
       step_s=st.sampled_from([1.0, 10.0, 60.0]), seed=st.integers(0, 2**32))
def test_run_invariants(make_light, traffic, fleet, hours, step_s, seed):
    result = Scenario(traffic, fleet, step_s=step_s).run(make_light(seed), hours=hours)
    rec = result.recorder
    demand, served, cap = rec["demand_rps"], rec["served_rps"], rec["capacity_rps"]
    assert np.all(demand >= 0)
    assert np.all(served <= demand)
    assert np.all(served <= cap)
    assert np.array_equal(rec["unmet_rps"], demand - served)
    util = rec["utilization"]
    assert np.all((util >= 0) & (util <= 1 + 1e-12))
    assert np.all(util[cap == 0] == 0)
    assert np.all(np.diff(rec["cost_usd"]) >= 0)
    assert rec["cost_usd"][0] >= 0
    if isinstance(fleet, ElasticFleet):
        n = rec["instances"]
        assert n.min() >= fleet.min_size and n.max() <= fleet.max_size
        assert np.all(cap <= n * fleet.instance_type.rps)


@SETTINGS
@given(traffic=traffic_models(), seed=st.integers(0, 2**32))
def test_same_seed_same_demand_bit_for_bit(traffic, seed):
    t = np.arange(0.0, 86400.0, 7.0)
    a = traffic.rps(t, start=DEFAULT_START, rng=traffic_rng(seed))
    b = traffic.rps(t, start=DEFAULT_START, rng=traffic_rng(seed))
    assert a.tobytes() == b.tobytes()


@SETTINGS
@given(seed_a=st.integers(0, 2**32), seed_b=st.integers(0, 2**32), sigma=st.floats(0.01, 1))
def test_different_seeds_different_noise(seed_a, seed_b, sigma):
    if seed_a == seed_b:
        return
    t = np.arange(0.0, 3600.0, 60.0)
    a = Noise(sigma).rps(t, start=DEFAULT_START, rng=traffic_rng(seed_a))
    b = Noise(sigma).rps(t, start=DEFAULT_START, rng=traffic_rng(seed_b))
    assert not np.array_equal(a, b)


@SETTINGS
@given(base=rates, extra=rates, at=st.floats(1, 100), duration_h=st.floats(0.01, 10),
       ramp_h=st.floats(0, 3), frac=st.floats(0, 1))
def test_spike_adds_exactly_its_extra_on_the_plateau(base, extra, at, duration_h, ramp_h, frac):
    t = np.array([at * 3600.0 + frac * duration_h * 3600.0])
    rng = traffic_rng(0)
    with_spike = (Constant(base) + Spike(extra, at=at, duration_h=duration_h, ramp_h=ramp_h))
    assert with_spike.rps(t, rng=rng)[0] == Constant(base).rps(t, rng=rng)[0] + extra
    before = np.array([(at - ramp_h) * 3600.0 - 1.0])
    assert with_spike.rps(before, rng=rng)[0] == pytest.approx(base)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(it=types, count=st.integers(1, 20), step_s=st.sampled_from([1.0, 60.0, 3600.0]))
def test_scheduled_40_hours_costs_40_of_168(make_light, it, count, step_s):
    week = 7
    scheduled = Scenario(Constant(1), ScheduledFleet(it, count), step_s=step_s).run(
        make_light(), days=week
    )
    always = Scenario(Constant(1), FixedFleet(it, count), step_s=step_s).run(
        make_light(), days=week
    )
    assert scheduled.cost_usd / always.cost_usd == pytest.approx(40 / 168, rel=1e-12)
    assert scheduled.instance_hours == pytest.approx(40 * count)


@SETTINGS
@given(rps=st.floats(0, 1e5), it=types, target=st.floats(0.05, 1.0))
def test_instances_needed_is_the_least_sufficient(rps, it, target):
    from cloudlab.sim import instance_type, instances_needed

    n = instances_needed(rps, it, target_utilization=target)
    per = instance_type(it).rps * target
    assert n * per >= rps * (1 - 1e-9)
    assert n == 0 or (n - 1) * per < rps * (1 + 1e-9)
