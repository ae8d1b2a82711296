from __future__ import annotations

import numpy as np
import pytest

from cloudlab.cloud import DEFAULT_START
from cloudlab.errors import InvalidScenario
from cloudlab.sim import Marker, Recorder


def make(n: int = 10) -> Recorder:
    rec = Recorder(np.arange(n, dtype=float), start=DEFAULT_START, step_s=1.0,
                   events=[Marker(3.0, "sale", "spike"), Marker(8.0, "sale ends", "spike_end")])
    rec.add("demand_rps", np.arange(n, dtype=float), unit="req/s")
    rec.add("instances", np.array([1, 1, 2, 3, 3, 2, 1, 1, 4, 1][:n]), unit="instances")
    rec.add("cost_usd", np.cumsum(np.ones(n)), unit="USD")
    return rec


def test_series_units_names():
    rec = make()
    assert rec.names == ["demand_rps", "instances", "cost_usd"]
    assert rec.units["demand_rps"] == "req/s"
    assert rec["cost_usd"][-1] == 10
    assert "instances" in rec and "nope" not in rec
    assert len(rec) == 10 and rec.duration_s == 10
    assert "10 samples every 1s" in repr(rec)
    assert rec.times()[2] == DEFAULT_START.replace(second=2)


def test_missing_series_names_the_known_ones():
    with pytest.raises(KeyError, match="no series 'served_rps'.*demand_rps, instances, cost_usd"):
        make()["served_rps"]


def test_add_rejects_wrong_length():
    rec = make()
    with pytest.raises(InvalidScenario, match="series 'x' has 3 samples but the time axis has 10"):
        rec.add("x", np.zeros(3))


def test_bad_step_rejected():
    with pytest.raises(InvalidScenario, match="step_s must be > 0, got 0"):
        Recorder(np.arange(3.0), start=DEFAULT_START, step_s=0)


def test_upto_is_a_view_with_events_so_far():
    rec = make()
    part = rec.upto(5)
    assert len(part) == 5 and part["demand_rps"].tolist() == [0, 1, 2, 3, 4]
    assert np.shares_memory(part["demand_rps"], rec["demand_rps"])
    assert [m.label for m in part.events] == ["sale"]
    assert len(rec.upto(0)) == 0 and rec.upto(0).events == []
    assert len(rec.upto(99)) == 10


def test_resample_default_aggregations_and_partial_last_bucket():
    rec = make()
    r = rec.resample(4)
    assert r.step_s == 4
    assert r.t_s.tolist() == [0, 4, 8]
    assert r["demand_rps"].tolist() == [1.5, 5.5, 8.5]   # mean
    assert r["instances"].tolist() == [3, 3, 4]          # max
    assert r["cost_usd"].tolist() == [4, 8, 10]          # last
    assert r.units == rec.units and len(r.events) == 2


def test_resample_override_and_errors():
    rec = make()
    assert rec.resample(5, how={"demand_rps": "sum"})["demand_rps"].tolist() == [10, 35]
    assert rec.resample(5, how={"instances": "min"})["instances"].tolist() == [1, 1]
    with pytest.raises(InvalidScenario, match="whole multiple of the recorder's step"):
        rec.resample(2.5)
    with pytest.raises(InvalidScenario, match="whole multiple"):
        rec.resample(0)
    with pytest.raises(InvalidScenario, match="unknown aggregation 'median' for 'demand_rps'"):
        rec.resample(2, how={"demand_rps": "median"})  # type: ignore[dict-item]
