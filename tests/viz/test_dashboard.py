"""ScalingDashboard, dashboard() and the dashboard SVG: panels, markers, live updates, replay."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
import traitlets

from cloudlab.errors import InvalidScenario
from cloudlab.sim import Marker, Recorder
from cloudlab.viz import ScalingDashboard, dashboard
from cloudlab.viz.chart import WIDGET_VIEW_MIME
from cloudlab.viz.dashboard_data import (
    AlarmBand,
    alarm_bands,
    change_indices,
    label_rows,
    merge_bands,
    minmax_indices,
    summarize,
)
from cloudlab.viz.dashboard_render import render_dashboard_svg

START = datetime(2026, 1, 5, tzinfo=UTC)
AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
PER_INSTANCE_RPS = 150.0
CONTROLS = {
    "scale_out_cpu": dict(value=70, min=10, max=100, step=5, label="Scale out above CPU %"),
    "min_size": dict(value=2, min=1, max=10),
}


def scaling_day(
    *,
    hours: float = 24.0,
    step_s: float = 60.0,
    scale_out_cpu: float = 70.0,
    min_size: int = 2,
    seed: int = 1,
    spike_1s_at_s: float | None = None,
) -> Recorder:
    """A business-hours day with a flash sale at 15:00 and an AZ outage at 18:00, served by
    a 3-AZ Auto Scaling group that scales out when CPU passes ``scale_out_cpu`` (made up)."""
    minutes = int(hours * 60)
    t_m = np.arange(minutes) * 60.0
    hour = t_m / 3600.0 % 24
    rng = np.random.default_rng(seed)
    demand = (150 + 1100 * np.exp(-(((hour - 13) / 3) ** 2))) * rng.lognormal(0, 0.03, minutes)
    demand += np.where((hour >= 15) & (hour < 16), 2500.0, 0.0)
    demand[hour < 0.25] = 0.0  # no traffic yet: latency is NaN
    events = [
        Marker(15 * 3600.0, "flash sale", "spike"),
        Marker(16 * 3600.0, "sale ends", "spike_end"),
    ]
    desired = np.empty(minutes)
    d, last, alarm = float(min_size), -99, False
    for i in range(minutes):
        running = min(d, desired[i - 3]) if i >= 3 else d  # new instances boot for 3 minutes
        cpu = 100.0 * demand[i] / (running * PER_INSTANCE_RPS)
        if cpu > scale_out_cpu and not alarm:
            alarm = True
            events.append(Marker(t_m[i], "cpu-high: ALARM", "alarm"))
        elif alarm and cpu < scale_out_cpu:
            alarm = False
            events.append(Marker(t_m[i], "cpu-high: OK", "alarm_ok"))
        if cpu > scale_out_cpu and i - last >= 3 and d < 30:
            d, last = d + 2, i
            events.append(Marker(t_m[i], f"desired {d:g}", "scale_out"))
        elif cpu < 0.5 * scale_out_cpu and i - last >= 10 and d > min_size:
            d, last = d - 1, i
            events.append(Marker(t_m[i], f"desired {d:g}", "scale_in"))
        desired[i] = d
    running = np.minimum(desired, np.concatenate([desired[:3], desired[:-3]]))
    per_az = {az: np.floor((running + (len(AZS) - 1 - k)) / len(AZS)) for k, az in enumerate(AZS)}
    outage = (hour >= 18) & (hour < 19)
    per_az["us-east-1b"] = np.where(outage, 0.0, per_az["us-east-1b"])
    events += [
        Marker(18 * 3600.0, "us-east-1b outage", "failure"),
        Marker(19 * 3600.0, "us-east-1b back", "recovery"),
    ]
    k = int(round(60.0 / step_s))
    t = np.arange(minutes * k) * step_s
    if k > 1:
        demand = np.repeat(demand, k)
        desired = np.repeat(desired, k)
        per_az = {az: np.repeat(v, k) for az, v in per_az.items()}
    if spike_1s_at_s is not None:
        demand[int(spike_1s_at_s / step_s)] = 5000.0
    instances = np.sum(list(per_az.values()), axis=0)
    capacity = instances * PER_INSTANCE_RPS
    served = np.minimum(demand, capacity)
    errors = demand - served
    util = np.where(capacity > 0, served / np.maximum(capacity, 1.0), 0.0)
    p50 = 20 + 15 * util**3
    p95 = 45 + 150 * util**8 + np.where(errors > 0, 400.0, 0.0)
    p99 = 1.6 * p95
    for p in (p50, p95, p99):
        p[demand == 0] = np.nan
    rec = Recorder(t, start=START, step_s=step_s, events=sorted(events, key=lambda m: m.t_s))
    for name, values, unit in (
        ("demand_rps", demand, "req/s"),
        ("served_rps", served, "req/s"),
        ("capacity_rps", capacity, "req/s"),
        ("errors_rps", errors, "req/s"),
        ("p50_ms", p50, "ms"),
        ("p95_ms", p95, "ms"),
        ("p99_ms", p99, "ms"),
        ("instances", instances, "instances"),
        ("desired", desired, "instances"),
        ("healthy_hosts", instances, "instances"),
        ("cost_usd", np.cumsum(instances * 0.096 * step_s / 3600.0), "USD"),
    ):
        rec.add(name, values, unit=unit)
    for az, counts in per_az.items():
        rec.add(f"instances:{az}", counts, unit="instances")
    return rec


def demand_only(hours: float = 2.0) -> Recorder:
    t = np.arange(0.0, hours * 3600.0, 60.0)
    rec = Recorder(t, start=START, step_s=60.0)
    rec.add("demand_rps", 100 + 50 * np.sin(t / 3600.0))
    return rec


def texts(svg: str) -> list[str]:
    """The text elements of an SVG (matplotlib writes text as text: svg.fonttype none)."""
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def desc(svg: str) -> str:
    match = re.search(r"<desc[^>]*>([^<]*)</desc>", svg)
    assert match is not None
    return match.group(1)


class FakeClock:
    """Wall clock the test moves by hand (the throttle reads it)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def live(**kwargs: Any) -> tuple[ScalingDashboard, FakeClock]:
    widget = ScalingDashboard(title="live", **kwargs)
    clock = FakeClock()
    widget._clock = clock
    return widget, clock


