"""decide() writes each evaluated period's two time texts from one split (_texts): the same
texts as _iso and _stamp, whatever the start and the time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from cloudlab.sim.cloudwatch.evaluation import _iso, _stamp, _texts

starts = st.one_of(st.none(), st.datetimes(
    min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 1),
    timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-5))])))
times = st.one_of(st.integers(-10**9, 10**9).map(float),
                  st.floats(-1e9, 1e9, allow_nan=False),
                  st.integers(-10**6, 10**6).map(lambda m: m * 60.0))


@given(start=starts, t_s=times)
def test_both_texts_are_iso_and_stamp(start, t_s):
    try:
        expected = (_iso(start, t_s), _stamp(start, t_s))
    except OverflowError:  # past year 9999 (or before 1): no datetime for it either
        return
    assert _texts(start, t_s) == expected
