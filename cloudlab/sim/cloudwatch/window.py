"""An alarm's evaluation range kept from one evaluation to the next.

Every minute the :class:`~cloudlab.sim.cloudwatch.alarms.AlarmEngine` needs the statistic
and sample count of each period of an alarm's range ``[t0, end)``. It keeps the range it
read last (a :class:`Window`) and, when the range moved on and the metric only got a few
single values since, moves the kept one along (:func:`advance`) instead of asking the
:class:`~cloudlab.sim.cloudwatch.metrics.MetricStore` again: exactly the numbers the store
would answer.

The kept ranges are per cloud, by alarm name (:func:`kept`), so an alarm's Auto Scaling
action, which acts on the statistic of the period the alarm has just evaluated, reads it
from there (:func:`kept_statistic`) instead of from the store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudlab.sim.cloudwatch.evaluation import COMPARE

if TYPE_CHECKING:
    from cloudlab.sim.cloudwatch.definition import Spec
    from cloudlab.sim.cloudwatch.metrics import MetricKey, MetricStore
    from cloudlab.sim.cloudwatch.series import Series

__all__ = ["Window", "advance", "kept", "kept_statistic", "move_on", "quick_state", "remember"]

_STATE = "cloudwatch.alarm_windows"
_EXACT = 2.0 ** 52  # whole numbers of seconds below this are exact in float arithmetic


@dataclass
class Window:
    """The statistic and sample count per period of an alarm's range ``[t0, end)`` as read
    at data version ``version``; ``quiet_after``: the metric had no datapoint at or after
    ``end`` then (so periods after ``end`` held nothing but what was added since)."""

    spec: Spec
    t0: float
    end: float
    version: int
    values: list[float]
    counts: list[float]
    quiet_after: bool
    #: the start of the range that the usual minute moves on to in place (NaN: none)
    next_t0: float = math.nan
    #: of the newest ``spec.n`` periods: how many breach and how many have no data (NaN),
    #: kept by :func:`move_on`; ``breaching`` is -1 while not counted for these values
    breaching: int = -1
    missing: int = 0
    #: the store's series of the metric when the range was read (``None``: none then);
    #: see :meth:`data_version`
    series: Series | None = None

    def data_version(self, spec: Spec, store: MetricStore) -> int:
        """``store.version(spec.key)``, the metric's data version now. Asked of the series
        kept with the range when the range is of ``spec`` (so of its metric): that series
        is the metric's for good and has the metric's version (see
        :meth:`MetricStore.series <cloudlab.sim.cloudwatch.metrics.MetricStore.series>`);
        the store otherwise (another definition, or no series when the range was read)."""
        series = self.series
        if series is None or self.spec is not spec:
            return store.version(spec.key)
        return series.version


def kept(cloud: Any) -> dict[str, Window]:
    """The ranges the cloud's alarm engine keeps, by alarm name (empty without one; dropped
    by ``cloud.reset()`` with the engine)."""
    return cloud.state(_STATE, dict)  # type: ignore[no-any-return]


def _one_value(spec: Spec, v: float) -> float:
    """The statistic of a period holding the single value ``v`` (as the store computes it:
    an Average is the sum over the count, a SampleCount the count)."""
    if spec.q is None and spec.stat == "Average":
        return v / 1.0
    if spec.q is None and spec.stat == "SampleCount":
        return 1.0
    return v


def advance(store: MetricStore, spec: Spec, old: Window, t0: float,
            end: float) -> tuple[list[float], list[float]] | None:
    """The range ``[t0, end)`` from the range read before, when the metric only got a few
    single values since (``None`` when it cannot tell: then the store is read).

    Exactly what the store answers: the periods both ranges share keep their statistic,
    the periods after the old range held nothing (``quiet_after``), and a period that gets
    its first datapoint has the statistic of one value (for an Average, the value divided
    by a count of 1). A period that gets a second one, or times or periods that are not
    whole seconds (where the store's binning could round differently), leave it to the
    store."""
    period = spec.period
    if (old.spec is not spec or not old.quiet_after or t0 < old.t0
            or not t0.is_integer() or not -_EXACT < t0 < _EXACT):
        return None
    shift = int(t0 - old.t0) // period
    if old.t0 + shift * period != t0:
        return None
    added = store.added_since(spec.key, old.version)
    if added is None:
        return None
    if shift == 1 and len(added) == 1:
        # The usual minute: the range moved on by one period and the metric got one value,
        # in the newest period (whole seconds between the range's whole-second bounds).
        # The kept lists are moved along in place (nobody else keeps them).
        t, v = added[0]
        if t.is_integer() and end - period <= t < end:
            values, counts = old.values, old.counts
            del values[0], counts[0]
            values.append(_one_value(spec, v))
            counts.append(1.0)
            return values, counts
    span = spec.span
    if shift >= span:
        values, counts = [math.nan] * span, [0.0] * span
    else:
        values = old.values[shift:] + [math.nan] * shift
        counts = old.counts[shift:] + [0.0] * shift
    for t, v in added:
        if not t.is_integer() or not -_EXACT < t < _EXACT:
            return None
        if not t0 <= t < end:
            continue  # outside the range: no effect on it
        i = int(t - t0) // period
        if counts[i]:
            return None  # a second datapoint in the period
        values[i], counts[i] = _one_value(spec, v), 1.0
    return values, counts


def remember(windows: dict[str, Window], spec: Spec, t0: float, end: float, version: int,
             got: tuple[list[float], list[float]], quiet_after: bool,
             series: Series | None) -> None:
    """Keep the range ``[t0, end)`` of alarm ``spec`` as read at data version ``version``
    (``got``: its values and counts) in ``windows``; ``quiet_after``: the metric has no
    datapoint at or after ``end``; ``series``: the store's series of the metric
    (:meth:`MetricStore.series <cloudlab.sim.cloudwatch.metrics.MetricStore.series>`).
    An alarm's window is updated in place (one object per alarm)."""
    window = windows.get(spec.name)
    if window is None:
        window = windows[spec.name] = Window(spec, t0, end, version, got[0], got[1],
                                             quiet_after, series=series)
    else:
        window.spec, window.t0, window.end, window.version = spec, t0, end, version
        window.values, window.counts = got
        window.quiet_after = quiet_after
        window.breaching = -1  # counted again by move_on
        window.series = series
    window.next_t0 = _next_t0(t0, spec.period, quiet_after)


def move_on(spec: Spec, window: Window, t0: float, end: float, version: int) -> bool:
    """The usual minute, for an alarm whose range has no Unit to check and no low-sample
    percentile rule (``spec.quick``): move the kept range ``window`` one period on to
    ``[t0, end)`` when the metric got one single value since, in the newest period, and
    record it as read at data version ``version`` (the metric's version now,
    :meth:`Window.data_version`; the series kept with the range answers what it got since,
    :meth:`Series.added_one <cloudlab.sim.cloudwatch.series.Series.added_one>`, which is
    ``MetricStore.added_since`` when that is one value). ``False`` (and nothing changed)
    for anything else: then :func:`advance` or the store answers.

    The values and counts are exactly :func:`advance`'s: ``t0 == window.next_t0`` holds
    only when its conditions for moving on by one period do (see :func:`_next_t0`), and
    the one value is taken under the same conditions. The window is left as the engine
    leaves it after reading a range: ``quiet_after`` stays true without asking the store
    for its latest datapoint, since that was before the old ``end`` and the one value
    since is before ``end`` (after the old one, as ``t0`` is). Also keeps the breaching
    and missing counts of the newest ``spec.n`` periods (:func:`quick_state`): the period
    leaving them and the one entering them change them by at most one."""
    series = window.series
    if t0 != window.next_t0 or window.spec is not spec or series is None \
            or version != series.version:
        return False
    added = series.added_one(window.version)
    if added is None:
        return False
    t, v = added
    period = spec.period
    if not (end - period <= t < end and t.is_integer()):
        return False
    values = window.values
    new = v / 1.0 if spec.average else _one_value(spec, v)
    breaching = window.breaching
    if breaching >= 0:
        compare, threshold = spec.compare, spec.threshold
        leaving = values[-spec.n]  # the oldest of the newest n, before the move
        if compare(new, threshold):
            breaching += 1
        if compare(leaving, threshold):
            breaching -= 1
        window.breaching = breaching
        if new != new or leaving != leaving:  # a period without data enters or leaves them
            window.missing += (new != new) - (leaving != leaving)
    del values[0]
    values.append(new)
    counts = window.counts
    del counts[0]
    counts.append(1.0)
    window.t0, window.end, window.version = t0, end, version
    # _next_t0(t0, period, True): t0 was the next_t0 of the range before, so a whole number
    # of seconds; only its bounds are left to check
    window.next_t0 = t0 + period if -_EXACT < t0 < _EXACT - period else math.nan
    if breaching < 0:
        _count(spec, window)
    return True


def _next_t0(t0: float, period: int, quiet_after: bool) -> float:
    """The start of the range one period after a range that starts at ``t0``, when a range
    starting there can be moved on to in place (:func:`move_on`); NaN (equal to nothing)
    otherwise. When ``t0`` is a whole number of seconds below ``_EXACT`` in size and so is
    ``t0 + period``, a range starting there satisfies every condition :func:`advance` puts
    on moving on by one period: it is whole seconds in range, not before ``t0``, and
    ``t0 + period`` and ``int(start - t0) // period == 1`` are exact."""
    if not quiet_after or not t0.is_integer() or not -_EXACT < t0 < _EXACT - period:
        return math.nan
    return t0 + period


def _count(spec: Spec, window: Window) -> None:
    compare, threshold = COMPARE[spec.operator], spec.threshold
    newest = window.values[len(window.values) - spec.n:]
    window.breaching = sum(1 for v in newest if compare(v, threshold))
    window.missing = sum(1 for v in newest if v != v)


def quick_state(spec: Spec, window: Window) -> str | None:
    """The state for the range ``window`` holds, from its breaching and missing counts:
    when none of the N newest periods lacks data, those N are the evaluated datapoints and
    the state is ALARM if at least M breach, else OK (as :func:`~cloudlab.sim.cloudwatch.
    evaluation.choose` decides); ``None`` when some lack data (then ask ``choose``)."""
    if window.missing:
        return None
    return "ALARM" if window.breaching >= spec.m else "OK"


def kept_statistic(cloud: Any, store: MetricStore, alarm_name: str, key: MetricKey,
                   stat: str, period: int, t0: float) -> float | None:
    """The statistic ``stat`` of metric ``key`` over ``[t0, t0 + period)``, taken from the
    range alarm ``alarm_name`` last read, when that is sure to be the store's answer now;
    ``None`` otherwise (ask the store).

    Sure when: the range is of the same metric, statistic and period; the metric has not
    changed since it was read (same data version); the period is one of the range's
    (``t0`` falls exactly on one of its period starts, all in whole seconds, so it is the
    same slot of the same per-period grid the store answers from); and the period has
    datapoints (a period without any could still hold a statistic set of zero samples,
    which only the store tells apart)."""
    window = kept(cloud).get(alarm_name)
    if window is None:
        return None
    spec = window.spec
    if spec.period != period or spec.stat != stat or spec.key != key:
        return None
    if window.version != window.data_version(spec, store):  # store.version(key)
        return None
    w0 = window.t0
    if not (t0.is_integer() and w0.is_integer() and -_EXACT < t0 < _EXACT
            and -_EXACT < w0 < _EXACT):
        return None
    k = int(t0 - w0) // period
    if not 0 <= k < len(window.values) or w0 + k * period != t0:
        return None
    if not window.counts[k] > 0:
        return None
    return float(window.values[k])
