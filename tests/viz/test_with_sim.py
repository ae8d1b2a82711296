"""The chart on real simulation runs (``cloudlab.sim``): live updates and comparisons."""

from __future__ import annotations

import re

import cloudlab.sim as sim
from cloudlab import Cloud
from cloudlab.viz import DemandCapacityChart, chart, render_svg


def _diwali_runs() -> tuple[object, object]:
    traffic = sim.BusinessHours(200, 1200) + sim.Spike(1500, at=13.0, duration_h=3)
    results = []
    for fleet, name in (
        (sim.FixedFleet("m5.large", 5), "fixed 5 x m5.large"),
        (sim.ElasticFleet("m5.large", min_size=1, max_size=30), "elastic m5.large"),
    ):
        with Cloud(seed=7) as cloud:
            results.append(sim.Scenario(traffic, fleet, name=name).run(cloud, days=1))
    return results[0], results[1]


def test_real_run_renders_deterministically_with_its_spike_marker() -> None:
    fixed, _ = _diwali_runs()
    svg = render_svg(fixed)
    assert svg == render_svg(_diwali_runs()[0])
    assert "Diwali sale" in svg
    assert ">fixed 5 x m5.large</title>" in svg
    desc = re.search(r"<desc[^>]*>([^<]*)</desc>", svg)
    assert desc is not None and "% of requests unmet" in desc.group(1)


def test_comparison_of_fixed_and_elastic() -> None:
    fixed, elastic = _diwali_runs()
    widget = chart([fixed, elastic], title="Fixed vs elastic")
    assert "capacity (fixed 5 x m5.large)" in widget.svg
    assert "capacity (elastic m5.large)" in widget.svg


def test_scenario_run_drives_the_live_chart() -> None:
    widget = DemandCapacityChart(title="live")
    seen: list[float] = []
    original = widget.update

    def spy(recorder, upto, **kw):  # type: ignore[no-untyped-def]
        original(recorder, upto, **kw)
        seen.append(widget.progress)

    widget.update = spy  # type: ignore[method-assign]
    traffic = sim.BusinessHours(200, 1200)
    with Cloud(seed=1) as cloud:
        result = sim.Scenario(traffic, sim.FixedFleet("m5.large", 4), name="live").run(
            cloud, hours=12, progress=False, live=widget
        )
    assert len(seen) >= 2 and seen[-1] == 1.0 and seen[0] < 1.0
    assert widget.svg == render_svg(result.recorder, title="live")


def test_experiment_comparison_is_charted_like_its_list_of_results() -> None:
    traffic = sim.BusinessHours(200, 1200)
    with Cloud(seed=3) as cloud:
        day = cloud.run(sim.Experiment(traffic, {
            "fixed": sim.FixedFleet("m5.large", 6),
            "elastic": sim.ElasticFleet("m5.large"),
        }), hours=24, progress=False)
    svg = render_svg(day)
    assert svg == render_svg(day.results)
    assert "capacity (fixed)" in svg and "capacity (elastic)" in svg
