from __future__ import annotations

import numpy as np
import pytest

from cloudlab.errors import InvalidScenario
from cloudlab.sim import (
    BusinessHours,
    Comparison,
    Constant,
    ElasticFleet,
    FixedFleet,
    Noise,
    RunResult,
    Scenario,
    ScheduledFleet,
    Spike,
    compare,
)

SERIES = ["demand_rps", "capacity_rps", "served_rps", "unmet_rps", "instances", "utilization",
          "cost_usd"]


class Spy:
    def __init__(self):
        self.calls = []

    def update(self, recorder, upto):
        self.calls.append((upto, len(recorder), float(recorder["cost_usd"][upto - 1])))


def test_fixed_fleet_day(cloud):
    scenario = Scenario(Constant(300), FixedFleet("m5.large", 2), name="two boxes")
    result = cloud.run(scenario, hours=24, progress=False)
    rec = result.recorder
    assert rec.names == SERIES
    assert rec.units["demand_rps"] == "req/s" and rec.units["cost_usd"] == "USD"
    assert len(rec) == 86400 and rec.step_s == 1.0 and rec.t_s[0] == 0
    assert cloud.t == 86400
    assert result.cost_usd == pytest.approx(2 * 0.096 * 24)
    assert result.served_requests == pytest.approx(300 * 86400)
    assert result.unmet_requests == 0 and result.unmet_pct == 0
    assert result.mean_utilization == pytest.approx(0.75)
    assert result.instance_hours == pytest.approx(48)
    assert result.peak_instances == 2 and result.peak_demand_rps == 300
    assert result.name == "two boxes"


def test_served_unmet_utilization(light):
    result = Scenario(Constant(500), FixedFleet("m5.large", 2), step_s=60).run(light, hours=1)
    rec = result.recorder
    assert rec["served_rps"].tolist() == [400] * 60
    assert rec["unmet_rps"].tolist() == [100] * 60
    assert rec["utilization"].tolist() == [1.0] * 60
    assert result.unmet_pct == pytest.approx(20)


def test_zero_fleet_serves_nothing(light):
    result = Scenario(Constant(50), FixedFleet({})).run(light, minutes=10)
    assert result.served_requests == 0 and result.cost_usd == 0
    assert result.unmet_pct == 100 and result.mean_utilization == 0
    assert result.recorder["utilization"].max() == 0


def test_runs_continue_from_cloud_time_and_clock_events_fire_in_order(cloud):
    fired = []
    cloud.advance(hours=2)
    cloud.schedule(1800, lambda c: fired.append(("half", c.t)))
    cloud.schedule(5400, lambda c: fired.append(("one-and-half", c.t)))
    result = cloud.run(Scenario(Constant(1), FixedFleet("t3.micro", 1)), hours=3)
    assert result.recorder.t_s[0] == 7200
    assert fired == [("half", 7200 + 1800), ("one-and-half", 7200 + 5400)]
    assert cloud.t == 7200 + 3 * 3600


def test_live_updates_after_every_virtual_hour(light):
    spy = Spy()
    Scenario(Constant(100), FixedFleet("m5.large", 1), step_s=10).run(
        light, hours=2, minutes=30, live=spy
    )
    assert [c[0] for c in spy.calls] == [360, 720, 900]
    assert all(c[1] == 900 for c in spy.calls)
    assert spy.calls[-1][2] == pytest.approx(0.096 * 2.5)


def test_progress_bar_default_only_for_long_runs(light, capsys):
    scenario = Scenario(Constant(1), FixedFleet("m5.large", 1), step_s=60)
    scenario.run(light, hours=6)
    assert "h/s" not in capsys.readouterr().err
    scenario.run(light, hours=7)
    err = capsys.readouterr().err
    assert "h/s" in err and "/7" in err
    scenario.run(light, hours=7, progress=False)
    assert capsys.readouterr().err == ""
    scenario.run(light, hours=1, progress=True)
    assert capsys.readouterr().err != ""


def test_same_seed_same_arrays_and_demand_independent_of_fleet(make_light):
    traffic = (BusinessHours(50, 2000) + Spike(3000, at=19, duration_h=2)) * Noise(0.05)
    a = Scenario(traffic, ElasticFleet("m5.large")).run(make_light(3), days=1)
    b = Scenario(traffic, ElasticFleet("m5.large")).run(make_light(3), days=1)
    c = Scenario(traffic, FixedFleet("m5.large", 3)).run(make_light(3), days=1)
    d = Scenario(traffic, ElasticFleet("m5.large")).run(make_light(4), days=1)
    for name in SERIES:
        assert np.array_equal(a.recorder[name], b.recorder[name])
    assert np.array_equal(a.recorder["demand_rps"], c.recorder["demand_rps"])
    assert not np.array_equal(a.recorder["demand_rps"], d.recorder["demand_rps"])


