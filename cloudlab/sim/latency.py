"""Queueing latency and errors of one tier: Erlang C, M/M/c response times, timeouts.

This module owns the course's latency model. A tier (a web fleet, an app fleet) is a queue
with ``c`` identical *servers*: request slots that each work on one request at a time (think
vCPUs of a CPU-bound app, not instances). Requests arrive at random (Poisson) and take an
exponentially distributed time to serve; that is the M/M/c queue of textbook queueing theory.

- :func:`erlang_c`: the probability that a request has to wait (Erlang's C formula).
- :class:`MMc`: one M/M/c queue in steady state: utilisation, waiting probability, mean wait,
  mean response time and exact response-time percentiles (p50, p95, p99).
- :func:`tier_latency`: the same, vectorised over a time series of demand and server counts
  (one value per sample, e.g. per minute), with a timeout that turns long waits into 5xx
  errors and an optional fixed network hop; returns a :class:`LatencySeries`.
- :func:`inter_az_rtt_ms`: the typical round trip between two Availability Zones, read with
  its source from ``cloudlab/data/latency.json``.

Example:
    >>> q = MMc(arrival_rps=80, service_rps_per_server=10, servers=10)
    >>> round(q.utilization, 2), round(q.p_wait, 3)
    (0.8, 0.409)
    >>> round(q.mean_response_s * 1000, 1)  # ms: 100 ms of service plus the queue
    120.5
    >>> round(q.response_time_quantile_s(0.99) * 1000)  # p99 in ms
    495
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from cloudlab.errors import InvalidScenario
from cloudlab.sim._validate import integer, number

__all__ = [
    "BISECTION_STEPS",
    "LatencySeries",
    "MMc",
    "erlang_c",
    "inter_az_rtt_ms",
    "mean_response_s",
    "latency_info",
    "tier_latency",
]

_DATA_FILE = "latency.json"

#: Halvings of the bracket when a percentile is solved for; 64 halvings shrink the bracket
#: below the resolution of a float, so the answer is exact to rounding.
BISECTION_STEPS = 64

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


# --------------------------------------------------------------------------- Erlang formulas


def _offered_load(value: object) -> float:
    a = number("offered_load", value)
    if a < 0:
        raise InvalidScenario(
            f"offered_load must be >= 0 (arrival rate / service rate per server, in Erlangs), "
            f"got {a:g}"
        )
    return a


def _servers(value: object) -> int:
    c = integer("servers", value)
    if c < 1:
        raise InvalidScenario(f"servers must be >= 1 (a queue needs at least one server), got {c}")
    return c


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arriving request waits in an M/M/c queue (Erlang's C formula).

    Computed with the Erlang B recursion ``B(k) = a B(k-1) / (k + a B(k-1))``, which stays
    within [0, 1] at every step (no factorials, no overflow, fine for thousands of servers),
    then converted: ``C = c B / (c - a (1 - B))``.

    Args:
        servers: number of servers ``c`` (>= 1).
        offered_load: ``a = arrival rate / service rate of one server``, in Erlangs (>= 0).

    Returns:
        The waiting probability in [0, 1]; 1.0 when ``a >= c`` (the queue is unstable and
        grows without bound, so every request eventually waits).

    Raises:
        InvalidScenario: ``servers < 1`` or not whole, ``offered_load < 0`` or not finite.

    Example:
        >>> erlang_c(1, 0.5)  # one server: the waiting probability is the utilisation
        0.5
        >>> round(erlang_c(2, 1.0), 6)
        0.333333
    """
    return _erlang_c(_servers(servers), _offered_load(offered_load))


def _erlang_c(c: int, a: float) -> float:
    """:func:`erlang_c` of checked input."""
    if a >= c:
        return 1.0
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1.0 - b))


def mean_response_s(arrival_rps: float, service_rps_per_server: float, servers: int) -> float:
    """``MMc(arrival_rps, service_rps_per_server, servers).mean_response_s`` for input the
    caller has already checked (floats, ``arrival_rps >= 0``, ``service_rps_per_server > 0``,
    an int ``servers >= 1``): the same operations in the same order, without building and
    checking an :class:`MMc` (a traffic run asks once per virtual minute).

    Example:
        >>> mean_response_s(150.0, 100.0, 2) == MMc(150.0, 100.0, 2).mean_response_s
        True
    """
    a = arrival_rps / service_rps_per_server
    if not a / servers < 1.0:
        return math.inf
    return _erlang_c(servers, a) / (servers * service_rps_per_server - arrival_rps) \
        + 1.0 / service_rps_per_server


