"""The time texts kept by evaluation._kept_texts (by seconds from the start, dropped when the
start changes) are the texts a datetime gives, through starts that change (equal copies,
other days, other zones, fractions of a second, none) and times asked again, in any order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from cloudlab.sim.cloudwatch.evaluation import _iso, _stamp, _texts


def _fresh(start: datetime | None, t_s: float) -> tuple[str, str]:
    at = (start or datetime(1970, 1, 1)) + timedelta(seconds=t_s)
    return (at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000",
            at.strftime("%d/%m/%y %H:%M:%S"))


def test_kept_texts_follow_the_start_and_the_time() -> None:
    rng = random.Random(3)
    base = datetime(2026, 1, 5, tzinfo=UTC)
    starts: list[datetime | None] = [
        base, datetime(2026, 1, 5, tzinfo=UTC),  # an equal copy: another object
        base + timedelta(days=1), base + timedelta(seconds=30),
        base + timedelta(microseconds=500_000), datetime(2026, 1, 5),
        datetime(2026, 1, 5, tzinfo=timezone(timedelta(hours=-5))), None]
    times = [m * 60.0 for m in range(-3, 40)] + [0.5, 59.999, 86_400.0, 7.0]
    asked = 0
    for _ in range(40):
        start = rng.choice(starts)
        for t_s in rng.sample(times, 25) * 2:  # each asked twice: the second time kept
            expected = _fresh(start, t_s)
            which = rng.randrange(3)
            if which == 0:
                assert _texts(start, t_s) == expected, (start, t_s)
            elif which == 1:
                assert _iso(start, t_s) == expected[0], (start, t_s)
            else:
                assert _stamp(start, t_s) == expected[1], (start, t_s)
            asked += 1
    assert asked == 2000
