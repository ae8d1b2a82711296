"""Traffic models: how many requests per second arrive at every moment of virtual time.

A model maps seconds since the cloud's start to demand in requests/s, for a whole run
at once (numpy arrays, no Python loop per second). Models compose like numbers::

    traffic = BusinessHours(50, 400) + Spike(800, at=20, duration_h=3) * 1.0
    traffic = traffic * Noise(0.05)            # multiplicative, seeded noise

- :class:`Constant`: the same demand all the time.
- :class:`BusinessHours`: a smooth daily curve, ``base_rps`` at night rising to ``peak_rps``
  in the middle of the working day (weekdays only by default).
- :class:`Spike`: an event (a sale, a launch) adding ``extra_rps`` for a while.
- :class:`Noise`: a random factor around 1, redrawn every ``every_s`` seconds.

Randomness comes only from the generator passed in (``cloud.rng("traffic")`` during a run),
and each noise value belongs to an absolute time bucket, so the same seed gives the same
demand bit for bit, whether a day is simulated in one run or in several.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from cloudlab.cloud.clock import DEFAULT_START
from cloudlab.cloud.session import seeded_rng
from cloudlab.errors import InvalidScenario
from cloudlab.sim._validate import number, require_aware
from cloudlab.sim.recorder import Marker
from cloudlab.sim.weekly import day_and_hour

__all__ = [
    "BusinessHours",
    "Constant",
    "Noise",
    "Spike",
    "TrafficModel",
    "traffic_rng",
]

_NOISE_BLOCK = 4096  # noise values drawn per independent block of time buckets


def traffic_rng(seed: int = 0) -> np.random.Generator:
    """The generator ``Cloud(seed=seed).rng("traffic")`` returns (same derivation)."""
    return seeded_rng(seed, "traffic")


class TrafficModel:
    """Base class: demand in requests/s as a function of virtual time.

    Subclasses implement :meth:`_rps`. Use ``+`` to add models, ``*`` to multiply a model by
    a number or by :class:`Noise`.
    """

    def rps(
        self, t_s: np.ndarray, *, start: datetime = DEFAULT_START, rng: np.random.Generator
    ) -> np.ndarray:
        """Demand in requests/s at each time in ``t_s``.

        Args:
            t_s: seconds since the cloud's start (1-D array).
            start: the calendar instant of ``t_s == 0`` (timezone-aware), for weekdays/hours.
            rng: the random generator (``cloud.rng("traffic")``); only :class:`Noise` draws.

        Returns:
            A float array shaped like ``t_s``, never negative.
        """
        t = np.asarray(t_s, dtype=float)
        require_aware(start)
        flat = t.reshape(-1)
        out = np.broadcast_to(self._rps(flat, start, rng), flat.shape).astype(float, copy=True)
        np.maximum(out, 0.0, out=out)
        return out.reshape(t.shape)

    def _rps(self, t: np.ndarray, start: datetime, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def markers(self, start: datetime = DEFAULT_START) -> list[Marker]:
        """Labelled moments of this model (spike starts and ends), for charts."""
        return []

    def peak(self, days: float = 1, *, start: datetime = DEFAULT_START, seed: int = 0) -> float:
        """Highest demand (req/s) over ``days`` from ``start`` at 1-second resolution,
        with the noise a ``Cloud(seed=seed)`` would draw for a run starting at ``t = 0``."""
        if not days > 0:
            raise InvalidScenario(f"days must be > 0, got {days!r}")
        t = np.arange(0.0, float(days) * 86400.0, 1.0)
        return float(self.rps(t, start=start, rng=traffic_rng(seed)).max())

    # -- composition ------------------------------------------------------------------
    def __add__(self, other: TrafficModel | float) -> TrafficModel:
        return _Sum(self, _as_model(other, "+"))

    def __radd__(self, other: float) -> TrafficModel:
        return _Sum(_as_model(other, "+"), self)

    def __mul__(self, other: TrafficModel | float) -> TrafficModel:
        if isinstance(other, TrafficModel):
            return _Product(self, other)
        return _Scaled(self, number("factor", other, minimum=0.0))

    def __rmul__(self, other: float) -> TrafficModel:
        return _Scaled(self, number("factor", other, minimum=0.0))


class Constant(TrafficModel):
    """The same demand at every moment.

    Args:
        rps: requests per second (>= 0).
    """

    def __init__(self, rps: float) -> None:
        self.value = number("rps", rps, minimum=0.0)

    def _rps(self, t: np.ndarray, start: datetime, rng: np.random.Generator) -> np.ndarray:
        return np.full(t.shape, self.value)

    def __repr__(self) -> str:
        return f"Constant({self.value:g} req/s)"


class BusinessHours(TrafficModel):
    """A working-day curve: ``base_rps`` outside business hours, a smooth rise to
    ``peak_rps`` at the middle of the day (between ``open_h`` and ``close_h``), back to
    ``base_rps`` at closing time. The curve is ``sin^2`` shaped, so it has no jumps.

    Args:
        base_rps: demand outside business hours (req/s, >= 0).
        peak_rps: demand at the middle of the business day (req/s, >= base_rps).
        open_h: local hour the day's rise starts (0 <= open_h < close_h).
        close_h: local hour demand is back to base (<= 24).
        weekdays_only: Saturday and Sunday stay at ``base_rps``.
        utc_offset_h: the users' time zone, hours east of UTC (e.g. 5.5 for India).

    Example:
        >>> bh = BusinessHours(50, 400)          # 09:00-18:00 UTC, peak at 13:30
        >>> bh.peak(days=1)
        400.0
    """

    def __init__(
        self,
        base_rps: float,
        peak_rps: float,
        *,
        open_h: float = 9,
        close_h: float = 18,
        weekdays_only: bool = True,
        utc_offset_h: float = 0,
    ) -> None:
        self.base_rps = number("base_rps", base_rps, minimum=0.0)
        self.peak_rps = number("peak_rps", peak_rps, minimum=0.0)
        if self.peak_rps < self.base_rps:
            raise InvalidScenario(
                f"peak_rps must be >= base_rps, got peak_rps={peak_rps:g}, base_rps={base_rps:g}"
            )
        self.open_h = number("open_h", open_h, minimum=0.0, maximum=24.0)
        self.close_h = number("close_h", close_h, minimum=0.0, maximum=24.0)
        if not self.open_h < self.close_h:
            raise InvalidScenario(
                f"open_h must be before close_h, got open_h={open_h:g}, close_h={close_h:g}"
            )
        self.weekdays_only = bool(weekdays_only)
        self.utc_offset_h = number("utc_offset_h", utc_offset_h, minimum=-12.0, maximum=14.0)

    def _rps(self, t: np.ndarray, start: datetime, rng: np.random.Generator) -> np.ndarray:
        day, hour = day_and_hour(t, start, self.utc_offset_h)
        phase = (hour - self.open_h) / (self.close_h - self.open_h)
        inside = (phase > 0) & (phase < 1)
        if self.weekdays_only:
            inside &= day < 5
        idx = np.flatnonzero(inside)
        shape = np.zeros(t.shape)
        shape[idx] = np.sin(np.pi * phase[idx]) ** 2
        return self.base_rps + (self.peak_rps - self.base_rps) * shape

    def __repr__(self) -> str:
        days = "Mon-Fri" if self.weekdays_only else "every day"
        tz = f" UTC{self.utc_offset_h:+g}" if self.utc_offset_h else " UTC"
        return (
            f"BusinessHours({self.base_rps:g}->{self.peak_rps:g} req/s, "
            f"{self.open_h:g}-{self.close_h:g}h{tz}, {days})"
        )


class Spike(TrafficModel):
    """An event that adds ``extra_rps`` on top of other traffic (a sale, a launch, the news).

    Full extra demand from ``at`` for ``duration_h`` hours; it builds up smoothly over
    ``ramp_h`` hours before ``at`` and fades over ``ramp_h`` hours after the end
    (``ramp_h=0`` switches on and off at once).

    Args:
        extra_rps: added requests/s at the plateau (>= 0).
        at: start of the plateau: a timezone-aware ``datetime``, or hours from the cloud's start.
        duration_h: length of the plateau in hours (> 0).
        ramp_h: length of the rise and of the fall in hours (>= 0).
        name: label shown on charts.

    Example:
        >>> sale = Spike(1000, at=20, duration_h=3, name="Diwali sale")
        >>> (BusinessHours(50, 400) + sale).peak(days=1)
        1050.0
    """

    def __init__(
        self,
        extra_rps: float,
        *,
        at: datetime | float,
        duration_h: float,
        ramp_h: float = 1,
        name: str = "Diwali sale",
    ) -> None:
        self.extra_rps = number("extra_rps", extra_rps, minimum=0.0)
        if isinstance(at, datetime):
            require_aware(at, "at")
            self.at: datetime | float = at
        else:
            self.at = number("at", at, minimum=0.0)
        self.duration_h = number("duration_h", duration_h, minimum=0.0)
        if self.duration_h == 0:
            raise InvalidScenario("duration_h must be > 0, got 0; a spike lasts a while")
        self.ramp_h = number("ramp_h", ramp_h, minimum=0.0)
        self.name = str(name)

    def at_s(self, start: datetime = DEFAULT_START) -> float:
        """Start of the plateau in seconds since ``start`` (the cloud's start)."""
        if isinstance(self.at, datetime):
            return (self.at - start).total_seconds()
        return self.at * 3600.0

    def _rps(self, t: np.ndarray, start: datetime, rng: np.random.Generator) -> np.ndarray:
        a = self.at_s(start)
        b = a + self.duration_h * 3600.0
        r = self.ramp_h * 3600.0
        shape = ((t >= a) & (t <= b)).astype(float)
        if r > 0:  # cosine ramps, computed only where they apply
            up = np.flatnonzero((t >= a - r) & (t < a))
            shape[up] = 0.5 - 0.5 * np.cos(np.pi * (t[up] - (a - r)) / r)
            down = np.flatnonzero((t > b) & (t < b + r))
            shape[down] = 0.5 + 0.5 * np.cos(np.pi * (t[down] - b) / r)
        return self.extra_rps * shape

    def markers(self, start: datetime = DEFAULT_START) -> list[Marker]:
        a = self.at_s(start)
        return [
            Marker(a, self.name, "spike"),
            Marker(a + self.duration_h * 3600.0, f"{self.name} ends", "spike_end"),
        ]

    def __repr__(self) -> str:
        when = self.at.isoformat() if isinstance(self.at, datetime) else f"{self.at:g}h"
        return (
            f"Spike({self.name!r}: +{self.extra_rps:g} req/s at {when} for "
            f"{self.duration_h:g}h, ramp {self.ramp_h:g}h)"
        )


class Noise(TrafficModel):
    """A random factor around 1 that multiplies other traffic: ``model * Noise(0.05)``.

    A new factor is drawn every ``every_s`` seconds and held in between. Factors are
    log-normal with mean 1 and spread ``sigma`` (0.05 is about +-5%), so they are never
    negative. Each value belongs to an absolute time bucket, so a run split in two gives
    the same numbers as one long run.

    Args:
        sigma: relative spread (>= 0; 0 means no noise).
        every_s: seconds between new factors (> 0).
    """

    def __init__(self, sigma: float = 0.05, *, every_s: float = 60) -> None:
        self.sigma = number("sigma", sigma, minimum=0.0, maximum=2.0)
        self.every_s = number("every_s", every_s, minimum=0.0)
        if self.every_s == 0:
            raise InvalidScenario("every_s must be > 0, got 0; e.g. every_s=60")

    def _rps(self, t: np.ndarray, start: datetime, rng: np.random.Generator) -> np.ndarray:
        key = int(rng.integers(0, 2**63))  # always drawn, so later streams do not shift
        if t.size == 0 or self.sigma == 0:
            return np.ones(t.shape)
        bucket = np.floor(t / self.every_s).astype(np.int64)
        if bucket.min() < 0:
            raise InvalidScenario("noise times must be >= 0 seconds since the cloud's start")
        first = int(bucket.min()) // _NOISE_BLOCK
        last = int(bucket.max()) // _NOISE_BLOCK
        z = np.concatenate(
            [
                np.random.default_rng([key, block]).standard_normal(_NOISE_BLOCK)
                for block in range(first, last + 1)
            ]
        )
        s = self.sigma
        return np.exp(s * z[bucket - first * _NOISE_BLOCK] - 0.5 * s * s)

    def __repr__(self) -> str:
        return f"Noise(sigma={self.sigma:g}, every {self.every_s:g}s)"


# -- composition --------------------------------------------------------------------------
class _Sum(TrafficModel):
    def __init__(self, *parts: TrafficModel) -> None:
        self.parts = parts

    def _rps(self, t: np.ndarray, start: datetime, rng: np.random.Generator) -> np.ndarray:
        total = np.zeros(t.shape)
        for part in self.parts:
            total = total + part._rps(t, start, rng)
        return total

    def markers(self, start: datetime = DEFAULT_START) -> list[Marker]:
        return [m for p in self.parts for m in p.markers(start)]

    def __repr__(self) -> str:
        return " + ".join(_paren(p) for p in self.parts)


class _Product(_Sum):
    def _rps(self, t: np.ndarray, start: datetime, rng: np.random.Generator) -> np.ndarray:
        total = np.ones(t.shape)
        for part in self.parts:
            total = total * part._rps(t, start, rng)
        return total

    def __repr__(self) -> str:
        return " * ".join(_paren(p) for p in self.parts)


class _Scaled(TrafficModel):
    def __init__(self, model: TrafficModel, factor: float) -> None:
        self.model = model
        self.factor = factor

    def _rps(self, t: np.ndarray, start: datetime, rng: np.random.Generator) -> np.ndarray:
        return self.model._rps(t, start, rng) * self.factor

    def markers(self, start: datetime = DEFAULT_START) -> list[Marker]:
        return self.model.markers(start)

    def __repr__(self) -> str:
        return f"{_paren(self.model)} * {self.factor:g}"


def _paren(model: TrafficModel) -> str:
    return f"({model!r})" if isinstance(model, _Sum) and not isinstance(model, _Product) else (
        repr(model)
    )


# -- helpers ------------------------------------------------------------------------------
def _as_model(value: TrafficModel | float, op: str) -> TrafficModel:
    if isinstance(value, TrafficModel):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Constant(value)
    raise InvalidScenario(
        f"cannot combine a traffic model with {type(value).__name__} using {op!r}; "
        "use another model (Constant, BusinessHours, Spike, Noise) or a number"
    )