@pytest.fixture(scope="module")
def day() -> Recorder:
    return scaling_day()


# -- traits and files ---------------------------------------------------------------------


def test_traits_are_synced_and_documented() -> None:
    widget = ScalingDashboard()
    names = [
        "svg",
        "title",
        "progress",
        "progress_text",
        "slo_p95_ms",
        "controls",
        "values",
        "can_replay",
        "running",
        "error",
        "summary",
        "previous_summary",
    ]
    for name in names:
        trait = widget.traits()[name]
        assert trait.metadata.get("sync") is True, name
        assert trait.help, name


def test_front_end_comes_from_files_next_to_the_module_and_loads_nothing() -> None:
    widget = ScalingDashboard()
    assert "export default" in widget._esm and 'model.send({ event: "replay"' in widget._esm
    assert ".cloudlab-dashboard" in widget._css
    here = Path(__file__).parents[2] / "cloudlab" / "viz"
    for name in ("dashboard.js", "dashboard.css", "live.js", "live.css"):
        source = (here / name).read_text()
        assert "http" not in source and not re.search(r"^\s*import\b", source, re.M), name


def test_empty_dashboard_says_how_to_fill_it() -> None:
    widget = ScalingDashboard(title="waiting")
    assert widget.progress == 0.0 and widget.runs == 0
    assert "No samples yet." in widget.svg
    assert widget.summary == {} and widget.progress_text == ""


# -- the four panels ----------------------------------------------------------------------


def test_every_panel_is_drawn_with_text_labels(day: Recorder) -> None:
    svg = ScalingDashboard(day, title="Flash sale day", slo_p95_ms=200).svg
    shown = texts(svg)
    for heading in (
        "Demand vs capacity",
        "Instances in service per AZ",
        "Latency and errors",
        "Cumulative cost",
    ):
        assert heading in shown
    for label in ("demand", "capacity", "served", "not served", "desired", "healthy"):
        assert label in shown, label
    for az in AZS:  # stacked areas, one legend entry per AZ
        assert az in shown
    for label in ("p50", "p95", "p99", "SLO p95 \u2264 200 ms", "errors %"):
        assert label in shown, label
    assert "errors, % of requests" in shown  # the twin axis
    assert f"${day['cost_usd'][-1]:,.2f}" in shown  # final cost written at the line's end
    assert ">Flash sale day</title>" in svg and 'role="img"' in svg


