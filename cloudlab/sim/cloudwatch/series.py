"""The datapoints of one metric, and the statistics alarms read from them every minute.

A :class:`Series` holds one metric's datapoints as numpy columns (time, sum, sample count,
minimum, maximum, and whether the datapoint is a single value), appended cheaply and sorted
lazily. :func:`aggregate` (:mod:`~cloudlab.sim.cloudwatch.statistics`) computes a statistic
per period, vectorised. :meth:`Series.window` answers what alarm evaluation asks every
minute (a few consecutive periods) from a per-period grid that is recomputed only from the
earliest datapoint added since it was built, so evaluating an alarm over a static day of
data costs a list slice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cloudlab.sim.cloudwatch.statistics import (
    _FEW_PERIODS,
    STATISTICS,
    Aggregate,
    Columns,
    _one_per_period,
    aggregate,
    parse_percentile,
)

__all__ = ["MAX_GRID_PERIODS", "STATISTICS", "Series", "aggregate", "parse_percentile"]

#: Longest per-period grid a series caches; beyond it windows are computed one by one.
MAX_GRID_PERIODS = 200_000
_LOG_LIMIT = 4096  # changes remembered for incremental grid updates
_FEW_ADDED = 8  # Series.added_since answers for at most this many changes
_EXACT = 2.0 ** 52  # whole numbers of seconds below this are exact in float arithmetic


@dataclass
class _Grid:
    """A statistic for every period from ``g0`` on (NaN / 0 where there is no data)."""

    version: int
    g0: float
    values: list[float]
    counts: list[float]


class Series:
    """The datapoints of one metric: columns t, sum, count, min, max and raw (single value),
    plus the datapoints not yet published to the backend."""

    __slots__ = ("unit", "version", "latest", "_plain", "_new", "_t", "_v", "_buf", "_n", "_cols",
                 "_pend_t", "_pend_v", "_pend_chunks", "_log", "_grids")

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.version = 0  # bumped by every change
        self.latest = -math.inf  # the latest datapoint time
        self._plain = True  # single values only, at whole seconds (see few_periods)
        self._new: list[Columns] = []  # chunks not yet merged into the buffers
        self._t: list[float] = []  # single raw values not yet merged
        self._v: list[float] = []
        self._buf: Columns = ()  # the sorted columns, with spare capacity at the end
        self._n = 0  # how much of the buffers is used
        self._cols: Columns | None = None
        self._pend_t: list[float] = []  # not yet published to the backend
        self._pend_v: list[float] = []
        self._pend_chunks: list[tuple[np.ndarray, np.ndarray]] = []
        # (version, earliest t it added, the value if it added one single value, else None)
        self._log: list[tuple[int, float, float | None]] = []
        self._grids: dict[tuple[str, float, float], _Grid] = {}

    # -- adding -------------------------------------------------------------------------
    def _changed(self, earliest_t: float, latest_t: float) -> None:
        self._cols = None
        self.version += 1
        if latest_t > self.latest:
            self.latest = latest_t
        self._log.append((self.version, earliest_t, None))
        if len(self._log) > _LOG_LIMIT:
            del self._log[:_LOG_LIMIT // 2]

    def add(self, t: float, v: float, publish: bool) -> None:
        self._t.append(t)
        self._v.append(v)
        # _changed(t, t), inlined: the simulation adds some 25 datapoints a virtual minute
        self._cols = None
        self.version += 1
        if t > self.latest:
            self.latest = t
        if t % 1.0 and self._plain:
            self._plain = False
        self._log.append((self.version, t, v))
        if len(self._log) > _LOG_LIMIT:
            del self._log[:_LOG_LIMIT // 2]
        if publish:
            self._pend_t.append(t)
            self._pend_v.append(v)

    def add_many(self, ts: list[float], vs: list[float], publish: bool, *,
                 whole: bool | None = None) -> None:
        """:meth:`add` of each ``(ts[k], vs[k])`` in order, leaving exactly the state those
        calls leave (a version and a log entry per datapoint, the log trimmed as they would
        trim it), in a few list operations: how the metric store folds its rows. ``whole``:
        whether every time is a whole number of seconds, if the caller knows."""
        m = len(ts)
        if not m:
            return
        self._t += ts
        self._v += vs
        self._cols = None
        v0 = self.version
        self.version = v0 + m
        latest = max(ts)  # the first of equal maxima, as add()'s strict > keeps
        if latest > self.latest:
            self.latest = latest
        if self._plain and not (whole if whole is not None
                                else not any(t % 1.0 for t in ts)):
            self._plain = False
        # add() appends an entry per datapoint and, the moment the log grows past the
        # limit, drops its older half: what is left is the newest `keep` entries of the old
        # log followed by the new ones (only those are built)
        log = self._log
        total = len(log) + m
        keep = total
        if total > _LOG_LIMIT:
            half = _LOG_LIMIT // 2
            keep = half + 1 + (total - _LOG_LIMIT - 1) % half
        skip = total - keep  # entries dropped from the front of the old log and the new
        if skip >= len(log):
            first = skip - len(log)
            log.clear()
        else:
            first = 0
            del log[:skip]
        log += zip(range(v0 + 1 + first, v0 + m + 1), ts[first:], vs[first:], strict=True)
        if publish:
            self._pend_t += ts
            self._pend_v += vs

    def add_array(self, t: np.ndarray, v: np.ndarray, publish: bool) -> None:
        ones = np.ones(len(t))
        self._new.append((t, v, ones, v, v, np.ones(len(t), dtype=bool)))
        self._changed(float(t.min()), float(t.max()))
        if self._plain and bool(np.any(t % 1.0)):
            self._plain = False
        if publish:
            self._pend_chunks.append((t, v))

    def add_statistic_set(self, t: float, total: float, count: float, lo: float,
                          hi: float) -> None:
        one = np.ones(1)
        self._new.append((one * t, one * total, one * count, one * lo, one * hi,
                          np.zeros(1, dtype=bool)))
        self._changed(t, t)
        self._plain = False

    # -- publishing ---------------------------------------------------------------------
    @property
    def pending(self) -> int:
        return len(self._pend_t) + sum(len(c[0]) for c in self._pend_chunks)

    def take_pending(self) -> tuple[np.ndarray, np.ndarray]:
        """The unpublished datapoints (time-sorted ``t``, ``value``); now counted as published."""
        parts = [*self._pend_chunks]
        if self._pend_t:
            parts.append((np.asarray(self._pend_t, dtype=float),
                          np.asarray(self._pend_v, dtype=float)))
        self._pend_t, self._pend_v, self._pend_chunks = [], [], []
        if not parts:
            return np.empty(0), np.empty(0)
        t = np.concatenate([p[0] for p in parts])
        v = np.concatenate([p[1] for p in parts])
        order = np.argsort(t, kind="stable")
        return t[order], v[order]

    # -- reading ------------------------------------------------------------------------
    def columns(self) -> Columns:
        """(t, sum, count, min, max, raw), sorted by time. New datapoints later than all the
        others (the usual case: time moves forward) are appended in amortised O(new);
        earlier ones trigger one stable re-sort."""
        if self._cols is None:
            if not self._new and len(self._t) == 1 and self._appends_one():
                self._t, self._v = [], []
                self._cols = tuple(b[:self._n] for b in self._buf)
                return self._cols
            parts = self._new
            if self._t:
                t = np.asarray(self._t, dtype=float)
                v = np.asarray(self._v, dtype=float)
                parts.append((t, v, np.ones(len(t)), v, v, np.ones(len(t), dtype=bool)))
            self._new, self._t, self._v = [], [], []
            if parts:
                new = parts[0] if len(parts) == 1 else tuple(
                    np.concatenate(c) for c in zip(*parts, strict=True))
                tn = new[0]
                if len(tn) > 1 and bool(np.any(tn[1:] < tn[:-1])):
                    order = np.argsort(tn, kind="stable")
                    new = tuple(c[order] for c in new)
                if self._n and new[0][0] < self._buf[0][self._n - 1]:
                    merged = tuple(np.concatenate((b[:self._n], c))
                                   for b, c in zip(self._buf, new, strict=True))
                    order = np.argsort(merged[0], kind="stable")
                    self._buf, self._n = (), 0
                    new = tuple(c[order] for c in merged)
                self._append(new)
            self._cols = (tuple(b[:self._n] for b in self._buf) if self._buf
                          else tuple(np.empty(0) for _ in range(6)))
        return self._cols

    def _appends_one(self) -> bool:
        """The one new single value goes after the others and fits in the buffers (the
        usual case when a metric is read every period): written in place, as
        :meth:`_append` would, without building one-element arrays."""
        n = self._n
        if not n or n >= len(self._buf[0]) or self._t[0] < self._buf[0][n - 1]:
            return False
        t, v = self._t[0], self._v[0]
        times, sums, counts, lows, highs, raw = self._buf
        times[n], sums[n], counts[n], lows[n], highs[n], raw[n] = t, v, 1.0, v, v, True
        self._n = n + 1
        return True

    def _append(self, new: Columns) -> None:
        k = len(new[0])
        if not self._buf or self._n + k > len(self._buf[0]):
            capacity = max(64, 2 * (self._n + k))
            grown = []
            for i, col in enumerate(new):
                buf = np.empty(capacity, dtype=col.dtype)
                if self._buf:
                    buf[:self._n] = self._buf[i][:self._n]
                grown.append(buf)
            self._buf = tuple(grown)
        for buf, col in zip(self._buf, new, strict=True):
            buf[self._n:self._n + k] = col
        self._n += k

    def window(self, stat: str, q: float | None, period_s: float, t0_s: float,
               periods: int) -> tuple[list[float], list[float]]:
        """The statistic and sample count of ``periods`` periods from ``t0_s`` (NaN / 0 where
        data is missing)."""
        phase = round(t0_s % period_s, 6)
        key = (stat, period_s, phase)
        grid = self._grids.get(key)
        if grid is None or grid.version != self.version:
            grid = self._grid(stat, q, period_s, phase, grid)
            if grid is None:  # too long to cache: compute this window alone
                return self._direct(stat, q, period_s, t0_s, periods)
            self._grids[key] = grid
        i0 = round((t0_s - grid.g0) / period_s)
        lo, hi = max(i0, 0), min(i0 + periods, len(grid.values))
        if lo >= hi:
            return [math.nan] * periods, [0.0] * periods
        before, after = lo - i0, i0 + periods - hi
        return ([math.nan] * before + grid.values[lo:hi] + [math.nan] * after,
                [0.0] * before + grid.counts[lo:hi] + [0.0] * after)

    def few_periods(self, stat: str, q: float | None, period_s: float, t0_s: float,
                    t1_s: float) -> Aggregate | None:
        """:func:`aggregate` of the columns, for a few periods, answered from the per-period
        grid of :meth:`window` when one is kept for this statistic and period (an alarm's:
        Auto Scaling reads the period its alarm just evaluated). ``None`` when there is no
        such grid, or the series holds statistic sets or times that are not whole seconds
        (then a period with data could have a count of 0, or the grid's and aggregate()'s
        period arithmetic could round apart); whole seconds bin alike in both, exactly."""
        if not (self._plain and period_s.is_integer() and t0_s.is_integer()
                and abs(t0_s) < _EXACT):
            return None
        periods = math.floor((t1_s - t0_s) / period_s + 1e-9)
        phase = round(t0_s % period_s, 6)
        if not 0 < periods <= _FEW_PERIODS or (stat, period_s, phase) not in self._grids:
            return None
        values, counts = self.window(stat, q, period_s, t0_s, periods)
        present = [i for i, c in enumerate(counts) if c > 0]  # the periods with data
        return (np.array([t0_s + i * period_s for i in present], dtype=float),
                np.array([values[i] for i in present], dtype=float),
                np.array([counts[i] for i in present], dtype=float))

    def _direct(self, stat: str, q: float | None, period_s: float, t0_s: float,
                periods: int) -> tuple[list[float], list[float]]:
        values, counts = [math.nan] * periods, [0.0] * periods
        got = aggregate(self.columns(), stat, q, period_s, t0_s, t0_s + periods * period_s)
        for t, v, c in zip(got[0].tolist(), got[1].tolist(), got[2].tolist(), strict=True):
            i = round((t - t0_s) / period_s)
            values[i], counts[i] = v, c
        return values, counts

    def _since(self, version: int) -> float | None:
        """Earliest time of the datapoints added after ``version`` (``None``: unknown)."""
        if not self._log or self._log[0][0] > version + 1:
            return None
        earliest = math.inf
        for ver, t, _ in reversed(self._log):
            if ver <= version:
                break
            earliest = min(earliest, t)
        return earliest

    def added_since(self, version: int) -> list[tuple[float, float]] | None:
        """The ``(t, value)`` of the single values added after ``version``, if every change
        since then added one single value and there are at most :data:`_FEW_ADDED` of them
        (``None`` otherwise: arrays, statistic sets, too many or forgotten changes). What an
        alarm needs to move its evaluation range along a metric published once a period."""
        if version < 0 or self.version - version > _FEW_ADDED:
            return None
        log = self._log
        if self.version > version and (not log or log[0][0] > version + 1):
            return None
        added = []
        for ver, t, v in reversed(log):
            if ver <= version:
                break
            if v is None:
                return None
            added.append((t, v))
        return added

    def added_one(self, version: int) -> tuple[float, float] | None:
        """``added_since(version)[0]`` when that list holds exactly one single value, else
        ``None``: what an alarm asks every minute of a metric published once a period,
        without building the list. Every change bumps :attr:`version` by one and logs
        itself under its version (the log keeps the newest), so one change since
        ``version`` is ``self.version == version + 1`` and is the last log entry."""
        if self.version != version + 1 or version < 0:
            return None
        ver, t, v = self._log[-1]
        if ver != self.version or v is None:
            return None
        return t, v

    def _grid(self, stat: str, q: float | None, period_s: float, phase: float,
              old: _Grid | None) -> _Grid | None:
        cols = self.columns()
        t = cols[0]
        if not len(t):
            return _Grid(self.version, 0.0, [], [])
        g0 = math.floor((float(t[0]) - phase) / period_s + 1e-9) * period_s + phase
        n = math.floor((float(t[-1]) - g0) / period_s + 1e-9) + 1
        if n > MAX_GRID_PERIODS:
            return None
        keep = 0
        if old is not None and old.g0 == g0:
            since = self._since(old.version)
            if since is not None:
                keep = max(0, min(len(old.values), math.floor((since - g0) / period_s)))
        start = g0 + keep * period_s
        tail = n - keep
        got = _one_per_period(cols, stat, q, period_s, start, tail)
        if got is None:
            values = np.full(tail, np.nan)
            counts = np.zeros(tail)
            got_t, got_v, got_n = aggregate(cols, stat, q, period_s, start,
                                            start + tail * period_s)
            idx = np.rint((got_t - start) / period_s).astype(np.int64)
            values[idx], counts[idx] = got_v, got_n
            got = values.tolist(), counts.tolist()
        if old is not None and keep:  # extend the old grid in place: O(changed periods)
            del old.values[keep:], old.counts[keep:]
            old.values.extend(got[0])
            old.counts.extend(got[1])
            old.version = self.version
            return old
        return _Grid(self.version, g0, got[0], got[1])
