"""render_svg and minmax_downsample: determinism, content, accessibility, downsampling."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest
from fake_recorder import FakeMarker, FakeRecorder, FakeResult, make_recorder
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cloudlab.errors import InvalidScenario
from cloudlab.viz import minmax_downsample, render_svg
from cloudlab.viz.render import MAX_POINTS


def _polyline_sizes(svg: str) -> list[int]:
    """Number of vertices of each drawn path (matplotlib writes 'M x y L x y ...')."""
    return [d.count(" L ") + 1 for d in re.findall(r'<path d="(M[^"]*)"', svg)]


# -- determinism ------------------------------------------------------------------------


def test_same_input_gives_identical_svg(day_recorder: FakeRecorder) -> None:
    a = render_svg(day_recorder, title="A day")
    b = render_svg(day_recorder, title="A day")
    assert a == b


def test_user_rcparams_do_not_change_the_output(day_recorder: FakeRecorder) -> None:
    before = render_svg(day_recorder)
    with matplotlib.rc_context({"lines.linewidth": 7.0, "font.size": 20, "svg.hashsalt": None}):
        during = render_svg(day_recorder)
    assert during == before


def test_no_date_metadata(day_recorder: FakeRecorder) -> None:
    svg = render_svg(day_recorder)
    assert "<dc:date>" not in svg


def test_different_input_gives_different_svg(recorder_factory) -> None:  # type: ignore[no-untyped-def]
    assert render_svg(recorder_factory(fleet_rps=1000)) != render_svg(
        recorder_factory(fleet_rps=1400)
    )


# -- content and accessibility ------------------------------------------------------------


def test_has_title_desc_and_role(day_recorder: FakeRecorder) -> None:
    svg = render_svg(FakeResult(day_recorder, "fixed fleet"), title="Lab 1 & friends")
    assert 'role="img"' in svg
    assert re.search(r"<title id=\"cl-[0-9a-f]+-title\">Lab 1 &amp; friends</title>", svg)
    desc = re.search(r"<desc id=\"[^\"]+\">([^<]*)</desc>", svg)
    assert desc is not None
    assert "Demand peaks at" in desc.group(1)
    assert "fixed fleet" in desc.group(1)
    assert "Diwali sale at Mon 12:00" in desc.group(1)


def test_panels_legend_event_and_unmet_label_are_text(day_recorder: FakeRecorder) -> None:
    svg = render_svg(day_recorder)
    for text in (
        "Demand vs capacity",
        "Instances",
        "Cumulative cost",
        "demand",
        "capacity",
        "unmet demand",
        "Diwali sale",
        "unmet demand: 3.",  # legend carries the share of requests unmet
        "Mon 12:00",
    ):
        assert text in svg, text


def test_result_name_becomes_default_title(day_recorder: FakeRecorder) -> None:
    svg = render_svg(FakeResult(day_recorder, "fixed 5 x m5.large"))
    assert "<title id" in svg and ">fixed 5 x m5.large</title>" in svg


def test_comparison_overlays_each_run_with_its_own_style(recorder_factory) -> None:  # type: ignore[no-untyped-def]
    fixed = FakeResult(recorder_factory(fleet_rps=1000), "fixed")
    bigger = FakeResult(recorder_factory(fleet_rps=1400), "bigger")
    svg = render_svg([fixed, bigger])
    assert "capacity (fixed)" in svg and "capacity (bigger)" in svg
    assert ">fixed vs bigger</title>" in svg
    dashes = set(re.findall(r"stroke-dasharray: ([0-9.,]+)", svg))
    assert len(dashes) >= 2  # line styles differ, not only colours


def test_width_sets_svg_size(day_recorder: FakeRecorder) -> None:
    svg = render_svg(day_recorder, width_px=600)
    assert 'width="450pt"' in svg  # 600 CSS px == 450 pt


def test_t_end_extends_the_time_axis(day_recorder: FakeRecorder) -> None:
    half = day_recorder.upto(len(day_recorder.t_s) // 2)
    assert render_svg(half, t_end_s=float(day_recorder.t_s[-1])) != render_svg(half)


def test_events_outside_the_data_are_not_drawn(recorder_factory) -> None:  # type: ignore[no-untyped-def]
    rec = recorder_factory(hours=2, events=[FakeMarker(10 * 3600.0, "Black Friday")])
    assert "Black Friday" not in render_svg(rec)


def test_many_markers_are_labelled_once(recorder_factory) -> None:  # type: ignore[no-untyped-def]
    marks = [FakeMarker(h * 3600.0, "scale out", "scale") for h in range(1, 20)]
    svg = render_svg(recorder_factory(events=marks))
    assert svg.count(">scale out<") == 1


# -- size and downsampling ----------------------------------------------------------------


def test_one_day_at_one_second_stays_small_and_keeps_the_spike() -> None:
    rec = make_recorder(step_s=1.0, spike_at_s=3 * 3600 + 17)
    assert rec.t_s.shape[0] == 86_400
    svg = render_svg(rec)
    assert len(svg) < 120_000
    assert max(_polyline_sizes(svg)) <= MAX_POINTS + 2
    desc = re.search(r"<desc[^>]*>([^<]*)</desc>", svg)
    assert desc is not None and "5,000 requests/s on Mon 03:00" in desc.group(1)


def test_downsample_keeps_a_one_sample_peak() -> None:
    t = np.arange(86_400.0)
    v = np.zeros_like(t)
    v[40_001] = 9.0
    v[70_000] = -4.0
    t2, out = minmax_downsample(t, {"v": v}, max_points=600)
    assert len(t2) <= 600 and out["v"].shape == t2.shape
    assert out["v"].max() == 9.0 and out["v"].min() == -4.0
    assert 39_000 <= t2[int(np.argmax(out["v"]))] <= 41_000


def test_downsample_leaves_short_series_alone() -> None:
    t = np.arange(10.0)
    t2, out = minmax_downsample(t, {"v": t * 2})
    assert np.array_equal(t2, t) and np.array_equal(out["v"], t * 2)


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(
        np.float64,
        st.integers(1, 3000),
        elements=st.floats(-1e6, 1e6, allow_nan=False),
    ),
    max_points=st.integers(4, 700),
)
def test_downsample_preserves_extremes_and_bounds(values: np.ndarray, max_points: int) -> None:
    t = np.arange(values.shape[0], dtype=float)
    t2, out = minmax_downsample(t, {"v": values}, max_points=max_points)
    v2 = out["v"]
    assert len(t2) == len(v2) <= max(max_points, len(values) if len(values) <= max_points else 0)
    assert v2.max() == values.max() and v2.min() == values.min()
    assert np.all(np.diff(t2) >= 0)
    assert t2[0] == t[0] and t2[-1] == t[-1]


def test_downsample_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="max_points must be >= 4, got 2"):
        minmax_downsample(np.arange(10.0), {}, max_points=2)
    with pytest.raises(ValueError, match="series 'v' has 3 samples but t_s has 10"):
        minmax_downsample(np.arange(10.0), {"v": np.zeros(3)})


# -- empty and invalid input --------------------------------------------------------------


def test_empty_recorder_gives_an_empty_state_chart(day_recorder: FakeRecorder) -> None:
    svg = render_svg(day_recorder.upto(0), title="Waiting")
    assert "No samples yet." in svg
    assert "Empty chart" in svg  # <desc>
    assert svg == render_svg(day_recorder.upto(0), title="Waiting")


def test_missing_series_are_shown_as_not_recorded() -> None:
    t = np.arange(0.0, 3600.0, 60.0)
    rec = FakeRecorder(t, {"demand_rps": np.full_like(t, 10.0)})
    svg = render_svg(rec)
    assert "no instances recorded" in svg and "no cost_usd recorded" in svg


def test_recorder_without_chart_series_is_rejected() -> None:
    t = np.arange(3.0)
    rec = FakeRecorder(t, {"latency_ms": t})
    with pytest.raises(InvalidScenario, match=r"has none of the series the chart draws"):
        render_svg(rec)


@pytest.mark.parametrize("bad", [42, "demand", None, []])
def test_wrong_type_is_rejected(bad: object) -> None:
    with pytest.raises(TypeError, match="render_svg needs a Recorder, a RunResult"):
        render_svg(bad)


@pytest.mark.parametrize("width", [0, 199, 4001])
def test_width_out_of_range_is_rejected(day_recorder: FakeRecorder, width: int) -> None:
    with pytest.raises(
        InvalidScenario, match=f"width_px must be between 200 and 4000, got {width}"
    ):
        render_svg(day_recorder, width_px=width)


def test_placeholder_gets_a_learner_hint() -> None:
    with pytest.raises(TypeError, match="still the `...` placeholder"):
        render_svg(...)