def test_summary_numbers_come_from_the_data(day: Recorder) -> None:
    widget = ScalingDashboard(day)
    shown = texts(widget.svg)
    peak = float(day["demand_rps"].max())
    errors_pct = 100 * day["errors_rps"].sum() / day["demand_rps"].sum()
    expected = [
        f"{peak:,.0f} req/s",
        f"{day['instances'].max():,.0f}",
        f"{np.nanmax(day['p95_ms']):,.0f} ms",
        f"{errors_pct:.2f}%",
        f"${day['cost_usd'][-1]:,.2f}",
    ]
    for cell in expected:
        assert cell in shown, cell
    assert "this run" in shown and "peak demand" in shown
    assert widget.summary["peak_demand_rps"] == pytest.approx(peak)
    assert widget.summary["error_pct"] == pytest.approx(errors_pct)
    assert f"peak demand {expected[0]}" in desc(widget.svg)


def test_only_demand_draws_and_says_what_is_missing() -> None:
    svg = render_dashboard_svg(demand_only())
    shown = texts(svg)
    assert "no instances recorded" in shown
    assert "no latency (p50_ms/p95_ms/p99_ms) recorded" in shown
    assert "no cost_usd recorded" in shown
    assert shown.count("n/a") == 4  # instances, p95, errors, cost in the summary


def test_markers_alarm_bands_and_scaling_actions(day: Recorder) -> None:
    svg = render_dashboard_svg(day)
    shown = texts(svg)
    assert "\u2715 us-east-1b outage" in shown  # failure: a cross, a dashed line
    assert "\u2713 us-east-1b back" in shown  # recovery: a tick, a dash-dot line
    assert "flash sale" in shown and "sale ends" in shown
    assert "\u26a0 cpu-high" in shown  # an alarm band is labelled with the alarm's name
    assert "alarm in ALARM" in shown
    outs = sum(m.kind == "scale_out" for m in day.events)
    ins = sum(m.kind == "scale_in" for m in day.events)
    assert outs and ins
    assert f"scale out ({outs})" in shown and f"scale in ({ins})" in shown
    text = desc(svg)
    assert "cpu-high in ALARM from Mon " in text
    assert f"{outs} scale-out and {ins} scale-in actions." in text
    assert "us-east-1b outage (failure) at Mon 18:00" in text


def test_alarm_labels_take_a_free_row_or_are_left_out() -> None:
    """A label goes to the first row whose last label has ended; with both rows taken, or
    when it would run past the panel's right edge, it is left out (the band and the text
    description still say it)."""
    assert label_rows([0, 1, 2, 2.5, 9], [2, 2, 2, 2, 2], right=10) == [0, 1, 0, None, None]
    assert label_rows([0, 3], [2, 2], right=10, rows=1) == [0, 0]
    assert label_rows([], [], right=1) == []


def test_an_alarm_never_back_to_ok_is_shaded_to_the_end() -> None:
    rec = demand_only()
    rec.events = [Marker(3600.0, "latency-high: ALARM", "alarm")]
    text = desc(render_dashboard_svg(rec))
    assert "latency-high in ALARM from Mon 01:00 still in ALARM" in text


def test_alarm_bands_pair_alarm_and_ok_by_name() -> None:
    events = [
        Marker(10.0, "cpu-high: ALARM", "alarm"),
        Marker(15.0, "latency: ALARM", "alarm"),
        Marker(20.0, "cpu-high: OK", "alarm_ok"),
        Marker(25.0, "cpu-high: ALARM", "alarm"),
        Marker(30.0, "nobody: OK", "alarm_ok"),  # no open alarm: ignored
    ]
    assert alarm_bands(events) == [
        AlarmBand("cpu-high", 10.0, 20.0),
        AlarmBand("latency", 15.0, None),
        AlarmBand("cpu-high", 25.0, None),
    ]
    flapping = [AlarmBand("a", 0.0, 10.0), AlarmBand("a", 11.0, 20.0), AlarmBand("a", 50, 60)]
    assert merge_bands(flapping, 5.0) == [AlarmBand("a", 0.0, 20.0), AlarmBand("a", 50, 60)]


def test_slo_line_follows_the_trait() -> None:
    rec = scaling_day(hours=6)
    widget = ScalingDashboard(rec)
    assert not any(s.startswith("SLO") for s in texts(widget.svg))
    widget.slo_p95_ms = 150
    assert "SLO p95 \u2264 150 ms" in texts(widget.svg)
    assert "above the 150 ms SLO for" in desc(widget.svg)
    with pytest.raises(traitlets.TraitError, match="slo_p95_ms must be > 0 milliseconds"):
        widget.slo_p95_ms = -5
    widget.title = "renamed"
    assert ">renamed</title>" in widget.svg


