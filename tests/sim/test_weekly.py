from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from cloudlab.cloud import DEFAULT_START
from cloudlab.errors import InvalidScenario
from cloudlab.sim.weekly import day_and_hour, parse_days, seconds_into_week


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("Mon-Sun", set(range(7))),
        ("Sat,Sun", {5, 6}),
        ("sat, sun", {5, 6}),
        ("Fri-Mon", {4, 5, 6, 0}),
        ("Wednesday", {2}),
        ("Mon,Wed-Thu", {0, 2, 3}),
    ],
)
def test_parse_days(text, expected):
    assert parse_days(text) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Mo-Fr", "unknown day 'Mo'"),
        ("", "no days given"),
        ("Mon-Wed-Fri", "'Mon-Wed-Fri' is not a day or a range"),
        ("Weekdays", "unknown day 'Weekdays'"),
    ],
)
def test_parse_days_rejects(text, why):
    with pytest.raises(InvalidScenario) as err:
        parse_days(text)
    expected = f"days must be like 'Mon-Fri', 'Mon-Sun' or 'Sat,Sun', got {text!r} ({why})"
    assert str(err.value) == expected


def test_day_and_hour_from_monday_start():
    t = np.array([0.0, 9.5 * 3600, 86400 * 5 + 3600, 86400 * 7])
    day, hour = day_and_hour(t, DEFAULT_START)
    assert day.tolist() == [0, 0, 5, 0]
    assert hour.tolist() == [0.0, 9.5, 1.0, 0.0]


def test_day_and_hour_with_offset_and_other_timezone_start():
    # Wed 2026-01-07 23:00 UTC is Thursday 04:30 in India (UTC+5:30)
    start = datetime(2026, 1, 7, 23, tzinfo=UTC)
    day, hour = day_and_hour(np.array([0.0]), start, 5.5)
    assert (int(day[0]), float(hour[0])) == (3, 4.5)
    same_instant = start.astimezone(timezone(timedelta(hours=-5)))
    assert seconds_into_week(same_instant) == seconds_into_week(start) == 2 * 86400 + 23 * 3600
