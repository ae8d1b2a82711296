"""Weekly calendar arithmetic on the virtual time axis: day of week, hour of day, day sets.

Traffic curves (business hours) and schedules (test servers on Mon-Fri 09-17) both ask
"which weekday and hour is ``t_s`` seconds after the cloud's start?", for whole numpy
arrays at once. Days are numbered 0 = Monday ... 6 = Sunday, like ``datetime.weekday()``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from cloudlab.errors import InvalidScenario

__all__ = ["WEEK_S", "day_and_hour", "parse_days", "seconds_into_week"]

#: Seconds in a week.
WEEK_S = 7 * 86400.0

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def seconds_into_week(start: datetime, utc_offset_h: float = 0.0) -> float:
    """Seconds from the (local) Monday 00:00 on or before ``start`` to ``start``."""
    local = start.astimezone(UTC) + timedelta(hours=utc_offset_h)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return local.weekday() * 86400.0 + (local - midnight).total_seconds()


def day_and_hour(
    t_s: np.ndarray, start: datetime, utc_offset_h: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Weekday (0 = Monday, int array) and hour of day (float array, 0 <= h < 24) of each
    time ``t_s`` (seconds since ``start``), in the time zone ``utc_offset_h`` hours east."""
    week_s = np.mod(seconds_into_week(start, utc_offset_h) + np.asarray(t_s, float), WEEK_S)
    day = np.floor_divide(week_s, 86400.0)
    hour = (week_s - day * 86400.0) / 3600.0
    return day.astype(np.int64), hour


def parse_days(days: str) -> frozenset[int]:
    """``"Mon-Fri"`` -> {0..4}; ``"Sat,Sun"`` -> {5, 6}; ranges may wrap (``"Fri-Mon"``).

    Days are English names or their first three letters, in any case.

    Raises:
        InvalidScenario: an unknown day or a malformed range.
    """
    if not isinstance(days, str) or not days.strip():
        raise InvalidScenario(_days_error(days, "no days given"))
    out: set[int] = set()
    for token in days.split(","):
        ends = [_day_index(part, days) for part in token.split("-")]
        if len(ends) == 1:
            out.add(ends[0])
        elif len(ends) == 2:
            a, b = ends
            out.update((a + k) % 7 for k in range((b - a) % 7 + 1))
        else:
            raise InvalidScenario(_days_error(days, f"{token.strip()!r} is not a day or a range"))
    return frozenset(out)


def _day_index(raw: str, days: str) -> int:
    r = raw.strip().lower()
    for i, name in enumerate(_DAYS):
        if r in (name, name[:3]):
            return i
    raise InvalidScenario(_days_error(days, f"unknown day {raw.strip()!r}"))


def _days_error(days: object, why: str) -> str:
    return f"days must be like 'Mon-Fri', 'Mon-Sun' or 'Sat,Sun', got {days!r} ({why})"