def _erlang_b_vec(servers: np.ndarray, load: FloatArray) -> FloatArray:
    """Erlang B ``B(servers, load)`` element-wise (``servers >= 0``; ``B(0, a) = 1``)."""
    b = np.ones_like(load)
    top = int(servers.max(initial=0))
    for k in range(1, top + 1):
        step = load * b / (k + load * b)
        b = np.where(servers >= k, step, b)
    return b


# ------------------------------------------------------------------------ numerical helpers


def _e1(rate: FloatArray, length: FloatArray) -> FloatArray:
    """``(1 - exp(-rate * length)) / rate`` for ``rate >= 0`` (``length`` when rate is 0)."""
    positive = rate > 0
    safe = np.where(positive, rate, 1.0)
    return np.where(positive, -np.expm1(-safe * length) / safe, length)


def _int_exp(c0: FloatArray, k: FloatArray, m: FloatArray) -> FloatArray:
    """``integral_0^m exp(c0 + k v) dv`` without overflow (callers keep the exponent <= 0)."""
    return np.exp(c0 + np.maximum(0.0, k * m)) * _e1(np.abs(k), m)


class _IntExp:
    """:func:`_int_exp` for one fixed ``k``, called many times (once per bisection step):
    what depends on ``k`` alone (its absolute value, where it is positive, the safe rate)
    is computed once; the rest is the same operations on the same operands, in the same
    order, so every call gives :func:`_int_exp`'s bits."""

    def __init__(self, k: FloatArray) -> None:
        self.k = k
        rate = np.abs(k)
        self.positive = rate > 0
        self.safe = np.where(self.positive, rate, 1.0)
        self.neg_safe = -self.safe

    def __call__(self, c0: FloatArray, m: FloatArray) -> FloatArray:
        e1 = np.where(self.positive, -np.expm1(self.neg_safe * m) / self.safe, m)  # _e1
        return np.exp(c0 + np.maximum(0.0, self.k * m)) * e1


def _solve_cdf(
    cdf: Callable[[FloatArray], FloatArray], q: FloatArray, hi: FloatArray
) -> FloatArray:
    """Smallest ``t`` in ``[0, hi]`` with ``cdf(t) >= q``, element-wise, by bisection.

    Bisection needs only a bracket and a monotone function, so it cannot diverge, it handles
    the jump of a distribution with an atom, and it does the same work for every element
    (vectorised, deterministic). ``cdf`` works element-wise on any rows (first axis) of
    ``hi``'s shape, ``q`` has one row per row of ``hi``.
    """
    lo = np.zeros_like(hi)
    hi = hi.copy()
    answer = hi.copy()
    moving = np.arange(len(hi))  # the rows of answer that lo and hi still hold
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        below = cdf(mid) < q
        new_lo = np.where(below, mid, lo)
        new_hi = np.where(below, hi, mid)
        # A step of an element is a function of its (lo, hi) alone (cdf works element-wise,
        # q is fixed), so once a step leaves every bracket of a row bit for bit as it was,
        # all later steps would too: the row's answer is final and it leaves the loop.
        # Brackets reach that fixed point when lo and hi are equal or adjacent floats, a few
        # steps before BISECTION_STEPS (a p99 row of a calm week at step 59 of 64, p50 at
        # 62). Bits are compared, so -0.0 != 0.0 and a NaN never counts as settled.
        changed = ((new_lo.view(np.int64) != lo.view(np.int64))
                   | (new_hi.view(np.int64) != hi.view(np.int64)))
        moves = changed.reshape(len(changed), -1).any(axis=1)
        lo, hi = new_lo, new_hi
        if not moves.all():
            answer[moving[~moves]] = hi[~moves]
            lo, hi, q, moving = lo[moves], hi[moves], q[moves], moving[moves]
            if not len(moving):
                return answer
    answer[moving] = hi
    return answer


def _quantile(value: object) -> float:
    q = number("q", value)
    if not 0.0 < q < 1.0:
        raise InvalidScenario(
            f"q must be a probability strictly between 0 and 1 (0.95 for p95), got {q:g}"
        )
    return q


