"""DemandCapacityChart and chart(): traits, validation, live updates, MIME bundle."""

from __future__ import annotations

from typing import Any

import pytest
import traitlets
from fake_recorder import FakeRecorder, FakeResult, make_recorder

from cloudlab.viz import DemandCapacityChart, chart, render_svg
from cloudlab.viz.chart import WIDGET_VIEW_MIME


class FakeClock:
    """Wall clock the test moves by hand (the throttle reads it)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _live(title: str = "live") -> tuple[DemandCapacityChart, FakeClock]:
    widget = DemandCapacityChart(title=title)
    clock = FakeClock()
    widget._clock = clock
    return widget, clock


def test_traits_are_synced_and_documented() -> None:
    widget = DemandCapacityChart()
    for name in ("svg", "title", "progress"):
        trait = widget.traits()[name]
        assert trait.metadata.get("sync") is True, name
        assert trait.help, name


def test_esm_and_css_come_from_files_next_to_the_module() -> None:
    widget = DemandCapacityChart()
    assert "export default" in widget._esm and "change:svg" in widget._esm
    assert ".cloudlab-chart" in widget._css


def test_chart_of_a_result_renders_at_once(day_recorder: FakeRecorder) -> None:
    widget = chart(FakeResult(day_recorder, "fixed"), title="Lab 1")
    assert widget.progress == 1.0
    assert widget.svg == render_svg(FakeResult(day_recorder, "fixed"), title="Lab 1")


def test_chart_of_several_results_compares_them(recorder_factory) -> None:  # type: ignore[no-untyped-def]
    runs = (FakeResult(recorder_factory(), "fixed"), FakeResult(recorder_factory(), "elastic"))
    widget = chart(runs)
    assert "capacity (fixed)" in widget.svg and "capacity (elastic)" in widget.svg


def test_chart_rejects_a_string() -> None:
    with pytest.raises(TypeError, match="chart needs a RunResult or a list of them, got str"):
        chart("fixed")


def test_empty_widget_shows_the_empty_state() -> None:
    widget = DemandCapacityChart(title="waiting")
    assert widget.progress == 0.0
    assert "No samples yet." in widget.svg


def test_title_change_rerenders(day_recorder: FakeRecorder) -> None:
    widget = DemandCapacityChart(day_recorder, title="before")
    widget.title = "after"
    assert ">after</title>" in widget.svg


@pytest.mark.parametrize("bad", [-0.01, 1.5, float("nan")])
def test_progress_out_of_range_is_rejected(bad: float) -> None:
    widget = DemandCapacityChart()
    with pytest.raises(traitlets.TraitError, match="progress must be between 0 and 1"):
        widget.progress = bad
    assert widget.progress == 0.0


def test_svg_must_be_svg() -> None:
    widget = DemandCapacityChart()
    with pytest.raises(traitlets.TraitError, match="svg must be an SVG document"):
        widget.svg = "<div>hello</div>"


def test_update_throttles_then_always_draws_the_final_state() -> None:
    rec = make_recorder(hours=6, step_s=60)
    n = len(rec.t_s)
    widget, clock = _live()
    start_renders = widget.renders
    widget.update(rec, 10)  # first update draws
    assert widget.renders == start_renders + 1
    assert widget.progress == pytest.approx(10 / n)
    first = widget.svg
    clock.now += 0.05
    widget.update(rec, 20)  # too soon: progress moves, no render
    assert widget.renders == start_renders + 1
    assert widget.svg == first
    assert widget.progress == pytest.approx(20 / n)
    clock.now += 0.05
    widget.update(rec, n)  # final: drawn although too soon
    assert widget.renders == start_renders + 2
    assert widget.progress == 1.0
    assert widget.svg == render_svg(rec, title="live")


def test_update_after_the_interval_renders() -> None:
    rec = make_recorder(hours=6, step_s=60)
    widget, clock = _live()
    widget.update(rec, 10)
    clock.now += 0.3
    widget.update(rec, 20)
    assert widget.renders == 2


def test_flush_draws_pending_data() -> None:
    rec = make_recorder(hours=6, step_s=60)
    widget, clock = _live()
    widget.update(rec, 10)
    widget.update(rec, 30)
    before = widget.renders
    widget.flush()
    assert widget.renders == before + 1
    widget.flush()  # nothing pending: no extra render
    assert widget.renders == before + 1


def test_a_slow_render_stretches_the_interval() -> None:
    rec = make_recorder(hours=6, step_s=60)
    widget, clock = _live()
    widget.update(rec, 10)
    widget._render_cost_s = 1.0  # as if that render took a second of wall time
    clock.now += 0.5
    widget.update(rec, 20)
    assert widget.renders == 1
    clock.now += 2.4  # 2.9 s: drawing would still take more than a quarter of the time
    widget.update(rec, 30)
    assert widget.renders == 1
    clock.now += 0.2  # 3.1 s: three render costs have passed
    widget.update(rec, 40)
    assert widget.renders == 2


def test_update_final_flag_forces_a_render() -> None:
    rec = make_recorder(hours=6, step_s=60)
    widget, _ = _live()
    widget.update(rec, 10)
    widget.update(rec, 20, final=True)
    assert widget.renders == 2 and widget.progress == 1.0


def test_partial_update_keeps_the_full_time_axis() -> None:
    rec = make_recorder(hours=6, step_s=60)
    widget, _ = _live(title="")
    widget.update(rec, 60)
    assert widget.svg == render_svg(rec.upto(60), t_end_s=float(rec.t_s[-1]))


@pytest.mark.parametrize("upto", [-1, 10_000])
def test_update_rejects_upto_out_of_range(upto: int) -> None:
    rec = make_recorder(hours=1, step_s=60)
    widget, _ = _live()
    with pytest.raises(
        ValueError, match=f"upto must be between 0 and the recorder's 60 samples, got {upto}"
    ):
        widget.update(rec, upto)


def test_mimebundle_has_widget_view_svg_and_short_text(day_recorder: FakeRecorder) -> None:
    widget = DemandCapacityChart(day_recorder, title="Lab 1")
    bundle = widget._repr_mimebundle_()
    assert set(bundle) == {WIDGET_VIEW_MIME, "image/svg+xml", "text/plain"}
    assert bundle[WIDGET_VIEW_MIME]["model_id"] == widget.model_id
    assert bundle[WIDGET_VIEW_MIME]["version_major"] == 2
    assert bundle["image/svg+xml"] == widget.svg
    assert bundle["text/plain"] == "DemandCapacityChart(title='Lab 1', progress=1.00)"


def test_final_render_refreshes_displayed_static_image(monkeypatch: pytest.MonkeyPatch) -> None:
    """A displayed live chart updates its saved output once the run is complete."""
    sent: list[dict[str, Any]] = []

    class Handle:
        def update(self, obj: dict[str, Any], raw: bool = False) -> None:
            assert raw
            sent.append(obj)

    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: Handle())
    rec = make_recorder(hours=6, step_s=60)
    widget, _ = _live()
    widget._ipython_display_()
    widget.update(rec, 10)
    assert sent == []  # not while running
    widget.update(rec, len(rec.t_s))
    assert len(sent) == 1 and sent[0]["image/svg+xml"] == widget.svg
