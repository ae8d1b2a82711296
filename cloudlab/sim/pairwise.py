"""``np.add.reduce`` of a short list of floats, to the bit, without numpy's call overhead.

The run publishes a group's CPU every minute as the mean of its instances' CPU, as
``np.mean`` computes it, and both of the group's alarms read it. Calling numpy for a list of
2-20 floats costs more than the sum; these functions make numpy's pairwise summation
(``pairwise_sum`` in numpy/_core/src/umath/loops_utils.h.src) in plain Python: the same
IEEE additions in the same order. ``tests/sim/test_publish_speed_cache.py`` compares them
with numpy bit for bit, so a numpy that changed its order would fail there.
"""

from __future__ import annotations

__all__ = ["add_reduce", "add_reduce_same"]


def add_reduce(values: list[float]) -> float:
    """``float(np.add.reduce(np.asarray(values, dtype=float)))`` of a list of floats, in plain
    Python: the reduction starts from add's identity 0.0 and adds numpy's pairwise sum of
    the values (``pairwise_sum`` in numpy/_core/src/umath/loops_utils.h.src): a running sum
    below 8 values, 8 running sums (then combined as a tree, then the rest added) up to
    128, halves (cut at a multiple of 8) above. The same IEEE additions in the same order,
    without numpy's call overhead (a group's CPU is such a mean, every minute)."""
    return 0.0 + _pairwise_sum(values, 0, len(values))


def _pairwise_sum(a: list[float], start: int, n: int) -> float:
    if n < 8:
        res = 0.0
        for i in range(start, start + n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3, r4, r5, r6, r7 = a[start:start + 8]
        end = start + n - n % 8
        for i in range(start + 8, end, 8):
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for i in range(end, start + n):
            res += a[i]
        return res
    half = n // 2
    half -= half % 8
    return _pairwise_sum(a, start, half) + _pairwise_sum(a, start + half, n - half)


def add_reduce_same(x: float, n: int) -> float:
    """:func:`add_reduce` of ``[x] * n`` without the list: the pairwise sum's eight running
    sums then make the same additions, so one is computed, and the tree that combines
    them adds equal pairs (the usual group: every instance at the same CPU)."""
    return 0.0 + _pairwise_same(x, n)


def _pairwise_same(x: float, n: int) -> float:
    # (its loops count down: no range objects for the few values of a group, every minute)
    if n < 8:
        res = 0.0
        while n > 0:
            res += x
            n -= 1
        return res
    if n <= 128:
        r = x
        k = n // 8 - 1
        while k > 0:
            r += x
            k -= 1
        pair = r + r
        quad = pair + pair
        res = quad + quad
        k = n % 8
        while k > 0:
            res += x
            k -= 1
        return res
    half = n // 2
    half -= half % 8
    return _pairwise_same(x, half) + _pairwise_same(x, n - half)
