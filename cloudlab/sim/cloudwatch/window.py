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

if TYPE_CHECKING:
    from cloudlab.sim.cloudwatch.definition import Spec
    from cloudlab.sim.cloudwatch.metrics import MetricKey, MetricStore

__all__ = ["Window", "advance", "kept", "kept_statistic"]

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
    if window.version != store.version(key):
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