# ------------------------------------------------------------------------------------ M/M/c


@dataclass(frozen=True)
class MMc:
    """One M/M/c queue in steady state: Poisson arrivals, exponential service, ``c`` servers.

    Attributes:
        arrival_rps: requests arriving per second (lambda, >= 0).
        service_rps_per_server: requests one server completes per second when busy (mu, > 0);
            ``1000 / service_ms``.
        servers: number of servers ``c`` (>= 1).

    The response time is the service time (exponential, rate mu) plus the wait, which is 0
    with probability ``1 - p_wait`` and otherwise exponential with rate ``c mu - lambda``.
    Percentiles solve that distribution exactly (to float precision).

    Example:
        >>> q = MMc(arrival_rps=150, service_rps_per_server=100, servers=2)
        >>> round(q.utilization, 2), round(q.mean_wait_s * 1000, 2)
        (0.75, 12.86)
        >>> MMc(arrival_rps=300, service_rps_per_server=100, servers=2).mean_wait_s
        inf
    """

    arrival_rps: float
    service_rps_per_server: float
    servers: int

    def __post_init__(self) -> None:
        lam = number("arrival_rps", self.arrival_rps, minimum=0)
        mu = number("service_rps_per_server", self.service_rps_per_server)
        if mu <= 0:
            raise InvalidScenario(
                f"service_rps_per_server must be > 0 (1000 / service_ms), got {mu:g}"
            )
        object.__setattr__(self, "arrival_rps", lam)
        object.__setattr__(self, "service_rps_per_server", mu)
        object.__setattr__(self, "servers", _servers(self.servers))

    @property
    def offered_load(self) -> float:
        """Offered load ``a = lambda / mu`` in Erlangs (busy servers needed on average)."""
        return self.arrival_rps / self.service_rps_per_server

    @property
    def utilization(self) -> float:
        """``lambda / (c mu)``: share of the servers' time spent working (>= 1: unstable)."""
        return self.offered_load / self.servers

    @property
    def stable(self) -> bool:
        """True when the queue has a steady state (utilisation below 1)."""
        return self.utilization < 1.0

    @property
    def p_wait(self) -> float:
        """Probability that a request waits for a server (Erlang C)."""
        return erlang_c(self.servers, self.offered_load)

    @property
    def _drain_rps(self) -> float:
        """Rate of the conditional exponential wait: ``c mu - lambda``."""
        return self.servers * self.service_rps_per_server - self.arrival_rps

    @property
    def mean_wait_s(self) -> float:
        """Mean time in the queue before service starts, seconds (inf when unstable)."""
        if not self.stable:
            return math.inf
        return self.p_wait / self._drain_rps

    @property
    def mean_response_s(self) -> float:
        """Mean response time (wait plus service), seconds (inf when unstable)."""
        return self.mean_wait_s + 1.0 / self.service_rps_per_server

    def response_time_cdf(self, t_s: float | FloatArray) -> FloatArray:
        """``P(response time <= t_s)``, element-wise (all zeros when unstable)."""
        t = np.maximum(np.asarray(t_s, dtype=float), 0.0)
        if not self.stable:
            return np.zeros_like(t)
        return self._cdf(t, self.p_wait)

    def _cdf(self, t: FloatArray, p_wait: float) -> FloatArray:
        mu, theta = self.service_rps_per_server, self._drain_rps
        no_wait = np.exp(-mu * t)
        # P(S + W > t) for S ~ Exp(mu), W ~ Exp(theta):
        # P(W > t) + int_0^t theta e^{-theta w} P(S > t - w) dw
        with_wait = np.exp(-theta * t) + theta * _int_exp(-mu * t, np.asarray(mu - theta), t)
        return np.asarray(1.0 - ((1.0 - p_wait) * no_wait + p_wait * with_wait))

    def response_time_quantile_s(self, q: float) -> float:
        """Response time, seconds, that a share ``q`` of requests stays under (p95: 0.95).

        Args:
            q: probability strictly between 0 and 1.

        Returns:
            The ``q`` quantile of the response time; inf when the queue is unstable.

        Raises:
            InvalidScenario: ``q`` outside (0, 1).
        """
        q = _quantile(q)
        if not self.stable:
            return math.inf
        # P(S + W > t) <= P(S > t/2) + P(W > t/2) <= 2 exp(-min(mu, theta) t / 2): a bracket.
        slowest = min(self.service_rps_per_server, self._drain_rps)
        hi = np.array([2.0 * math.log(2.0 / (1.0 - q)) / slowest])
        p_wait = self.p_wait
        return float(_solve_cdf(lambda t: self._cdf(t, p_wait), np.array([q]), hi)[0])

    def percentiles_ms(self) -> dict[str, float]:
        """``{"p50_ms", "p95_ms", "p99_ms"}`` of the response time, milliseconds."""
        return {
            f"p{round(q * 100)}_ms": self.response_time_quantile_s(q) * 1000.0
            for q in (0.5, 0.95, 0.99)
        }


