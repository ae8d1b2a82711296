"""Rows of datapoints put together, and the ones the metric store keeps until needed.

A run publishes the same metrics every minute. :meth:`MetricStore.put_row
<cloudlab.sim.cloudwatch.metrics.MetricStore.put_row>` takes such a minute as one row of a
:class:`Layout` (the metrics' keys, units and series). The datapoints of metrics nobody has
read yet wait in :class:`Rows` blocks (consecutive rows of one layout) and go to their series
only when something needs them, a whole column of a block at a time
(:meth:`Series.add_many <cloudlab.sim.cloudwatch.series.Series.add_many>`): each series
then gets its datapoints in the order they were put, which is all that putting them one by
one would have given it (series are independent of one another).

A block need not hold the values themselves: a writer may subclass :class:`Rows` to keep,
per row, only what its values are computed from, and compute a column in one pass when the
store folds the block (:class:`~cloudlab.sim.workload_rows.MinuteRows` does, for a run's
per-instance metrics).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from cloudlab.sim.cloudwatch.metrics import MetricKey
    from cloudlab.sim.cloudwatch.series import Series

__all__ = ["Layout", "Rows", "ValueRows"]


class Layout:
    """The metrics of rows of datapoints put together (:meth:`MetricStore.put_row`): their
    keys, units and series, and which of them are written at once (``direct``) or kept in
    the rows until needed (``buffered``), as split at the store's ``split`` count."""

    __slots__ = ("keys", "units", "series", "direct", "buffered", "split", "repeats")

    def __init__(self, keys: tuple[MetricKey, ...], units: tuple[str, ...],
                 series: tuple[Series, ...]) -> None:
        self.keys, self.units, self.series = keys, units, series
        self.direct: list[int] = []
        self.buffered: list[int] = []
        self.split = -1
        #: a metric is listed twice: its rows must be folded row by row (a column at a time
        #: would reorder the datapoints the metric gets at one time)
        self.repeats = len(set(keys)) != len(keys)


class Rows:
    """Consecutive rows of one :class:`Layout`, kept by the store until needed: their
    times, and each metric's values (:meth:`column`). Subclasses say how a value is had."""

    __slots__ = ("layout", "times")

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.times: list[float] = []

    def column(self, i: int) -> list[float]:
        """The values of the layout's metric ``i`` in every row, in order, as floats."""
        raise NotImplementedError

    def last(self, i: int) -> float:
        """The value of the layout's metric ``i`` in the newest row."""
        raise NotImplementedError


class ValueRows(Rows):
    """Rows given as their values (what :meth:`MetricStore.put_row` keeps)."""

    __slots__ = ("values", "_matrix")

    def __init__(self, layout: Layout) -> None:
        super().__init__(layout)
        self.values: list[list[float]] = []
        self._matrix: np.ndarray | None = None

    def column(self, i: int) -> list[float]:
        # one conversion of the block to float64 (float() of each value, as put_key does:
        # exact for floats, round to nearest for ints), a column at a time back to floats
        matrix = self._matrix
        if matrix is None or len(matrix) != len(self.values):
            matrix = self._matrix = np.array(self.values, dtype=float)
        return matrix[:, i].tolist()  # type: ignore[no-any-return]

    def last(self, i: int) -> float:
        return float(self.values[-1][i])
