from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from cloudlab.cloud import DEFAULT_START, Cloud
from cloudlab.errors import InvalidScenario
from cloudlab.sim import BusinessHours, Constant, Noise, Spike, TrafficModel
from cloudlab.sim.traffic import traffic_rng

H = 3600.0
WEEK = np.arange(0.0, 7 * 86400.0, 60.0)


def rps(model: TrafficModel, t, seed: int = 0) -> np.ndarray:
    return model.rps(np.asarray(t, dtype=float), start=DEFAULT_START, rng=traffic_rng(seed))


def test_constant():
    assert rps(Constant(120), [0, 5, 86400]).tolist() == [120, 120, 120]


def test_business_hours_shape_weekday():
    bh = BusinessHours(50, 400)  # 09-18 UTC, Monday start
    out = rps(bh, [0, 9 * H, 13.5 * H, 18 * H, 23 * H, 11.25 * H])
    assert out[:5].tolist() == [50, 50, 400, 50, 50]
    assert out[5] == pytest.approx(50 + 350 * np.sin(np.pi / 4) ** 2)  # quarter of the day
    day = rps(bh, np.arange(0, 86400.0))
    assert day.max() == 400 and day.min() == 50
    assert np.all(np.abs(np.diff(day)) < 0.2)  # smooth: no jumps


def test_business_hours_weekend_and_every_day():
    saturday_noon = 5 * 86400 + 13.5 * H
    assert rps(BusinessHours(50, 400), [saturday_noon])[0] == 50
    assert rps(BusinessHours(50, 400, weekdays_only=False), [saturday_noon])[0] == 400


def test_business_hours_utc_offset():
    india = BusinessHours(0, 100, utc_offset_h=5.5)
    # 13:30 in India is 08:00 UTC
    assert rps(india, [8 * H])[0] == pytest.approx(100)
    assert rps(india, [13.5 * H])[0] < 100


def test_business_hours_peak():
    assert BusinessHours(50, 400).peak(days=1) == 400
    assert BusinessHours(50, 400).peak(days=1, start=datetime(2026, 1, 10, tzinfo=UTC)) == 50


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_rps": 50, "peak_rps": 10},
         "peak_rps must be >= base_rps, got peak_rps=10, base_rps=50"),
        ({"base_rps": -1, "peak_rps": 10}, "base_rps must be >= 0, got -1"),
        ({"base_rps": 1, "peak_rps": 10, "open_h": 18, "close_h": 9},
         "open_h must be before close_h, got open_h=18, close_h=9"),
        ({"base_rps": 1, "peak_rps": 10, "close_h": 25}, "close_h must be <= 24, got 25"),
        ({"base_rps": 1, "peak_rps": 10, "utc_offset_h": 20}, "utc_offset_h must be <= 14, got 20"),
        ({"base_rps": "a lot", "peak_rps": 10}, "base_rps must be a number, got str 'a lot'"),
        ({"base_rps": float("nan"), "peak_rps": 10}, "base_rps must be a finite number, got nan"),
    ],
)
def test_business_hours_validation(kwargs, message):
    with pytest.raises(InvalidScenario) as err:
        BusinessHours(**kwargs)
    assert str(err.value) == message


def test_spike_plateau_ramps_and_markers():
    sale = Spike(1000, at=20, duration_h=2, ramp_h=1, name="Diwali sale")
    out = rps(sale, [18.9 * H, 19 * H, 19.5 * H, 20 * H, 21 * H, 22 * H, 22.5 * H, 23 * H])
    assert out.tolist() == pytest.approx([0, 0, 500, 1000, 1000, 1000, 500, 0])
    start, end = sale.markers()
    assert (start.t_s, start.label, start.kind) == (20 * H, "Diwali sale", "spike")
    assert (end.t_s, end.label, end.kind) == (22 * H, "Diwali sale ends", "spike_end")