# ----------------------------------------------------------------------- a tier over time


@dataclass(frozen=True, eq=False)
class LatencySeries:
    """Latency and errors of one tier, one value per sample (see :func:`tier_latency`).

    Attributes:
        p50_ms: median time a request arriving in the sample waits for its answer, ms.
        p95_ms: 95th percentile of that time, ms.
        p99_ms: 99th percentile, ms.
        error_rate: share of the sample's requests that time out (5xx), 0..1.
        served_rps: requests answered successfully per second (``demand * (1 - error_rate)``).
        demand_rps: requests arriving per second (the input).
        utilization: ``demand / capacity``; above 1 the tier is overloaded (inf: no servers).
        window_s: length of one sample, seconds.
    """

    p50_ms: FloatArray
    p95_ms: FloatArray
    p99_ms: FloatArray
    error_rate: FloatArray
    served_rps: FloatArray
    demand_rps: FloatArray
    utilization: FloatArray
    window_s: float

    def __len__(self) -> int:
        return int(self.p50_ms.shape[0])

    @property
    def failed_rps(self) -> FloatArray:
        """Requests per second that end in a timeout (5xx)."""
        return np.asarray(self.demand_rps - self.served_rps)

    @property
    def failed_requests(self) -> float:
        """Total requests that failed over the whole series."""
        return float(self.failed_rps.sum() * self.window_s)

    @property
    def overall_error_rate(self) -> float:
        """Failed requests over all requests of the series (0 when there were none)."""
        total = float(self.demand_rps.sum())
        return float(self.failed_rps.sum()) / total if total > 0 else 0.0


