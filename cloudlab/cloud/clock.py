"""The virtual clock: simulated time that moves only when asked to.

Control-plane calls (boto3) act *now*; dynamics happen only when the clock
advances. Subsystems attach behaviour with :meth:`VirtualClock.schedule`
(once) or :meth:`VirtualClock.every` (periodic: health checks, alarm
evaluation, TTL sweeps). Events fire in time order; events due at the same
instant fire in the order they were scheduled, so a run is deterministic.

The shape follows SimPy's environment (``now``, scheduled callbacks,
``run(until=...)``) but is anchored to a calendar date, because courses talk
about business hours, weekdays and sale events. It is a small heap-based
scheduler rather than SimPy itself: callbacks here are plain functions that
may cancel each other and re-schedule, and the clock must expose both
seconds-since-start and a ``datetime``; SimPy's process/generator model would
add a layer every subsystem must wrap.

Example:
    >>> from datetime import datetime, timezone
    >>> clock = VirtualClock(datetime(2026, 1, 5, tzinfo=timezone.utc))
    >>> fired = []
    >>> _ = clock.every(60, lambda c: fired.append(c.t))
    >>> clock.advance(minutes=3)
    >>> fired
    [60.0, 120.0, 180.0]
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cloudlab.errors import ClockError

__all__ = ["DEFAULT_START", "ScheduledEvent", "VirtualClock"]

#: Default start of virtual time: Monday 5 January 2026, 00:00 UTC. A Monday
#: at midnight keeps "business hours" and "weekday" arithmetic easy to read.
DEFAULT_START = datetime(2026, 1, 5, 0, 0, 0, tzinfo=UTC)

Callback = Callable[["VirtualClock"], object]


@dataclass(order=True)
class ScheduledEvent:
    """A callback due at ``due_s`` seconds of virtual time. Cancel with :meth:`cancel`."""

    due_s: float
    seq: int
    callback: Callback = field(compare=False)
    name: str = field(default="", compare=False)
    interval_s: float | None = field(default=None, compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        """Stop this event (and its repetitions) from firing."""
        self.cancelled = True


class VirtualClock:
    """Seconds of simulated time since ``start``, with a deterministic event queue.

    Args:
        start: the calendar instant at ``t == 0`` (timezone-aware; UTC by default).
    """

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise ClockError(
                f"start must be timezone-aware, got naive {start!r}; "
                "pass e.g. datetime(2026, 1, 5, tzinfo=timezone.utc)"
            )
        self.start = start
        self._t = 0.0
        # (due_s, seq, event): tuples compare in C, ScheduledEvent's dataclass order in Python
        self._queue: list[tuple[float, int, ScheduledEvent]] = []
        self._seq = itertools.count()

    # -- reading time ---------------------------------------------------------------
    @property
    def t(self) -> float:
        """Seconds of virtual time since :attr:`start`."""
        return self._t

    @property
    def now(self) -> datetime:
        """The current virtual time as a timezone-aware ``datetime``."""
        return self.start + timedelta(seconds=self._t)

    def __repr__(self) -> str:
        return f"VirtualClock(now={self.now.isoformat()}, t={self._t:g}s, pending={len(self)})"

    def __len__(self) -> int:
        return sum(1 for _, _, e in self._queue if not e.cancelled)

    # -- scheduling -----------------------------------------------------------------
    def schedule(self, delay_s: float, callback: Callback, *, name: str = "") -> ScheduledEvent:
        """Run ``callback(clock)`` once, ``delay_s`` seconds from now (0 = at the next advance)."""
        delay_s = _non_negative("delay_s", delay_s)
        return self._push(self._t + delay_s, callback, name, None)

    def schedule_at(
        self, when: datetime | float, callback: Callback, *, name: str = ""
    ) -> ScheduledEvent:
        """Run ``callback(clock)`` once at a calendar instant or at ``t`` seconds."""
        due = self._to_t(when)
        if due < self._t:
            raise ClockError(
                f"cannot schedule {name or 'an event'} at t={due:g}s: the clock is already at "
                f"t={self._t:g}s ({self.now.isoformat()}); schedule it at or after now"
            )
        return self._push(due, callback, name, None)

    def every(
        self,
        interval_s: float,
        callback: Callback,
        *,
        name: str = "",
        first_in_s: float | None = None,
    ) -> ScheduledEvent:
        """Run ``callback(clock)`` every ``interval_s`` seconds; the first run is after one interval
        unless ``first_in_s`` says otherwise. Returns a handle whose ``cancel()`` stops it."""
        if not interval_s > 0:
            raise ClockError(f"interval_s must be > 0, got {interval_s!r}")
        first = interval_s if first_in_s is None else _non_negative("first_in_s", first_in_s)
        return self._push(self._t + first, callback, name, float(interval_s))

    def next_due(self) -> float | None:
        """When the next pending event is due (seconds), or ``None`` if none is pending.

        Simulations use it to integrate traffic in stretches between events."""
        q = self._queue
        while q and q[0][2].cancelled:
            heapq.heappop(q)
        return q[0][0] if q else None

    def _push(self, due: float, cb: Callback, name: str, interval: float | None) -> ScheduledEvent:
        event = ScheduledEvent(float(due), next(self._seq), cb, name, interval)
        heapq.heappush(self._queue, (event.due_s, event.seq, event))
        return event

    # -- moving time ----------------------------------------------------------------
    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> None:
        """Move time forward, firing every event that falls due, in order.

        Raises:
            ClockError: for a negative or non-finite duration.
        """
        total = (
            _non_negative("seconds", seconds)
            + 60 * _non_negative("minutes", minutes)
            + 3600 * _non_negative("hours", hours)
            + 86400 * _non_negative("days", days)
        )
        self.run_until(self._t + total)

    def run_until(self, t: float) -> None:
        """Fire events due up to and including ``t`` seconds, then set the clock to ``t``."""
        if t < self._t:
            raise ClockError(f"cannot move the clock back from t={self._t:g}s to t={t:g}s")
        # ~50,000 events fire in a week at one-minute steps: the loop keeps what it uses in
        # locals (the heap functions, the sequence), the same steps in the same order.
        # (next(seq) rather than a bound seq.__next__: calling a method-wrapper is slower.)
        q, pop, push, seq = self._queue, heapq.heappop, heapq.heappush, self._seq
        while q and q[0][0] <= t:
            event = pop(q)[2]
            if event.cancelled:
                continue
            self._t = event.due_s
            event.callback(self)
            interval = event.interval_s
            if interval is not None and not event.cancelled:
                event.due_s = due = event.due_s + interval
                event.seq = n = next(seq)
                push(q, (due, n, event))
        self._t = float(t)

    def reset(self) -> None:
        """Back to ``t = 0`` with no pending events."""
        self._t = 0.0
        self._queue.clear()

    def _to_t(self, when: datetime | float) -> float:
        if isinstance(when, datetime):
            if when.tzinfo is None:
                raise ClockError(f"{when!r} is naive; use a timezone-aware datetime")
            return (when - self.start).total_seconds()
        return float(when)


def _non_negative(name: str, value: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ClockError(f"{name} must be a number of {name}, got {value!r}") from None
    if not v >= 0 or v == float("inf"):
        raise ClockError(
            f"{name} must be a finite number >= 0, got {value!r}; time only moves forward"
        )
    return v
