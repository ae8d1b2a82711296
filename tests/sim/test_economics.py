from __future__ import annotations

import pytest

from cloudlab.errors import InvalidScenario
from cloudlab.sim import (
    HOURS_PER_MONTH,
    Constant,
    ElasticFleet,
    FixedFleet,
    OnPremises,
    Scenario,
    ScheduledFleet,
    break_even_months,
    economics,
    on_demand_cost,
)


def test_hours_per_month_is_arithmetic():
    assert HOURS_PER_MONTH == 365 * 24 / 12


def test_model_assumptions_are_labelled():
    doc = economics.__doc__ or ""
    assert "Model assumptions" in doc and "not quotes, not facts" in doc
    assert "730" in doc


def test_sized_for_peak_with_headroom():
    dc = OnPremises.sized_for(peak_rps=5000)
    assert dc.servers == 4 and dc.capacity_rps == 6400
    assert OnPremises.sized_for(peak_rps=4800, headroom=0.0, server_rps=1600).servers == 3
    assert OnPremises.sized_for(peak_rps=0).servers == 0


def test_cost_over_includes_replacement_and_ops():
    dc = OnPremises(server_price_usd=8000, servers=4, lifetime_years=3,
                    monthly_ops_usd_per_server=200)
    assert dc.up_front_usd == 32000
    assert dc.cost_over(0) == 32000                  # bought on day one
    assert dc.cost_over(36) == 32000 + 36 * 800
    assert dc.cost_over(37) == 2 * 32000 + 37 * 800  # replaced after 3 years
    assert dc.monthly_equivalent_usd == pytest.approx(4 * (8000 / 36 + 200))
    assert "4 servers" in repr(dc)


def test_on_premises_validation():
    with pytest.raises(InvalidScenario, match="servers must be >= 0, got -1"):
        OnPremises(servers=-1)
    with pytest.raises(InvalidScenario, match="lifetime_years must be > 0, got 0"):
        OnPremises(lifetime_years=0)
    with pytest.raises(InvalidScenario, match="months must be >= 0, got -2"):
        OnPremises().cost_over(-2)
    with pytest.raises(InvalidScenario, match="server_rps must be > 0, got 0"):
        OnPremises.sized_for(100, server_rps=0)


def test_on_demand_cost_of_fleets():
    assert on_demand_cost(FixedFleet("m5.large", 2), 1) == pytest.approx(2 * 0.096 * 730)
    scheduled = ScheduledFleet("m5.large", 2)  # 40 h/week
    assert on_demand_cost(scheduled, 12) == pytest.approx(
        on_demand_cost(FixedFleet("m5.large", 2), 12) * 40 / 168
    )
    with pytest.raises(InvalidScenario, match="an ElasticFleet's cost depends on the traffic"):
        on_demand_cost(ElasticFleet("m5.large"), 1)
    with pytest.raises(InvalidScenario, match="takes a run result or a fleet, got str"):
        on_demand_cost("m5.large", 1)  # type: ignore[arg-type]


def test_on_demand_cost_of_a_run(light):
    result = Scenario(Constant(10), FixedFleet("m5.large", 1), step_s=60).run(light, days=1)
    assert on_demand_cost(result, 1) == pytest.approx(0.096 * 730)


def test_break_even():
    dc = OnPremises(server_price_usd=10000, servers=2, monthly_ops_usd_per_server=100)
    assert break_even_months(dc, 1200) == pytest.approx(20000 / 1000)
    assert break_even_months(dc, 150) is None   # cloud cheaper than running the servers
    assert break_even_months(dc, 300) is None   # 200 months > 36-month lifetime
