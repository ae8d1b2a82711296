"""The metric store: every CloudWatch datapoint of the mini cloud, on the virtual clock.

A :class:`MetricStore` keeps the datapoints the simulation produces (:meth:`~MetricStore.put`,
:meth:`~MetricStore.put_series`) and the ones learners publish with ``put_metric_data``
(mirrored by an ``after-call`` hook, see :mod:`cloudlab.sim.cloudwatch.hooks`), as numpy
columns per metric. A metric is identified as on AWS by namespace, name and the exact set of
dimensions; datapoints carry times ``t_s`` in seconds since the cloud's start.

Alarm evaluation reads statistics straight from the store (:meth:`~MetricStore.statistic`),
never from the backend, so evaluating is cheap. What the simulation produced is published
to the backend lazily with ``put_metric_data`` (:meth:`~MetricStore.flush`), batched, just
before a learner reads metrics, so ``get_metric_data`` shows everything.

Example:
    >>> import numpy as np
    >>> store = MetricStore(start=DEFAULT_START)
    >>> dims = {"InstanceId": "i-1"}
    >>> store.put_series("AWS/EC2", "CPUUtilization", dims, np.arange(0.0, 180, 30),
    ...                  np.array([10.0, 20, 30, 40, 50, 60]), unit="Percent")
    >>> store.statistic("AWS/EC2", "CPUUtilization", dims, "Average", 60, 0, 180)
    (array([  0.,  60., 120.]), array([15., 35., 55.]))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from cloudlab.cloud.clock import DEFAULT_START
from cloudlab.errors import InvalidScenario
from cloudlab.sim._collector import BusyCollector
from cloudlab.sim.cloudwatch.publishing import (
    MAX_DATUMS_PER_CALL,
    MAX_VALUES_PER_DATUM,
    _fast_client,
    datums,
)
from cloudlab.sim.cloudwatch.rows import Layout, Rows, ValueRows
from cloudlab.sim.cloudwatch.series import STATISTICS, Series, aggregate, parse_percentile

if TYPE_CHECKING:
    from cloudlab.cloud import Cloud

__all__ = [
    "MAX_DATUMS_PER_CALL",
    "MAX_VALUES_PER_DATUM",
    "STATISTICS",
    "Layout",
    "MetricKey",
    "MetricStore",
    "Rows",
    "metric_key",
    "metrics",
    "parse_percentile",
]

_STATE = "cloudwatch.metrics"

#: (namespace, metric name, frozenset of (dimension name, value)).
MetricKey = tuple[str, str, frozenset[tuple[str, str]]]


def metric_key(namespace: str, metric_name: str, dimensions: Mapping[str, str]) -> MetricKey:
    """The identity of a metric: namespace, name and the exact set of dimensions."""
    return (str(namespace), str(metric_name),
            frozenset((str(k), str(v)) for k, v in dimensions.items()))


def _check(stat: str, period_s: float) -> float | None:
    """The percentile of ``stat`` (``None`` for a plain statistic); refuses bad input."""
    q = parse_percentile(stat)
    if stat not in STATISTICS and q is None:
        raise InvalidScenario(
            f"unknown statistic {stat!r}; use one of {', '.join(STATISTICS)} or a "
            "percentile such as 'p95' or 'p99.9'")
    if not period_s > 0:
        raise InvalidScenario(f"period_s must be > 0, got {period_s!r}")
    return q


class MetricStore:
    """CloudWatch datapoints of one cloud, by metric, as numpy columns.

    Args:
        start: calendar instant of ``t_s == 0`` (the cloud's clock start).
        cloud: the Cloud to publish to on :meth:`flush` (``None``: a standalone store).

    Get the per-cloud store with :func:`metrics`.
    """

    def __init__(self, *, start: datetime = DEFAULT_START, cloud: Cloud | None = None) -> None:
        self.start = start
        self._cloud = cloud
        self._series: dict[MetricKey, Series] = {}
        self.publishing = False  # True while flush() calls put_metric_data
        # Rows of datapoints put with put_row and not yet added to their series (see
        # put_row), the rows' layouts, and the metrics read at least once (written directly)
        self._rows: list[Rows] = []
        self._layouts: dict[tuple[MetricKey, ...], Layout] = {}
        self._read: set[MetricKey] = set()
        self._buffered: set[MetricKey] = set()  # metrics some layout buffers
        self._split = 0  # bumped when a buffered metric is read: layouts split again
        self.flush_calls = 0  # put_metric_data requests made by flush()
        self.published = 0  # datums published so far

    # -- writing ------------------------------------------------------------------------
    def _get(self, key: MetricKey, unit: str) -> Series:
        if self._rows and key in self._buffered:
            self._fold()  # its earlier datapoints first
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = Series(unit)
        elif unit != "None":
            series.unit = unit
        return series

    def put(self, namespace: str, metric_name: str, dimensions: Mapping[str, str], t_s: float,
            value: float, *, unit: str = "None") -> None:
        """Record one datapoint at ``t_s`` seconds of virtual time (published on flush)."""
        self.put_key(metric_key(namespace, metric_name, dimensions), t_s, value, unit=unit)

    def put_key(self, key: MetricKey, t_s: float, value: float, *, unit: str = "None") -> None:
        """:meth:`put` for a metric whose :func:`metric_key` the caller keeps (a run
        publishing the same metrics every minute builds each key once)."""
        t, v = float(t_s), float(value)
        if not (math.isfinite(t) and math.isfinite(v)):
            raise InvalidScenario(
                f"datapoint of {key[0]}/{key[1]} must have finite t_s and value, "
                f"got t_s={t_s!r}, value={value!r} (CloudWatch rejects NaN and infinity)")
        if self._rows and key in self._buffered:
            self._fold()  # its earlier datapoints first
        series = self._series.get(key)  # _get(), inlined
        if series is None:
            series = self._series[key] = Series(unit)
        elif unit != "None":
            series.unit = unit
        series.add(t, v, True)

    def layout(self, keys: Sequence[MetricKey], units: Sequence[str]) -> Layout:
        """The :class:`Layout` of rows of datapoints for ``keys`` (with their ``units``), for
        :meth:`put_row`; the same object for the same keys. Makes the metrics not yet known,
        in order, as putting a datapoint to each would."""
        keys = tuple(keys)
        layout = self._layouts.get(keys)
        if layout is None:
            series = []
            for key, unit in zip(keys, units, strict=True):
                found = self._series.get(key)
                if found is None:
                    found = self._series[key] = Series(unit)
                series.append(found)
            layout = self._layouts[keys] = Layout(keys, tuple(units), tuple(series))
        return layout

    def put_row(self, layout: Layout, t_s: float, values: list[float]) -> None:
        """:meth:`put_key` of ``values[i]`` to ``layout.keys[i]`` at ``t_s``, for every
        ``i``: what a run publishes every minute, in one call.

        The datapoints of metrics nobody has read yet are kept as the row itself and added
        to their series only when something needs them (any read of one of them, a write to
        one of them by another way, :attr:`pending`, :meth:`flush`), all rows in order: the
        series then hold exactly what putting each datapoint would have given. Metrics read
        before (an alarm's, every minute) get theirs at once.

        Raises:
            InvalidScenario: a NaN or infinite time or value (the ones before it are put).
        """
        total = t_s + sum(values)
        if total - total != 0.0:  # NaN: some time or value is not finite (or their sum)
            self._fold()
            for key, unit, value in zip(layout.keys, layout.units, values, strict=True):
                self.put_key(key, t_s, value, unit=unit)
            return
        if layout.split != self._split:
            self._split_layout(layout)
        t = float(t_s)
        for i in layout.direct:
            series, unit = layout.series[i], layout.units[i]
            if unit != "None":
                series.unit = unit
            series.add(t, float(values[i]), True)
        if layout.buffered:
            rows = self._rows
            block = rows[-1] if rows else None
            if block is None or block.layout is not layout or type(block) is not ValueRows:
                block = ValueRows(layout)
                rows.append(block)
            block.times.append(t)
            block.values.append(values)  # type: ignore[attr-defined]

    def is_open(self, rows: Rows) -> bool:
        """Whether ``rows`` is the newest block of rows the store keeps: a row put with
        :meth:`put_rows` may join it. Otherwise (the store has folded it, or other rows
        came after it) the next row starts a new block."""
        return bool(self._rows) and self._rows[-1] is rows

    def direct(self, layout: Layout) -> list[tuple[int, Series, str]]:
        """The metrics of ``layout`` that :meth:`put_rows` writes at once (read before), in
        its order: their index in the layout, series and unit. They stay the same while a
        block of rows of the layout is open (:meth:`is_open`): a read that makes another
        metric direct (a buffered one) folds the blocks first, and a folded block is not
        open. Another row of an open block then only adds their values to their series, in
        this order (a writer that has them may add them itself)."""
        if layout.split != self._split:
            self._split_layout(layout)
        return [(i, layout.series[i], layout.units[i]) for i in layout.direct]

    def put_rows(self, rows: Rows) -> None:
        """Put the newest row of ``rows`` (a block of rows of one layout whose writer keeps
        what the values are computed from, see :class:`~cloudlab.sim.cloudwatch.rows.Rows`):
        as :meth:`put_row` with the row's values, where the values of metrics nobody has
        read are had only when the store needs them. ``rows`` must be open
        (:meth:`is_open`) or new; its writer checks that the values are finite.
        """
        layout = rows.layout
        if layout.split != self._split:
            self._split_layout(layout)
        t = rows.times[-1]
        for i in layout.direct:
            series, unit = layout.series[i], layout.units[i]
            if unit != "None":
                series.unit = unit
            series.add(t, rows.last(i), True)
        if layout.buffered and not (self._rows and self._rows[-1] is rows):
            self._rows.append(rows)

    def _split_layout(self, layout: Layout) -> None:
        """Which metrics of ``layout`` are written at once (read before) or buffered."""
        layout.direct = [i for i, k in enumerate(layout.keys) if k in self._read]
        layout.buffered = [i for i, k in enumerate(layout.keys) if k not in self._read]
        layout.split = self._split
        self._buffered.update(layout.keys[i] for i in layout.buffered)

    def _fold(self) -> None:
        """Add the buffered rows to their series, in the order they were put: a block's
        column at a time (each series gets its datapoints in the same order, which is all
        that putting them one by one gives it)."""
        blocks, self._rows = self._rows, []
        if not blocks:
            return
        with BusyCollector():  # a week's rows are ~250,000 datapoints
            self._fold_blocks(blocks)

    @staticmethod
    def _fold_blocks(blocks: list[Rows]) -> None:
        for block in blocks:
            layout = block.layout
            if layout.repeats:  # a metric twice in a row: row by row, as put_key would
                columns = {i: block.column(i) for i in layout.buffered}
                for r, t in enumerate(block.times):
                    for i in layout.buffered:
                        series, unit = layout.series[i], layout.units[i]
                        if unit != "None":
                            series.unit = unit
                        series.add(t, columns[i][r], True)
                continue
            times = block.times
            whole = not any(t % 1.0 for t in times)
            for i in layout.buffered:
                series, unit = layout.series[i], layout.units[i]
                if unit != "None":
                    series.unit = unit
                series.add_many(times, block.column(i), True, whole=whole)

    def _reading(self, key: MetricKey) -> Series | None:
        """The series of a metric being read, with all its datapoints; from now on its
        datapoints in rows are written at once."""
        if key not in self._read:
            if self._rows and key in self._buffered:
                self._fold()
            self._read.add(key)
            if key in self._buffered:
                self._buffered.discard(key)
                self._split += 1
        return self._series.get(key)

    def put_series(self, namespace: str, metric_name: str, dimensions: Mapping[str, str],
                   t_s: np.ndarray, values: np.ndarray, *, unit: str = "None") -> None:
        """Record one datapoint per element of ``t_s``/``values`` (published on flush)."""
        t = np.array(t_s, dtype=float, copy=True).reshape(-1)
        v = np.array(values, dtype=float, copy=True).reshape(-1)
        if t.shape != v.shape:
            raise InvalidScenario(
                f"t_s and values of {namespace}/{metric_name} must have the same length, "
                f"got {len(t)} times and {len(v)} values")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
            raise InvalidScenario(
                f"datapoints of {namespace}/{metric_name} must be finite numbers; drop NaN "
                "and infinite values first (CloudWatch rejects them)")
        if len(t):
            self._get(metric_key(namespace, metric_name, dimensions), unit).add_array(t, v, True)

    def record(self, namespace: str, datum: Mapping[str, Any], t_s: float) -> None:
        """Mirror one datum of a learner's ``put_metric_data`` (already in the backend):
        ``Value``, ``Values``/``Counts`` or ``StatisticValues``."""
        dims = {d["Name"]: d["Value"] for d in datum.get("Dimensions") or ()}
        series = self._get(metric_key(namespace, datum["MetricName"], dims),
                           str(datum.get("Unit") or "None"))
        stats = datum.get("StatisticValues")
        if datum.get("Values"):
            counts = datum.get("Counts") or [1] * len(datum["Values"])
            for value, count in zip(datum["Values"], counts, strict=False):
                for _ in range(int(round(float(count)))):
                    series.add(t_s, float(value), False)
        elif stats:
            series.add_statistic_set(t_s, float(stats["Sum"]), float(stats["SampleCount"]),
                                     float(stats["Minimum"]), float(stats["Maximum"]))
        else:
            series.add(t_s, float(datum.get("Value", 0.0)), False)

    # -- reading ------------------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        return key in self._series

    def __iter__(self) -> Iterator[MetricKey]:
        return iter(sorted(self._series, key=lambda k: (k[0], k[1], sorted(k[2]))))

    def __len__(self) -> int:
        return len(self._series)

    def unit(self, key: MetricKey) -> str:
        """Unit of a metric (``"None"`` if it has no unit or is unknown)."""
        series = self._reading(key)
        return series.unit if series else "None"

    def version(self, key: MetricKey) -> int:
        """A number that changes whenever the metric gets datapoints (-1: no such metric)."""
        series = self._reading(key)
        return -1 if series is None else series.version

    def series(self, key: MetricKey) -> Series | None:
        """The :class:`Series` of a metric, read as :meth:`version` reads it (``None``: no
        such metric yet). From then on its ``version`` is the metric's :meth:`version`: a
        store keeps a metric's series for good, and the datapoints of a metric once read go
        straight into it (see :meth:`put_row`), so a reader may keep the series and ask it
        (the alarm engine, every minute)."""
        return self._reading(key)

    def latest(self, key: MetricKey) -> float:
        """Time of a metric's latest datapoint (``-inf`` if it has none)."""
        series = self._reading(key)
        return -math.inf if series is None else series.latest

    def added_since(self, key: MetricKey, version: int) -> list[tuple[float, float]] | None:
        """The ``(t_s, value)`` of the single datapoints a metric got after its
        :meth:`version` was ``version``, when those are all its changes and they are few;
        ``None`` otherwise (then read the statistics again)."""
        series = self._reading(key)
        return None if series is None else series.added_since(version)

    def datapoints(self, key: MetricKey) -> int:
        """How many datapoints a metric holds (statistic sets count once)."""
        series = self._reading(key)
        return 0 if series is None else len(series.columns()[0])

    def statistic(self, namespace: str, metric_name: str, dimensions: Mapping[str, str],
                  stat: str, period_s: int, t0_s: float, t1_s: float
                  ) -> tuple[np.ndarray, np.ndarray]:
        """A statistic per period, for the periods ``[t0 + k*period, t0 + (k+1)*period)``
        that lie fully inside ``[t0_s, t1_s)``.

        Args:
            stat: ``Average``, ``Sum``, ``Minimum``, ``Maximum``, ``SampleCount`` or a
                percentile ``pNN`` (percentiles use single values only, as on AWS, where
                statistic sets carry no percentiles).
            period_s: period length in seconds (> 0).

        Returns:
            ``(period_starts_s, values)``; periods without data are absent ("missing data").

        Raises:
            InvalidScenario: unknown statistic or a period <= 0.
        """
        starts, values, _ = self.aggregate(metric_key(namespace, metric_name, dimensions),
                                           stat, period_s, t0_s, t1_s)
        return starts, values

    def aggregate(self, key: MetricKey, stat: str, period_s: float, t0_s: float,
                  t1_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Like :meth:`statistic` for a :data:`MetricKey`, plus the sample count per period."""
        q = _check(stat, period_s)
        series = self._reading(key)
        if series is None:
            empty = np.empty(0)
            return empty, empty, empty
        period, t0, t1 = float(period_s), float(t0_s), float(t1_s)
        few = series.few_periods(stat, q, period, t0, t1)
        if few is not None:
            return few
        return aggregate(series.columns(), stat, q, period, t0, t1)

    def window(self, key: MetricKey, stat: str, period_s: float, t0_s: float,
               periods: int) -> tuple[list[float], list[float]]:
        """The statistic and sample count of ``periods`` consecutive periods from ``t0_s``
        (NaN and 0 where data is missing), as lists: what alarm evaluation reads every
        minute, answered from a per-period cache that is updated only where data changed."""
        q = _check(stat, period_s)
        series = self._reading(key)
        if series is None:
            return [math.nan] * periods, [0.0] * periods
        return series.window(stat, q, float(period_s), float(t0_s), periods)

    # -- publishing ---------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Datapoints not yet published to the backend."""
        self._fold()
        return sum(s.pending for s in self._series.values())

    def flush(self, select: Callable[[MetricKey], bool] | None = None) -> int:
        """Publish not-yet-published datapoints with ``put_metric_data``.

        Batches of at most :data:`MAX_DATUMS_PER_CALL` datums, one namespace per call;
        values that share a metric and a timestamp travel as one datum with
        ``Values``/``Counts``. Timestamps are ``clock.start + t_s``.

        Args:
            select: publish only the metrics for which ``select(key)`` is true (a read of
                one metric needs only that metric's datapoints); default: all.

        Returns:
            the number of datapoints published.
        """
        if self._cloud is None:
            return 0
        self._fold()
        by_namespace: dict[str, list[dict[str, Any]]] = {}
        published = 0
        for key, series in self._series.items():
            if not series.pending or (select is not None and not select(key)):
                continue
            t, v = series.take_pending()
            published += len(t)
            by_namespace.setdefault(key[0], []).extend(
                datums(self.start, key, series.unit, t, v))
        if not by_namespace:
            return 0
        client = _fast_client(self._cloud)
        self.publishing = True
        try:
            for namespace in sorted(by_namespace):
                batch = by_namespace[namespace]
                for i in range(0, len(batch), MAX_DATUMS_PER_CALL):
                    client.put_metric_data(Namespace=namespace,
                                           MetricData=batch[i:i + MAX_DATUMS_PER_CALL])
                    self.flush_calls += 1
        finally:
            self.publishing = False
        self.published += published
        return published


def metrics(cloud: Cloud) -> MetricStore:
    """The per-cloud :class:`MetricStore` (created on first use, dropped by ``cloud.reset()``);
    also attaches the CloudWatch hooks to the cloud."""
    from cloudlab.sim.cloudwatch.hooks import install

    install(cloud)
    return cloud.state(_STATE, lambda: MetricStore(start=cloud.clock.start, cloud=cloud))
