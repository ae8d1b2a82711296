"""The store's blocks of rows: Series.add_many leaves exactly what add() one datapoint at a
time leaves (versions, log and its trimming, pending, plain), and folding blocks a column at
a time (also with a metric listed twice in a row, and a subclass that computes its values)
holds what putting each datapoint gives."""

from __future__ import annotations

from typing import Any

import pytest

from cloudlab.sim.cloudwatch.metrics import MetricStore, metric_key
from cloudlab.sim.cloudwatch.rows import Layout, Rows
from cloudlab.sim.cloudwatch.series import _LOG_LIMIT, Series


def _series_state(s: Series) -> list[Any]:
    return [s.unit, s.version, s.latest, s._plain, list(s._log), s.pending,
            [c.tolist() for c in s.columns()], [c.tolist() for c in s.take_pending()]]


@pytest.mark.parametrize("before", [0, 5, _LOG_LIMIT - 3, _LOG_LIMIT, _LOG_LIMIT // 2 + 1])
@pytest.mark.parametrize("m", [1, 3, _LOG_LIMIT // 2 - 1, _LOG_LIMIT // 2, _LOG_LIMIT // 2 + 1,
                               _LOG_LIMIT + 7, 3 * _LOG_LIMIT + 1])
def test_add_many_leaves_what_adding_one_by_one_leaves(before, m):
    one, many = Series("Percent"), Series("Percent")
    for s in (one, many):
        for k in range(before):
            s.add(float(k), k * 0.5, True)
    ts = [float(before + k) + (0.5 if k == m // 2 else 0.0) for k in range(m)]
    vs = [k * 0.25 - 3.0 for k in range(m)]
    for t, v in zip(ts, vs, strict=True):
        one.add(t, v, True)
    many.add_many(ts, vs, True)
    assert _series_state(many) == _series_state(one)


def test_add_many_keeps_latest_and_plain_as_add_does():
    for ts, whole in (([5.0, -0.0, 0.0, 5.0, 2.0], None), ([-0.0, 0.0], None),
                      ([1.0, 2.0], True), ([1.5], None)):
        one, many = Series("None"), Series("None")
        for t in ts:
            one.add(t, 1.0, False)
        many.add_many(ts, [1.0] * len(ts), False, whole=whole)
        assert _series_state(many) == _series_state(one)
        assert repr(many.latest) == repr(one.latest)


KEYS = [metric_key("NS", f"m{n}", {"Id": "x"}) for n in range(3)]


class _Doubling(Rows):
    """Rows that keep one number per row and compute the values from it when folded."""

    __slots__ = ("base",)

    def __init__(self, layout: Layout) -> None:
        super().__init__(layout)
        self.base: list[float] = []

    def column(self, i: int) -> list[float]:
        return [b * (i + 1) for b in self.base]

    def last(self, i: int) -> float:
        return self.base[-1] * (i + 1)


def _store_state(store: MetricStore) -> list[Any]:
    store.pending  # noqa: B018 - folds
    return [(key, _series_state(s)) for key, s in store._series.items()]


def test_blocks_of_rows_hold_what_putting_each_datapoint_holds():
    rows, by_key = MetricStore(), MetricStore()
    twice = [KEYS[0], KEYS[1], KEYS[0]]  # a metric listed twice in a row
    block = None
    for m in range(40):
        t = m * 60.0 + {5: 0.5, 6: -200.0}.get(m, 0.0)  # a fraction, a step back in time
        if m % 10 < 4:
            keys = twice if m % 10 >= 2 else KEYS
            values = [m + 0.5, m * 2.0, m - 7.25][:len(keys)]
            rows.put_row(rows.layout(keys, ["Count"] * 3), t, values)
        else:  # a block that computes its values
            layout = rows.layout(KEYS, ["Count"] * 3)
            if block is None or not rows.is_open(block):
                block = _Doubling(layout)
            block.times.append(t)
            block.base.append(m + 0.125)
            rows.put_rows(block)
            keys, values = KEYS, [(m + 0.125) * (i + 1) for i in range(3)]
        for key, value in zip(keys, values, strict=True):
            by_key.put_key(key, t, value, unit="Count")
        if m == 25:
            assert rows.version(KEYS[2]) == by_key.version(KEYS[2])  # read: written at once
        if m == 33:
            rows.put_key(KEYS[1], t + 1, 9.0)  # another writer folds the rows first
            by_key.put_key(KEYS[1], t + 1, 9.0)
    assert rows._rows
    assert _store_state(rows) == _store_state(by_key)
