"""decide() writes each evaluated period's two time texts from one split (_texts): the same
texts as _iso and _stamp, whatever the start and the time. The alarm engine's decide_lists
gives decide()'s verdict."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cloudlab.sim.cloudwatch.evaluation import (
    COMPARISONS,
    STATES,
    TREATMENTS,
    _iso,
    _stamp,
    _texts,
    decide,
    decide_lists,
    range_starts,
)

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


values_st = st.lists(st.one_of(st.just(math.nan), st.floats(0, 100, allow_nan=False),
                               st.integers(0, 100)), min_size=1, max_size=20)


@given(values=values_st, t0=times, period=st.sampled_from([1, 10, 60, 300, 86_400]),
       n=st.integers(1, 20), m=st.integers(1, 20), treat=st.sampled_from(TREATMENTS),
       operator=st.sampled_from(sorted(COMPARISONS)), threshold=st.floats(0, 100),
       old_state=st.sampled_from(STATES), start=starts,
       query_t=st.one_of(st.none(), times))
def test_decide_lists_decides_as_decide(values, t0, period, n, m, treat, operator,
                                        threshold, old_state, start, query_t):
    """The alarm engine's transition (decide_lists of the Python floats of its values and
    counts, range_starts) gives decide()'s verdict on the numpy arrays it took before."""
    span = len(values)
    n = min(n, span)
    m = min(m, n)
    counts = [0 if v != v else (1 + i % 3) for i, v in enumerate(values)]
    kwargs: dict[str, Any] = dict(threshold=threshold, operator=operator, n=n, m=m,
                                  treat=treat, old_state=old_state, start=start,
                                  stat_name="Average", period=period, query_t=query_t)
    starts_np = t0 + np.arange(span) * float(period)
    assert range_starts(t0, span, period) == starts_np.tolist()
    try:
        expected = decide(np.asarray(values), starts_np, counts=np.asarray(counts), **kwargs)
    except OverflowError:  # a time past year 9999: no datetime for it either
        return
    got = decide_lists(list(map(float, values)), range_starts(t0, span, period),
                       list(map(float, counts)), **kwargs)
    assert got == expected
    assert repr(got) == repr(expected)


def test_range_starts_are_numpys() -> None:
    """range_starts rounds as numpy does, for starts with every bit of a fraction."""
    rng = random.Random(5)
    for _ in range(3000):
        t0 = rng.choice([rng.uniform(-1e12, 1e12), rng.uniform(-1e3, 1e3),
                         float(rng.randrange(-10**9, 10**9))])
        span, period = rng.randrange(1, 21), rng.choice([1, 7, 10, 60, 300, 3600, 86_400])
        assert range_starts(t0, span, period) == \
            (t0 + np.arange(span) * float(period)).tolist(), (t0, span, period)