# -- downsampling and determinism ---------------------------------------------------------


def test_minmax_indices_keep_peaks_and_skip_nan() -> None:
    values = np.zeros(86_400)
    values[43_210] = 9.0
    values[50_000:50_010] = np.nan
    idx = minmax_indices(values, 600)
    assert idx.size <= 600 and np.all(np.diff(idx) >= 0)
    assert 43_210 in idx
    assert not np.isnan(values[idx]).all()
    all_nan = np.full(1000, np.nan)
    assert minmax_indices(all_nan, 100).size <= 100


def test_change_indices_reproduce_a_step_series_exactly() -> None:
    steps = np.repeat([2.0, 4.0, 4.0, 3.0], 1000)
    idx = change_indices(steps, max_points=100)
    assert idx is not None
    assert list(idx) == [0, 1000, 3000, 3999]
    assert change_indices(np.arange(1000.0), max_points=100) is None


def test_one_second_day_keeps_a_one_second_spike_and_stays_small() -> None:
    rec = scaling_day(step_s=1.0, spike_1s_at_s=12 * 3600 + 7)
    svg = render_dashboard_svg(rec)
    assert "Demand peaks at 5,000 req/s on Mon 12:00." in desc(svg)
    assert "5,000 req/s" in texts(svg)
    assert len(svg.encode()) < 400_000


def test_a_week_at_one_minute_renders_with_day_ticks() -> None:
    rec = scaling_day(hours=24 * 7)
    shown = texts(render_dashboard_svg(rec))
    assert "Tue 06" in shown and "Sun 11" in shown  # one tick per day


def test_same_data_gives_the_same_bytes_whatever_the_user_style(day: Recorder) -> None:
    first = render_dashboard_svg(day, title="same", slo_p95_ms=200)
    with matplotlib.rc_context({"lines.linewidth": 7, "font.size": 20, "svg.hashsalt": None}):
        again = render_dashboard_svg(scaling_day(), title="same", slo_p95_ms=200)
    assert first == again


# -- live updates -------------------------------------------------------------------------


def test_update_throttles_shows_progress_and_always_draws_the_final_state() -> None:
    rec = scaling_day(hours=6)
    n = len(rec.t_s)
    widget, clock = live()
    widget.update(rec, 10)  # the first update draws
    assert widget.renders == 2  # the empty state, then this one
    assert widget.progress_text == "t = 0:10 of 6:00"
    assert "t = 0:10 of 6:00" in texts(widget.svg)
    first = widget.svg
    clock.now += 0.05
    widget.update(rec, 120)  # too soon: the text moves, the picture waits
    assert widget.renders == 2 and widget.svg == first
    assert widget.progress_text == "t = 2:00 of 6:00"
    assert widget.progress == pytest.approx(120 / n)
    clock.now += 0.3
    widget.update(rec, 180)  # the interval passed: drawn
    assert widget.renders == 3 and "t = 3:00 of 6:00" in texts(widget.svg)
    clock.now += 0.01
    widget.update(rec, n)  # final: drawn although too soon
    assert widget.renders == 4 and widget.progress == 1.0
    assert widget.progress_text == "t = 6:00 of 6:00"
    assert not any(s.startswith("t = ") for s in texts(widget.svg))
    assert widget.svg == ScalingDashboard(rec, title="live").svg


def test_a_partial_update_keeps_the_full_time_axis() -> None:
    rec = scaling_day(hours=6)
    widget, _ = live()
    widget.update(rec, 60)
    expected = render_dashboard_svg(
        rec.upto(60),
        title="live",
        t_end_s=float(rec.t_s[-1]),
        summaries=[summarize(rec.upto(60), "this run")],
        progress_text="t = 1:00 of 6:00",
    )
    assert widget.svg == expected


def test_flush_draws_pending_data_once() -> None:
    rec = scaling_day(hours=2)
    widget, _ = live()
    widget.update(rec, 10)
    widget.update(rec, 30)
    before = widget.renders
    widget.flush()
    widget.flush()
    assert widget.renders == before + 1


@pytest.mark.parametrize("upto", [-1, 10_000])
def test_update_rejects_upto_out_of_range(upto: int) -> None:
    widget, _ = live()
    with pytest.raises(ValueError, match=f"between 0 and the recorder's 120 samples, got {upto}"):
        widget.update(scaling_day(hours=2), upto)