def test_spike_at_datetime_and_no_ramp():
    at = datetime(2026, 1, 6, 18, tzinfo=UTC)  # Tuesday 18:00 = 42 h after start
    sale = Spike(300, at=at, duration_h=1, ramp_h=0)
    assert sale.at_s(DEFAULT_START) == 42 * H
    assert rps(sale, [42 * H - 1, 42 * H, 43 * H, 43 * H + 1]).tolist() == [0, 300, 300, 0]


def test_spike_validation():
    with pytest.raises(InvalidScenario, match="duration_h must be > 0, got 0"):
        Spike(10, at=1, duration_h=0)
    with pytest.raises(InvalidScenario, match="extra_rps must be >= 0, got -5"):
        Spike(-5, at=1, duration_h=1)
    with pytest.raises(InvalidScenario, match="at must be a timezone-aware datetime"):
        Spike(5, at=datetime(2026, 1, 6), duration_h=1)


def test_noise_mean_one_spread_and_held_per_bucket():
    out = rps(Noise(0.05, every_s=60), np.arange(0.0, 86400.0 * 7))
    assert out.mean() == pytest.approx(1.0, abs=0.005)
    assert out.std() == pytest.approx(0.05, rel=0.1)
    buckets = out.reshape(-1, 60)
    assert np.all(buckets == buckets[:, :1])  # one value per minute
    assert np.all(out > 0)


def test_noise_seeded_same_and_different():
    model = BusinessHours(50, 400) * Noise(0.1)
    a, b, c = rps(model, WEEK, 1), rps(model, WEEK, 1), rps(model, WEEK, 2)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_noise_does_not_depend_on_how_time_is_split():
    model = Constant(100) * Noise(0.1, every_s=1)
    whole = rps(model, np.arange(0.0, 20000.0))
    first = rps(model, np.arange(0.0, 7000.0))
    second = rps(model, np.arange(7000.0, 20000.0))
    assert np.array_equal(whole, np.concatenate([first, second]))


def test_noise_zero_sigma_and_validation():
    assert rps(Constant(7) * Noise(0), WEEK).tolist() == [7] * len(WEEK)
    with pytest.raises(InvalidScenario, match="every_s must be > 0, got 0"):
        Noise(0.1, every_s=0)
    with pytest.raises(InvalidScenario, match="sigma must be >= 0, got -0.1"):
        Noise(-0.1)


def test_composition_sum_scale_and_product():
    bh, sale = BusinessHours(50, 400), Spike(1000, at=20, duration_h=3)
    t = np.arange(0.0, 86400.0, 30.0)
    assert np.allclose(rps(bh + sale, t), rps(bh, t) + rps(sale, t))
    assert np.allclose(rps(bh * 1.5, t), 1.5 * rps(bh, t))
    assert np.allclose(rps(2 * bh, t), 2 * rps(bh, t))
    assert np.allclose(rps(bh + 10, t), rps(bh, t) + 10)
    assert (bh + sale).peak(days=1) == 1050
    assert [m.kind for m in ((bh + sale) * Noise()).markers()] == ["spike", "spike_end"]
    assert "BusinessHours" in repr((bh + sale) * Noise()) and "Noise" in repr(bh * Noise())


def test_composition_rejects_garbage():
    with pytest.raises(InvalidScenario, match="cannot combine a traffic model with str using"):
        BusinessHours(1, 2) + "lots"  # type: ignore[operator]
    with pytest.raises(InvalidScenario, match="factor must be >= 0, got -1"):
        BusinessHours(1, 2) * -1


def test_rps_requires_aware_start():
    with pytest.raises(InvalidScenario, match="start must be a timezone-aware datetime"):
        Constant(1).rps(np.zeros(2), start=datetime(2026, 1, 5), rng=traffic_rng())


def test_traffic_rng_matches_cloud_stream():
    with Cloud(seed=11) as cloud:
        expected = cloud.rng("traffic").random(5)
    assert np.array_equal(traffic_rng(11).random(5), expected)


def test_peak_validation():
    with pytest.raises(InvalidScenario, match="days must be > 0, got 0"):
        Constant(1).peak(days=0)
