"""The virtual clock: ordering, periodic events, cancellation, validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlab.cloud.clock import DEFAULT_START, VirtualClock
from cloudlab.errors import ClockError


def test_starts_at_default_monday_midnight() -> None:
    clock = VirtualClock()
    assert clock.now == DEFAULT_START
    assert clock.now.weekday() == 0 and clock.now.hour == 0
    assert clock.t == 0.0


def test_advance_adds_units() -> None:
    clock = VirtualClock()
    clock.advance(30, minutes=2, hours=1, days=1)
    assert clock.t == 30 + 120 + 3600 + 86400
    assert clock.now == DEFAULT_START + timedelta(days=1, hours=1, minutes=2, seconds=30)


def test_events_fire_in_time_order_then_insertion_order() -> None:
    clock = VirtualClock()
    fired: list[str] = []
    clock.schedule(20, lambda c: fired.append("b"))
    clock.schedule(10, lambda c: fired.append("a"))
    clock.schedule(20, lambda c: fired.append("c"))
    clock.advance(15)
    assert fired == ["a"]
    clock.advance(5)
    assert fired == ["a", "b", "c"]


def test_callback_sees_its_own_due_time() -> None:
    clock = VirtualClock()
    seen: list[float] = []
    clock.schedule(42, lambda c: seen.append(c.t))
    clock.advance(100)
    assert seen == [42.0]
    assert clock.t == 100.0


def test_every_repeats_and_cancel_stops_it() -> None:
    clock = VirtualClock()
    ticks: list[float] = []
    handle = clock.every(30, lambda c: ticks.append(c.t))
    clock.advance(minutes=2)
    assert ticks == [30.0, 60.0, 90.0, 120.0]
    handle.cancel()
    clock.advance(minutes=2)
    assert len(ticks) == 4
    assert len(clock) == 0


def test_callback_can_schedule_more_work_within_the_same_advance() -> None:
    clock = VirtualClock()
    fired: list[float] = []

    def first(c: VirtualClock) -> None:
        fired.append(c.t)
        c.schedule(5, lambda c2: fired.append(c2.t))

    clock.schedule(10, first)
    clock.advance(20)
    assert fired == [10.0, 15.0]


def test_schedule_at_datetime() -> None:
    clock = VirtualClock()
    fired: list[datetime] = []
    clock.schedule_at(DEFAULT_START + timedelta(hours=9), lambda c: fired.append(c.now))
    clock.advance(hours=10)
    assert fired == [DEFAULT_START + timedelta(hours=9)]


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "soon"])
def test_advance_rejects_bad_durations(bad: object) -> None:
    clock = VirtualClock()
    with pytest.raises(ClockError, match="seconds must be"):
        clock.advance(bad)  # type: ignore[arg-type]
    assert clock.t == 0.0


def test_cannot_schedule_in_the_past_or_run_backwards() -> None:
    clock = VirtualClock()
    clock.advance(100)
    with pytest.raises(ClockError, match="already at t=100s"):
        clock.schedule_at(50.0, lambda c: None)
    with pytest.raises(ClockError, match="move the clock back"):
        clock.run_until(10)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ClockError, match="timezone-aware"):
        VirtualClock(datetime(2026, 1, 1))


def test_every_needs_positive_interval() -> None:
    with pytest.raises(ClockError, match="interval_s must be > 0"):
        VirtualClock().every(0, lambda c: None)


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=30))
def test_property_events_fire_sorted_and_clock_ends_at_target(delays: list[float]) -> None:
    clock = VirtualClock(datetime(2026, 1, 5, tzinfo=UTC))
    fired: list[float] = []
    for d in delays:
        clock.schedule(d, lambda c: fired.append(c.t))
    clock.advance(1e6)
    assert fired == sorted(fired)
    assert len(fired) == len(delays)
    assert clock.t == 1e6