def test_final_update_refreshes_the_saved_static_image(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []

    class Handle:
        def update(self, obj: dict[str, Any], raw: bool = False) -> None:
            sent.append(obj)

    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: Handle())
    rec = scaling_day(hours=2)
    widget, _ = live()
    widget._ipython_display_()
    widget.update(rec, 10)
    assert sent == []
    widget.update(rec, len(rec.t_s))
    assert len(sent) == 1 and sent[0]["image/svg+xml"] == widget.svg


def test_mimebundle_has_widget_view_svg_and_short_text(day: Recorder) -> None:
    widget = dashboard(day, title="Lab 9")
    bundle = widget._repr_mimebundle_()
    assert set(bundle) == {WIDGET_VIEW_MIME, "image/svg+xml", "text/plain"}
    assert bundle[WIDGET_VIEW_MIME]["model_id"] == widget.model_id
    assert bundle["image/svg+xml"] == widget.svg
    assert bundle["text/plain"] == "ScalingDashboard(title='Lab 9', progress=1.00, runs=1)"


# -- replay -------------------------------------------------------------------------------


class FakeReplay:
    """Records the values it is called with; returns a day simulated with them."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **values: Any) -> Any:
        self.calls.append(values)
        return scaling_day(hours=6, **values)


def replayable() -> tuple[ScalingDashboard, FakeReplay]:
    replay = FakeReplay()
    widget = ScalingDashboard(scaling_day(hours=6), replay=replay, controls=CONTROLS)
    return widget, replay


def click_replay(widget: ScalingDashboard, **values: Any) -> None:
    """What the view sends when the learner presses Replay."""
    widget._handle_custom_msg({"event": "replay", "values": values}, [])


def test_controls_are_completed_and_values_start_at_their_defaults() -> None:
    widget, _ = replayable()
    assert widget.can_replay
    assert widget.controls["min_size"] == {
        "min": 1,
        "max": 10,
        "step": 1,
        "value": 2,
        "label": "min_size",
    }
    assert widget.values == {"scale_out_cpu": 70, "min_size": 2}
    assert widget.summary["label"] == "run 1: scale_out_cpu=70, min_size=2"


def test_replay_round_trip_draws_the_new_run_and_keeps_the_previous_summary() -> None:
    widget, replay = replayable()
    first_svg, first_summary = widget.svg, dict(widget.summary)
    click_replay(widget, scale_out_cpu=40.0, min_size=3)
    assert replay.calls == [{"scale_out_cpu": 40, "min_size": 3}]
    assert all(isinstance(v, int) for v in replay.calls[0].values())  # integral sliders
    assert widget.error == "" and not widget.running and widget.last_exception is None
    assert widget.runs == 2 and widget.svg != first_svg
    assert widget.previous_summary == first_summary
    assert widget.summary["label"] == "run 2: scale_out_cpu=40, min_size=3"
    expected = summarize(scaling_day(hours=6, scale_out_cpu=40, min_size=3))
    assert widget.summary["cost_usd"] == pytest.approx(expected.cost_usd)
    shown = texts(widget.svg)
    assert "run 1: scale_out_cpu=70, min_size=2" in shown
    assert "run 2: scale_out_cpu=40, min_size=3" in shown
    assert f"${expected.cost_usd:,.2f}" in shown
    # a third run compares with the second
    click_replay(widget, scale_out_cpu=90)
    assert widget.previous_summary["label"] == "run 2: scale_out_cpu=40, min_size=3"
    assert "run 1: scale_out_cpu=70, min_size=2" not in texts(widget.svg)


def test_replay_from_python_accepts_results_with_a_recorder() -> None:
    class Result:
        def __init__(self, recorder: Recorder) -> None:
            self.recorder = recorder

    widget = ScalingDashboard(
        scaling_day(hours=2),
        replay=lambda **v: Result(scaling_day(hours=3, **v)),
        controls=CONTROLS,
    )
    rec = widget.replay_now(min_size=4)
    assert len(rec.t_s) == 180 and widget.values["min_size"] == 4


def test_a_replay_that_updates_live_is_drawn_with_the_comparison() -> None:
    widget: ScalingDashboard

    def replay(**values: Any) -> Recorder:
        rec = scaling_day(hours=2, **values)
        for upto in range(0, len(rec.t_s) + 1, 30):
            widget.update(rec, upto)
        return rec

    widget = ScalingDashboard(scaling_day(hours=2), replay=replay, controls=CONTROLS)
    click_replay(widget, scale_out_cpu=50)
    assert widget.error == "" and widget.progress == 1.0
    assert widget.previous_summary["label"].startswith("run 1:")
    assert widget.summary["label"].startswith("run 2: scale_out_cpu=50")


def test_an_exception_in_replay_is_shown_and_kept(caplog: pytest.LogCaptureFixture) -> None:
    def broken(**values: Any) -> Recorder:
        raise RuntimeError("the ASG has no launch template")

    widget = ScalingDashboard(scaling_day(hours=2), replay=broken, controls=CONTROLS)
    svg, summary = widget.svg, dict(widget.summary)
    with caplog.at_level(logging.WARNING, logger="cloudlab.viz.dashboard"):
        click_replay(widget, scale_out_cpu=50)
    assert widget.error.startswith(
        "Replay failed: RuntimeError: the ASG has no launch template. Change the settings"
    )
    assert isinstance(widget.last_exception, RuntimeError)
    assert "the ASG has no launch template" in caplog.text  # not swallowed: logged too
    assert not widget.running
    assert widget.svg == svg and widget.summary == summary and widget.previous_summary == {}
    assert widget.runs == 1
    with pytest.raises(RuntimeError, match="no launch template"):  # from Python: raised
        widget.replay_now()


def test_a_good_replay_clears_the_error() -> None:
    replay = FakeReplay()
    widget = ScalingDashboard(scaling_day(hours=2), replay=replay, controls=CONTROLS)
    widget.error = "Replay failed: earlier"
    click_replay(widget, scale_out_cpu=60)
    assert widget.error == ""


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (
            42,
            "the replay function's result needs a Recorder (or a run result with .recorder), "
            "got int 42",
        ),
        (demand_only().upto(0), None),  # an empty recorder is fine
    ],
)
def test_replay_result_must_be_a_recorder(returned: Any, message: str | None) -> None:
    widget = ScalingDashboard(scaling_day(hours=2), replay=lambda **v: returned, controls=CONTROLS)
    click_replay(widget)
    if message is None:
        assert widget.error == "" and "No samples yet." in widget.svg
    else:
        assert message in widget.error and isinstance(widget.last_exception, TypeError)


def test_replay_result_without_demand_is_an_invalid_scenario() -> None:
    rec = Recorder(np.arange(3.0), start=START, step_s=1.0)
    rec.add("instances", np.ones(3))
    widget = ScalingDashboard(scaling_day(hours=2), replay=lambda **v: rec, controls=CONTROLS)
    click_replay(widget)
    assert isinstance(widget.last_exception, InvalidScenario)
    assert "needs a 'demand_rps' series in the recorder, but it has instances" in widget.error


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"scale_out_cpu": 150}, "scale_out_cpu must be between 10 and 100, got 150"),
        ({"max_size": 3}, "no control named 'max_size'; the controls are scale_out_cpu, min_size"),
        ({"min_size": "three"}, "control 'min_size': value must be a number, got str 'three'"),
    ],
)
def test_bad_values_from_the_view_show_an_error(values: dict[str, Any], message: str) -> None:
    widget, replay = replayable()
    click_replay(widget, **values)
    assert message in widget.error
    assert replay.calls == [] and widget.values == {"scale_out_cpu": 70, "min_size": 2}
    with pytest.raises(traitlets.TraitError, match=re.escape(message)):
        widget.values = values


def test_an_unknown_message_is_reported() -> None:
    widget, replay = replayable()
    widget._handle_custom_msg({"event": "explode"}, [])
    assert widget.error == "unknown message from the view: {'event': 'explode'}"
    assert replay.calls == []


@pytest.mark.parametrize(
    ("controls", "message"),
    [
        ({"cpu %": dict(min=1, max=2)}, "must be Python identifiers, got 'cpu %'"),
        ({"cpu": 75}, "control 'cpu' must be a dict like dict(value=75"),
        ({"cpu": dict(min=1, max=2, colour="red")}, "unknown keys ['colour']"),
        ({"cpu": dict(value=5)}, "control 'cpu' needs min and max"),
        ({"cpu": dict(min=5, max=5)}, "min must be < max, got 5 >= 5"),
        ({"cpu": dict(min=0, max=10, step=0)}, "step must be > 0, got 0"),
        ({"cpu": dict(value=11, min=0, max=10)}, "value must be between min 0 and max 10, got 11"),
        ({"cpu": dict(min=True, max=10)}, "min must be a number, got bool True"),
    ],
)
def test_bad_controls_are_rejected(controls: dict[str, Any], message: str) -> None:
    with pytest.raises(traitlets.TraitError, match=re.escape(message)):
        ScalingDashboard(demand_only(), replay=lambda **v: None, controls=controls)


def test_replay_needs_a_function() -> None:
    with pytest.raises(TypeError, match="controls need a replay function to call"):
        ScalingDashboard(demand_only(), controls=CONTROLS)
    with pytest.raises(TypeError, match="replay must be a function returning a Recorder, got int"):
        ScalingDashboard(demand_only(), replay=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="this dashboard has no replay function"):
        ScalingDashboard(demand_only()).replay_now()
    widget = ScalingDashboard(demand_only())
    click_replay(widget)
    assert "this dashboard has no replay function" in widget.error


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["day.csv", 42, [1, 2, 3]])
def test_dashboard_of_something_else_says_what_to_pass(bad: Any) -> None:
    with pytest.raises(
        TypeError,
        match=r"needs a Recorder \(or a run result with \.recorder\), "
        rf"got {type(bad).__name__} .*pass e\.g\. result\.recorder",
    ):
        dashboard(bad)


def test_dashboard_of_none_points_to_the_live_form() -> None:
    with pytest.raises(TypeError, match=r"got None; .*for a live run use ScalingDashboard\(\)"):
        dashboard(None)


def test_a_recorder_without_demand_is_an_invalid_scenario() -> None:
    rec = Recorder(np.arange(3.0), start=START, step_s=1.0)
    rec.add("instances", np.ones(3))
    with pytest.raises(
        InvalidScenario,
        match=(
            "ScalingDashboard needs a 'demand_rps' series in the recorder, but it has instances; "
            "record demand_rps"
        ),
    ):
        ScalingDashboard(rec)
    widget = ScalingDashboard()
    with pytest.raises(InvalidScenario, match="ScalingDashboard.update needs a 'demand_rps'"):
        widget.update(rec, 1)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"width": 100}, "width must be 400..4000 and height 300..4000 CSS pixels, got 100x"),
        ({"height": 99_999}, "got 900x99999"),
    ],
)
def test_sizes_out_of_range(kw: dict[str, int], message: str) -> None:
    with pytest.raises(InvalidScenario, match=message):
        ScalingDashboard(**kw)


# -- the static form saved in a notebook --------------------------------------------------


def test_executed_notebook_saves_the_final_svg_of_a_live_dashboard() -> None:
    """nbval, GitHub and the book read the SVG saved at display time: the final render of a
    live run must replace the empty one (display id + update_display_data)."""
    import nbformat
    from nbclient import NotebookClient

    fixture = Path(__file__).parents[1] / "browser" / "fixtures" / "dashboard_widget.ipynb"
    nb = nbformat.read(fixture, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    shown = [c for c in nb.cells if c.cell_type == "code"][0].outputs
    assert len(shown) == 1
    assert set(shown[0]["data"]) == {WIDGET_VIEW_MIME, "image/svg+xml", "text/plain"}
    svg = shown[0]["data"]["image/svg+xml"]
    assert "No samples yet" not in svg
    assert "run 1: scale_out_cpu=70, min_size=2" in texts(svg)
    assert shown[0]["data"]["text/plain"] == (
        "ScalingDashboard(title='Fixture: flash sale day', progress=1.00, runs=1)"
    )


@pytest.mark.parametrize(("name", "shown"), [
    ("TargetTracking-web-AlarmHigh-5f0c2f6e-0d1c-4f43-9a8e-2b1c0a9d7e11", "web AlarmHigh"),
    ("TargetTracking-my-shop-AlarmLow-0a1b2c3d-4e5f-6789-abcd-ef0123456789", "my-shop AlarmLow"),
    ("cpu-high", "cpu-high"),
    ("a-very-long-alarm-name-that-goes-on-and-on", "a-very-long-alarm-name-\u2026"),
])
def test_alarm_bands_carry_names_short_enough_to_read(name: str, shown: str) -> None:
    from cloudlab.viz.dashboard_panels import short_alarm_name

    assert short_alarm_name(name) == shown
