"""The statistics CloudWatch computes from a metric's datapoints, per period.

:func:`aggregate` computes a statistic for every period with data, vectorised over the
columns of a :class:`~cloudlab.sim.cloudwatch.series.Series`; :func:`_one_per_period` the
same for a few periods holding one datapoint each, in plain floats (what an alarm reads
every minute).

Percentiles are nearest-rank (the smallest value with at least the given share of samples
at or below it) over single values; statistic sets carry no percentiles, as on AWS.

Example:
    >>> import numpy as np
    >>> cols = (np.array([0.0, 30, 70]), np.array([1.0, 3, 5]), np.ones(3), np.array(
    ...     [1.0, 3, 5]), np.array([1.0, 3, 5]), np.ones(3, dtype=bool))
    >>> aggregate(cols, "Average", None, 60.0, 0.0, 120.0)
    (array([ 0., 60.]), array([2., 5.]), array([2., 1.]))
"""

from __future__ import annotations

import math
import re

import numpy as np

__all__ = ["STATISTICS", "aggregate", "parse_percentile"]

#: The plain statistics; percentiles are written ``pNN`` or ``pNN.NN`` (``p95``, ``p99.9``).
STATISTICS = ("Average", "Sum", "Minimum", "Maximum", "SampleCount")
_FEW_PERIODS = 16  # grid updates this short are computed in plain floats
_PERCENTILE = re.compile(r"p(\d{1,2}(?:\.\d{1,2})?|100(?:\.0{1,2})?)")

Columns = tuple[np.ndarray, ...]
Aggregate = tuple[np.ndarray, np.ndarray, np.ndarray]


def parse_percentile(stat: str) -> float | None:
    """``"p95"`` -> 0.95, ``"p99.9"`` -> 0.999; ``None`` for anything else."""
    m = _PERCENTILE.fullmatch(stat)
    return float(m.group(1)) / 100 if m else None


def aggregate(cols: Columns, stat: str, q: float | None, period_s: float, t0_s: float,
              t1_s: float) -> Aggregate:
    """``(period starts, statistic, sample count)`` of the periods with data among
    ``[t0 + k*period, t0 + (k+1)*period)`` fully inside ``[t0_s, t1_s)``.

    Args:
        cols: ``(t, sum, count, min, max, raw)`` sorted by ``t``.
        q: the percentile of ``stat`` as a fraction, or ``None`` for a plain statistic.
    """
    empty = np.empty(0)
    n_periods = math.floor((t1_s - t0_s) / period_s + 1e-9)
    t = cols[0]
    if n_periods <= 0 or not len(t):
        return empty, empty, empty
    i0 = int(t.searchsorted(t0_s, "left"))
    i1 = int(t.searchsorted(t0_s + n_periods * period_s, "left"))
    if i0 >= i1:
        return empty, empty, empty
    bins = np.floor((t[i0:i1] - t0_s) / period_s).astype(np.int64)
    if q is not None:
        return _percentile(bins, cols[1][i0:i1], cols[5][i0:i1], q, period_s, t0_s)
    first = np.flatnonzero(np.concatenate(([True], bins[1:] != bins[:-1])))
    n = np.add.reduceat(cols[2][i0:i1], first)
    if stat == "Sum":
        values = np.add.reduceat(cols[1][i0:i1], first)
    elif stat == "Average":
        values = np.add.reduceat(cols[1][i0:i1], first) / n
    elif stat == "Minimum":
        values = np.minimum.reduceat(cols[3][i0:i1], first)
    elif stat == "Maximum":
        values = np.maximum.reduceat(cols[4][i0:i1], first)
    else:
        values = n.copy()
    return t0_s + bins[first] * period_s, values, n


def _percentile(bins: np.ndarray, values: np.ndarray, raw: np.ndarray, q: float,
                period_s: float, t0_s: float) -> Aggregate:
    b, v = bins[raw], values[raw]
    if not len(b):
        empty = np.empty(0)
        return empty, empty, empty
    order = np.lexsort((v, b))
    b, v = b[order], v[order]
    present, first, n = np.unique(b, return_index=True, return_counts=True)
    rank = np.clip(np.ceil(q * n - 1e-9).astype(np.int64) - 1, 0, n - 1)
    return t0_s + present * period_s, v[first + rank], n.astype(float)


def _one_per_period(cols: Columns, stat: str, q: float | None, period_s: float, t0_s: float,
                    periods: int) -> tuple[list[float], list[float]] | None:
    """The grid slots (statistic, sample count; NaN / 0 without data) of a few periods from
    ``t0_s``, in plain floats, when each holds at most one datapoint: what an alarm reads
    every minute from a metric published once a period, where numpy's fixed cost was most
    of the work. ``None`` otherwise (then :func:`aggregate` computes them).

    The same bins, slots and values as :func:`aggregate` gives, bit for bit: the
    statistic of a single datapoint is the datapoint (an average is its one division,
    sum / count)."""
    if periods > _FEW_PERIODS:
        return None
    values, counts = [math.nan] * periods, [0.0] * periods
    t = cols[0]
    n_periods = math.floor((t0_s + periods * period_s - t0_s) / period_s + 1e-9)
    if n_periods <= 0 or not len(t):
        return values, counts
    i0 = int(t.searchsorted(t0_s, "left"))
    i1 = int(t.searchsorted(t0_s + n_periods * period_s, "left"))
    if i1 - i0 > periods:
        return None
    times = t[i0:i1].tolist()
    sums, ns = cols[1][i0:i1].tolist(), cols[2][i0:i1].tolist()
    lows, highs = cols[3][i0:i1].tolist(), cols[4][i0:i1].tolist()
    raws = cols[5][i0:i1].tolist()
    last = None
    for k, tk in enumerate(times):
        if q is not None and not raws[k]:
            continue  # percentiles use single values only
        b = math.floor((tk - t0_s) / period_s)
        if b == last:
            return None  # two datapoints in one period
        last = b
        i = round((t0_s + b * period_s - t0_s) / period_s)
        if not 0 <= i < periods:
            return None
        if q is not None:
            values[i], counts[i] = sums[k], 1.0
            continue
        n = ns[k]
        if stat == "Average":
            if not n:
                return None  # numpy's 0/0 (NaN with a warning), not Python's exception
            values[i] = sums[k] / n
        elif stat == "Sum":
            values[i] = sums[k]
        elif stat == "Minimum":
            values[i] = lows[k]
        elif stat == "Maximum":
            values[i] = highs[k]
        else:
            values[i] = n
        counts[i] = n
    return values, counts
