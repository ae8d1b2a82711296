"""Experiments: alternatives share the traffic and the window; the clock moves once."""

from __future__ import annotations

import numpy as np
import pytest

from cloudlab import Cloud
from cloudlab.errors import InvalidScenario
from cloudlab.sim import (
    BusinessHours,
    ElasticFleet,
    Experiment,
    FixedFleet,
    Noise,
    Scenario,
    Spike,
)

TRAFFIC = (BusinessHours(100, 800) + Spike(1500, at=19, duration_h=2)) * Noise(0.05)


def test_every_alternative_sees_the_same_demand_and_the_clock_moves_once(cloud: Cloud) -> None:
    ticks: list[float] = []
    cloud.every(3600, lambda clock: ticks.append(clock.t))
    day = cloud.run(Experiment(TRAFFIC, {
        "fixed": FixedFleet("m5.large", 12),
        "elastic": ElasticFleet("m5.large"),
    }), hours=24, progress=False)
    assert day.names == ["fixed", "elastic"]
    demand = [r.recorder["demand_rps"] for r in day]
    assert np.array_equal(demand[0], demand[1])
    assert day["fixed"].recorder.t_s[0] == 0.0 and day["elastic"].recorder.t_s[0] == 0.0
    assert cloud.t == 86400.0
    assert ticks == [3600.0 * h for h in range(1, 25)]


def test_an_alternative_equals_the_same_scenario_run_alone() -> None:
    with Cloud(seed=9) as cloud:
        day = cloud.run(Experiment(TRAFFIC, {"elastic": ElasticFleet("m5.large")}), hours=24,
                        progress=False)
    with Cloud(seed=9) as cloud:
        alone = cloud.run(Scenario(TRAFFIC, ElasticFleet("m5.large"), name="elastic"), hours=24,
                          progress=False)
    assert day["elastic"].cost_usd == alone.cost_usd
    assert np.array_equal(day["elastic"].recorder["instances"], alone.recorder["instances"])


def test_unknown_name_lists_the_names(cloud: Cloud) -> None:
    day = cloud.run(Experiment(TRAFFIC, {"a": FixedFleet("m5.large", 1)}), hours=1)
    with pytest.raises(KeyError, match="no result named 'b'.*'a'"):
        day["b"]


@pytest.mark.parametrize("fleets", [{}, [FixedFleet("m5.large", 1)], None])
def test_fleets_must_be_a_named_dict(fleets: object) -> None:
    with pytest.raises(InvalidScenario, match="non-empty dict of {name: fleet}"):
        Experiment(TRAFFIC, fleets)  # type: ignore[arg-type]


def test_a_bad_fleet_is_named(cloud: Cloud) -> None:
    with pytest.raises(InvalidScenario, match="fleet must be a FixedFleet"):
        Experiment(TRAFFIC, {"oops": "m5.large"})  # type: ignore[dict-item]