def _series(name: str, value: object) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidScenario(f"{name} must be an array of numbers, got {value!r}") from exc
    if arr.ndim > 1:
        raise InvalidScenario(
            f"{name} must be one value per sample (1-D), got an array of shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidScenario(f"{name} must contain only finite numbers, got NaN or inf")
    if np.any(arr < 0):
        raise InvalidScenario(f"{name} must be >= 0 everywhere, got {arr.min():g}")
    return arr


def tier_latency(
    demand_rps: FloatArray,
    servers: np.ndarray | int,
    *,
    service_ms: float,
    timeout_ms: float = 3000.0,
    window_s: float = 60.0,
    extra_hop_ms: float = 0.0,
) -> LatencySeries:
    """Latency percentiles and error rate of a tier, for every sample of a time series.

    Each sample (e.g. one minute) is treated as an M/M/c queue in steady state with the
    sample's demand and server count, plus a timeout: a request whose wait for a server would
    exceed ``timeout_ms`` gives up at ``timeout_ms`` and counts as a 5xx error.

    How the approximation works:

    - While utilisation is below 1 the queue settles within a fraction of a second, so the
      steady state describes the whole sample well. Timeouts are then rare (the share of waits
      longer than ``timeout_ms``, usually 0 to machine precision).
    - At utilisation >= 1 the queue grows during the sample. Requests that would wait longer
      than the timeout leave, so the queue stops growing once waits reach ``timeout_ms``;
      from then on the servers work flat out and the excess demand times out. Filling the
      queue from empty takes about ``timeout * capacity / (demand - capacity)`` seconds, a
      few seconds when the overload is marked. The model neglects that fill-up and uses the
      steady state of the queue with timeouts (the M/M/c+D queue; timed-out requests never
      reach a server, so they do not delay the others) for the whole sample. It therefore
      slightly overstates the errors of the first overloaded sample after a calm one, and
      the smaller ``window_s`` is next to the fill-up time, the larger that overstatement.
      In deep overload the error rate tends to ``1 - capacity / demand``.
    - The latency percentiles are of everything a client sees: served requests count with
      their wait plus service time; timed-out requests count at ``timeout_ms``. A sample with
      no servers times every request out (``error_rate`` 1 when there is demand, latencies
      ``timeout_ms``).
    - ``extra_hop_ms`` is added to every percentile, e.g. ``inter_az_rtt_ms()`` for a tier
      whose requests cross an Availability Zone once.

    Args:
        demand_rps: requests arriving per second, one value per sample (>= 0).
        servers: servers (request slots, e.g. vCPUs) in each sample, whole numbers >= 0;
            a single number applies to every sample.
        service_ms: mean service time of one request on one server, ms (> 0).
        timeout_ms: longest wait for a server before a request fails, ms (> 0).
        window_s: length of one sample, seconds (> 0); used for request counts.
        extra_hop_ms: fixed network delay added to every request, ms (>= 0).

    Returns:
        A :class:`LatencySeries` with one value per sample.

    Raises:
        InvalidScenario: negative or non-finite demand, fractional or negative servers,
            mismatched lengths, or a non-positive ``service_ms``, ``timeout_ms`` or
            ``window_s``.

    Example:
        >>> out = tier_latency(np.array([500.0, 1900.0, 4000.0]), 20, service_ms=10)
        >>> out.error_rate.round(3)
        array([0. , 0. , 0.5])
        >>> out.p99_ms.round(1)
        array([  46.1,   63.6, 3038.6])
    """
    service = number("service_ms", service_ms)
    if service <= 0:
        raise InvalidScenario(
            f"service_ms must be > 0 (mean time to serve one request), got {service:g}"
        )
    timeout = number("timeout_ms", timeout_ms)
    if timeout <= 0:
        raise InvalidScenario(f"timeout_ms must be > 0, got {timeout:g}")
    window = number("window_s", window_s)
    if window <= 0:
        raise InvalidScenario(f"window_s must be > 0 (length of one sample), got {window:g}")
    hop = number("extra_hop_ms", extra_hop_ms, minimum=0)
    lam = _series("demand_rps", demand_rps)
    n_float = _series("servers", servers)
    if np.any(n_float != np.floor(n_float)):
        raise InvalidScenario("servers must be whole numbers, got a fraction")
    if n_float.ndim == 0:
        n_float = np.full(lam.shape, float(n_float))
    if lam.ndim == 0 or n_float.shape != lam.shape:
        raise InvalidScenario(
            f"demand_rps and servers must have one value per sample each, got shapes "
            f"{lam.shape} and {n_float.shape}"
        )
    n = n_float.astype(np.int64)

    mu = 1000.0 / service  # per server, per second
    tau = timeout / 1000.0
    none = n == 0
    n_safe = np.where(none, 1, n)
    capacity = n_safe * mu
    theta = capacity - lam  # drain rate of the queue (negative in overload)
    b = _erlang_b_vec(n_safe - 1, lam / mu)  # B(c - 1, a)

    # Virtual wait V (M/M/c+D): no wait with weight w0; density b lam e^{-theta v} on
    # (0, tau]; beyond tau (timeout) weight w2. Everything is scaled by e^{-shift} so that
    # deep overload (theta << 0) cannot overflow.
    shift = np.maximum(0.0, -theta * tau)
    w0 = np.exp(-shift)
    w1 = b * lam * _int_exp(-shift, -theta, np.full_like(lam, tau))
    w2 = b * lam * np.exp(-np.maximum(theta * tau, 0.0)) / capacity
    total = w0 + w1 + w2
    error = np.where(none, np.where(lam > 0, 1.0, 0.0), w2 / total)

    # what cdf() uses that does not depend on t, computed once for its BISECTION_STEPS
    # calls (the same values: b * lam is the product's first step, -shift - mu t is
    # (-shift) - (mu t))
    b_lam, neg_shift = b * lam, -shift
    waiting, serving = _IntExp(-theta), _IntExp(mu - theta)

    def cdf(t: FloatArray) -> FloatArray:
        if calm and t.max(initial=-np.inf) < tau:
            return calm_cdf(t)
        m = np.minimum(t, tau)
        served = w0 * -np.expm1(-mu * t) + b_lam * (
            waiting(neg_shift, m) - serving(neg_shift - mu * t, m)
        )
        return np.asarray((served + np.where(t >= tau, w2, 0.0)) / total)

    # The calm case: every sample drains (0 < theta < inf) and serving's rate mu - theta is
    # finite and nonzero everywhere (a week of ordinary traffic, after the first bisection
    # step, which is the only one that looks past the timeout). cdf() is then reached with
    # fewer operations giving the same bits, except maybe the sign of a zero, which cannot
    # change `cdf(t) < q` (q > 0), the only use of cdf's value:
    # - theta > 0 makes shift = max(0, -theta tau) a zero, so w0 = exp(-shift) = 1.0
    #   (1.0 * y is y), neg_shift is a zero, and neg_shift - mu t is x = (-mu) t up to the
    #   sign of a zero, which only ever goes into exp() (exp(-0.0) = exp(0.0) = 1.0);
    # - t < tau makes m = min(t, tau) = t and the timeout term where(t >= tau, w2, 0) zero;
    # - waiting's k = -theta < 0, so k m <= 0, max(0, k m) is a zero and its exp() factor
    #   is exp(a zero) = 1.0; its rate is positive everywhere, so _e1's where() picks
    #   -expm1(-theta m) / theta everywhere;
    # - serving's rate is positive everywhere too, and where its k <= 0 everywhere, its
    #   factor exp(c0 + max(0, k m)) is exp(x) (c0 + a zero is c0, or a zero when c0 is);
    # - negations move out exactly: (-a) / b = -(a / b), a (-b) = -(a b),
    #   (-a) - (-b) = b - a and -a + b = b - a in IEEE arithmetic, so
    #   served = b_lam (fs es - ew) - e0 with e0, ew, es the expm1 terms below.
    ks = serving.k
    calm = bool(np.all((theta > 0) & (theta < np.inf)) and np.all(serving.positive)
                and np.all(np.isfinite(ks)))
    shrinks = calm and bool(np.all(ks <= 0))

    def calm_cdf(t: FloatArray) -> FloatArray:
        x = -mu * t
        e0 = np.expm1(x)
        ew = np.expm1(waiting.neg_safe * t)
        ew /= waiting.safe
        es = np.expm1(serving.neg_safe * t)
        es /= serving.safe
        if not shrinks:
            grow = ks * t
            np.maximum(0.0, grow, out=grow)
            x += grow
        fs = np.exp(x, out=x)
        fs *= es
        fs -= ew
        fs *= b_lam
        fs -= e0
        fs /= total
        return fs

    # Response <= timeout + service, so P(X > t) <= exp(-mu (t - tau)): a bracket.
    qs = np.array([[0.5], [0.95], [0.99]])
    hi = tau + np.log(1.0 / (1.0 - qs)) / mu + np.zeros_like(lam)
    seconds = _solve_cdf(cdf, qs, hi)
    ms = np.where(none, timeout, seconds * 1000.0) + hop
    return LatencySeries(
        p50_ms=ms[0],
        p95_ms=ms[1],
        p99_ms=ms[2],
        error_rate=error,
        served_rps=lam * (1.0 - error),
        demand_rps=lam,
        utilization=np.where(none, np.where(lam > 0, np.inf, 0.0), lam / capacity),
        window_s=window,
    )


# ------------------------------------------------------------------------- network figures


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    path = resources.files("cloudlab").joinpath("data").joinpath(_DATA_FILE)
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def latency_info() -> dict[str, Any]:
    """Every network figure of ``cloudlab/data/latency.json`` with its source and date."""
    return json.loads(json.dumps(_load()))  # a deep copy: callers cannot edit the cache


def inter_az_rtt_ms() -> float:
    """Typical round trip between two Availability Zones of one Region, ms (0.6).

    A typical measurement, not a guarantee: AWS describes inter-AZ latency as single-digit
    milliseconds and typically below 1-2 ms; the source and date are in
    ``cloudlab/data/latency.json`` (see :func:`latency_info`).

    Example:
        >>> inter_az_rtt_ms()
        0.6
    """
    return float(_load()["figures"]["inter_az_rtt_ms"]["value"])
