from __future__ import annotations

import numpy as np
import pytest

from cloudlab.errors import InvalidScenario
from cloudlab.sim.cost import (
    MINIMUM_BILLED_S,
    billed_seconds,
    cumulative_cost,
    instance_cost_usd,
    minimum_charge_top_up_s,
)


def test_sixty_second_minimum():
    assert MINIMUM_BILLED_S == 60
    assert billed_seconds(0) == 60
    assert billed_seconds(12) == 60
    assert billed_seconds(60) == 60
    assert billed_seconds(61.5) == 61.5
    assert minimum_charge_top_up_s(20) == 40
    assert minimum_charge_top_up_s(600) == 0


def test_negative_running_time_rejected():
    with pytest.raises(InvalidScenario, match=r"running_s must be >= 0, got -1"):
        billed_seconds(-1)


def test_instance_cost():
    assert instance_cost_usd("m5.large", hours=24) == pytest.approx(2.304)
    assert instance_cost_usd("m5.large", hours=1, count=3) == pytest.approx(0.288)
    assert instance_cost_usd("t3.micro", seconds=10) == pytest.approx(0.0104 / 60)
    with pytest.raises(InvalidScenario, match="count must be >= 0, got -2"):
        instance_cost_usd("m5.large", hours=1, count=-2)


def test_cumulative_cost_running_total():
    out = cumulative_cost(np.array([1.0, 0.0, 2.5]), start_usd=10)
    assert out.tolist() == [11.0, 11.0, 13.5]