def test_one_run_equals_two_half_runs(make_light):
    traffic = BusinessHours(50, 2000) * Noise(0.1, every_s=30)
    scenario = Scenario(traffic, ElasticFleet("c5.large", boot_s=0, scale_in_cooldown_s=0))
    whole = scenario.run(make_light(1), hours=10)
    split = make_light(1)
    first, second = scenario.run(split, hours=4), scenario.run(split, hours=6)
    assert np.array_equal(
        whole.recorder["demand_rps"],
        np.concatenate([first.recorder["demand_rps"], second.recorder["demand_rps"]]),
    )


def test_spike_markers_inside_the_run_only(light):
    traffic = Constant(10) + Spike(100, at=2, duration_h=1, name="launch") + Spike(
        100, at=30, duration_h=1, name="later"
    )
    result = Scenario(traffic, FixedFleet("m5.large", 1), step_s=60).run(light, hours=24)
    assert [(m.label, m.t_s) for m in result.recorder.events] == [
        ("launch", 7200.0), ("launch ends", 10800.0),
    ]


def test_elastic_beats_fixed_for_business_hours(light, make_light):
    traffic = BusinessHours(100, 2000)
    fixed = Scenario(traffic, FixedFleet("m5.large", 10), name="fixed").run(light, days=1)
    elastic = Scenario(traffic, ElasticFleet("m5.large", target_utilization=0.8),
                       name="elastic").run(make_light(0), days=1)
    assert fixed.unmet_requests == 0
    assert elastic.cost_usd < 0.6 * fixed.cost_usd
    assert elastic.mean_utilization > fixed.mean_utilization
    assert elastic.unmet_pct < 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "the run needs a duration > 0, got 0 seconds; e.g. cloud.run(scenario, hours=24)"),
        ({"hours": -1}, "hours must be >= 0, got -1"),
        ({"seconds": 90}, "the run duration (90s) must be a whole number of steps of 60s"),
        ({"hour": 2}, "unknown run option 'hour'; did you mean 'hours'? a run takes seconds, "),
    ],
)
def test_run_validation(light, kwargs, message):
    scenario = Scenario(Constant(1), FixedFleet("m5.large", 1), step_s=60)
    with pytest.raises(InvalidScenario) as err:
        scenario.run(light, **kwargs)
    assert str(err.value).startswith(message)


def test_scenario_validation():
    with pytest.raises(InvalidScenario, match="step_s must be > 0, got 0"):
        Scenario(Constant(1), FixedFleet("m5.large", 1), step_s=0)
    with pytest.raises(InvalidScenario, match="step_s must be > 0, got -1"):
        Scenario(Constant(1), FixedFleet("m5.large", 1), step_s=-1)
    with pytest.raises(InvalidScenario, match="traffic must be a traffic model.*got int"):
        Scenario(5, FixedFleet("m5.large", 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidScenario, match="fleet must be a FixedFleet.*got str"):
        Scenario(Constant(1), "m5.large")  # type: ignore[arg-type]


def test_result_summary_repr_and_html(light):
    result = Scenario(Constant(100), FixedFleet("m5.large", 1), name="a <b>").run(
        light, hours=1
    )
    s = result.summary()
    assert s["name"] == "a <b>" and s["cost_usd"] == pytest.approx(0.096)
    assert set(s) == {"name", "duration_h", "peak_demand_rps", "peak_instances",
                      "instance_hours", "mean_utilization", "served_requests",
                      "unmet_requests", "unmet_pct", "cost_usd"}
    assert "cost 0.10 USD" in repr(result) and "utilization 50%" in repr(result)
    page = result._repr_html_()
    assert page.startswith("<table") and "a &lt;b&gt;" in page
    for unit in ("req/s", "USD", "%"):
        assert unit in page


def test_compare(light, make_light):
    a = Scenario(Constant(100), FixedFleet("m5.large", 1), name="one").run(light, hours=1)
    b = Scenario(Constant(100), FixedFleet("m5.large", 2), name="two").run(
        make_light(), hours=1
    )
    table = compare(a, b)
    assert isinstance(table, Comparison) and table.results == [a, b]
    assert [s["name"] for s in table.summaries()] == ["one", "two"]
    text = repr(table)
    assert text.splitlines()[0].split() == ["unit", "one", "two"]
    assert "Cost" in text and "0.10" in text and "0.19" in text
    html = table._repr_html_()
    assert html.count("<tr>") == 1 + len(table.rows())
    assert compare(table, a).results == [a, b, a]
    with pytest.raises(InvalidScenario, match="compare\\(\\) takes run results.*got int"):
        compare(a, 3)  # type: ignore[arg-type]


def test_run_result_is_a_dataclass_of_recorder(light):
    result = Scenario(Constant(1), ScheduledFleet("m5.large", 1)).run(light, minutes=1)
    assert isinstance(result, RunResult) and result.recorder["instances"].max() == 0


def test_clock_only_stand_in_matches_a_real_cloud(cloud, make_light):
    traffic = BusinessHours(10, 100) * Noise(0.2)
    real = Scenario(traffic, ElasticFleet("m5.large")).run(cloud, hours=2)
    stand_in = Scenario(traffic, ElasticFleet("m5.large")).run(make_light(0), hours=2)
    for name in SERIES:
        assert np.array_equal(real.recorder[name], stand_in.recorder[name])
