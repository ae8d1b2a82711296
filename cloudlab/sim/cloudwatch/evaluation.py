"""How one metric alarm decides its state from its datapoints, as CloudWatch documents it.

Pure functions, no cloud: :func:`decide` takes the statistic of each period of the
*evaluation range* (NaN where data is missing) and returns the new state with AWS-like
reason text and reason data. :class:`~cloudlab.sim.cloudwatch.alarms.AlarmEngine` feeds it.

The rules (Amazon CloudWatch User Guide, "Evaluating an alarm" and "How alarm state is
evaluated when data is missing",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html and
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):

- CloudWatch looks at an evaluation range a little longer than ``EvaluationPeriods`` (N).
  The guide's examples retrieve 5 datapoints for N = 3; the exact size is not documented,
  so the mini cloud uses N + :data:`EXTRA_RANGE_PERIODS`.
- With at least N real datapoints in the range, the N most recent are evaluated and the
  missing-data setting is not used. ALARM if at least ``DatapointsToAlarm`` (M) breach,
  else OK.
- With fewer than N, the missing ones are filled per ``TreatMissingData``: ``breaching`` /
  ``notBreaching`` count as breaching / not breaching. ``missing``: ALARM if M real
  datapoints breach, OK if any real one does not breach, else INSUFFICIENT_DATA (all
  missing, or only breaching ones and too few). ``ignore`` is the same, except the alarm
  keeps its current state where ``missing`` would say INSUFFICIENT_DATA. This reproduces
  every row of the guide's two tables but one: the newest guide lists ``X - - - -`` (an old
  breaching point, then nothing) as ALARM under ``missing``; the mini cloud says
  INSUFFICIENT_DATA there, as it does for ``- - - - X``.

Example:
    >>> import numpy as np
    >>> v = decide(np.array([50.0, 81.0, 82.0, 83.0, 84.0]), np.arange(5) * 60.0,
    ...            threshold=75.0, operator="GreaterThanThreshold", n=3, m=3,
    ...            treat="missing", old_state="OK")
    >>> v.state, v.breaching
    ('ALARM', 3)
"""

from __future__ import annotations

import operator as _op
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

__all__ = [
    "COMPARE",
    "COMPARISONS",
    "EXTRA_RANGE_PERIODS",
    "STATES",
    "TREATMENTS",
    "Verdict",
    "breaches",
    "choose",
    "decide",
    "decide_lists",
    "evaluation_range",
    "low_sample_limit",
    "range_starts",
]

#: Periods beyond ``EvaluationPeriods`` that the evaluation range reaches back.
EXTRA_RANGE_PERIODS = 2
STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
TREATMENTS = ("missing", "notBreaching", "breaching", "ignore")
#: Static-threshold operators the mini cloud evaluates, with the words AWS reasons use.
COMPARISONS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


#: The comparison of each operator, for numbers and numpy arrays (NaN never breaches).
COMPARE: dict[str, Callable[[Any, float], Any]] = {
    "GreaterThanThreshold": _op.gt,
    "GreaterThanOrEqualToThreshold": _op.ge,
    "LessThanThreshold": _op.lt,
    "LessThanOrEqualToThreshold": _op.le,
}


def evaluation_range(n: int) -> int:
    """How many periods an alarm with ``EvaluationPeriods == n`` looks back over."""
    return n + EXTRA_RANGE_PERIODS


def breaches(values: np.ndarray, operator: str, threshold: float) -> np.ndarray:
    """Which values breach (False for NaN)."""
    compare = COMPARE.get(operator)
    if compare is None:
        raise ValueError(f"unknown ComparisonOperator {operator!r}; use one of "
                         f"{list(COMPARISONS)}")
    with np.errstate(invalid="ignore"):
        return np.asarray(compare(np.asarray(values, dtype=float), threshold))


def choose(values: Sequence[float], hits: Sequence[bool], n: int, m: int,
           treat: str) -> tuple[str | None, list[int], int, int]:
    """The state for the range ``values`` (NaN = missing) whose breaching periods are
    ``hits``: the rules of this module's docstring.

    Returns:
        ``(state, evaluated, filled, breaching)``: the state (``None``: keep the current
        one), indexes of the real datapoints evaluated, how many missing ones were filled
        in, and how many evaluated datapoints (filled ones included) breach.
    """
    present = [i for i, v in enumerate(values) if v == v]
    evaluated = present[-n:]  # the n most recent real datapoints, or all if fewer
    filled = n - len(evaluated)
    real = sum(1 for i in evaluated if hits[i])
    nb = real + (filled if treat == "breaching" else 0)
    if filled == 0 or treat in ("breaching", "notBreaching"):
        state: str | None = "ALARM" if nb >= m else "OK"
    elif nb >= m:
        state = "ALARM"
    elif real < len(evaluated):
        state = "OK"
    else:
        state = "INSUFFICIENT_DATA" if treat == "missing" else None
    return state, evaluated, filled, nb


def range_starts(t0: float, span: int, period: int) -> list[float]:
    """The start of each of the ``span`` periods of a range from ``t0``: the Python floats
    of ``t0 + np.arange(span) * float(period)``, computed the same way (each ``k`` made a
    float exactly, times the period, plus ``t0``: the same two roundings) without numpy."""
    step = float(period)
    return [t0 + k * step for k in range(span)]


def low_sample_limit(q: float) -> float:
    """Fewer samples than this make a ``q`` percentile "low sample" (``EvaluateLowSample
    CountPercentile``): 10/(1-q) for q >= 0.5, 10/q below (CloudWatch User Guide,
    "Percentile-based alarms and low data samples")."""
    if q >= 1.0 or q <= 0.0:
        return 0.0
    return 10 / (1 - q) if q >= 0.5 else 10 / q


@dataclass(frozen=True)
class Verdict:
    """What an evaluation concluded.

    Attributes:
        state: the new state, or ``None`` to keep the current one (``ignore``).
        reason: AWS-like ``StateReason``.
        reason_data: AWS-like ``StateReasonData`` (a dict; JSON on the wire).
        evaluated: indexes into the range of the real datapoints that were evaluated.
        breaching: how many evaluated datapoints (filled ones included) breach.
        filled: how many missing datapoints were filled in.
    """

    state: str | None
    reason: str
    reason_data: dict[str, Any] = field(default_factory=dict)
    evaluated: tuple[int, ...] = ()
    breaching: int = 0
    filled: int = 0


# A reason names each datapoint of the range with its time, twice (about 30 timestamps a
# decision), mostly times not named before as time moves on. They are written with format
# specs, not strftime (several times slower on an aware datetime): the same digits for
# years 1000-9999; other years go through strftime. Whole seconds from a start of whole
# seconds (the periods of a range) are split into a day and a second of the day without a
# datetime (an aware datetime plus a timedelta adds to its wall-clock fields, the time zone
# stays: this arithmetic on the fields), and the text of each day and of each second of
# the day is written once: a timestamp is two lookups.
#
# The two texts of such a time are kept too (_TEXTS), by its seconds from the start: an
# Auto Scaling action stamps its history item every minute, and the decisions of the
# following minutes name the periods that started then (and stamp their query date with the
# same minute as the actions they run). They are the texts of (start, t_s), the start being
# _ORIGIN[0]: a number of seconds equal to another gives the same text (the same int), and
# the kept texts are dropped whenever the start changes (_kept_texts).
_ORIGIN: list[Any] = [None, None]  # [start, (its day's ordinal, second of the day) or None]
_DAYS: dict[int, tuple[str, str]] = {}  # ordinal -> ("2026-01-05T", "05/01/26 ")
_SECONDS: dict[int, str] = {}  # second of the day -> "08:05:00"
_TEXTS: dict[float, tuple[str, str]] = {}  # t_s -> (_iso, _stamp) for the start _ORIGIN[0]
_MAX_TEXTS = 4096
_FIRST, _LAST = date(1000, 1, 1).toordinal(), date(9999, 12, 31).toordinal()


def _kept_texts(start: datetime | None, t_s: float) -> tuple[str, str] | None:
    """``(_iso, _stamp)`` of ``start + t_s`` when both are whole seconds and the year is
    1000-9999 (kept in ``_TEXTS`` when there is a start); ``None`` otherwise (then use a
    datetime)."""
    if _ORIGIN[0] is start and start is not None:
        texts = _TEXTS.get(t_s)
        if texts is not None:
            return texts
    if not float(t_s).is_integer() or not -1e12 < t_s < 1e12:
        return None
    if _ORIGIN[0] is not start or start is None:
        at = start or datetime(1970, 1, 1)
        _ORIGIN[0] = start
        _ORIGIN[1] = None if at.microsecond else (
            at.toordinal(), at.hour * 3600 + at.minute * 60 + at.second)
        _TEXTS.clear()
    origin = _ORIGIN[1]
    if origin is None:
        return None
    # the day and the time of day, each written once
    days, second = divmod(origin[1] + int(t_s), 86400)
    ordinal = origin[0] + days
    day = _DAYS.get(ordinal)
    if day is None:
        if not _FIRST <= ordinal <= _LAST:
            return None
        d = date.fromordinal(ordinal)
        if len(_DAYS) > 10_000:
            _DAYS.clear()
        day = _DAYS[ordinal] = (f"{d.year}-{d.month:02d}-{d.day:02d}T",
                                f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d} ")
    clock = _SECONDS.get(second)
    if clock is None:
        hour, rest = divmod(second, 3600)
        clock = _SECONDS[second] = f"{hour:02d}:{rest // 60:02d}:{rest % 60:02d}"
    texts = (day[0] + clock + ".000+0000", day[1] + clock)
    if start is not None:
        if len(_TEXTS) >= _MAX_TEXTS:
            _TEXTS.clear()
        _TEXTS[t_s] = texts
    return texts


def _stamp(start: datetime | None, t_s: float) -> str:
    texts = _kept_texts(start, t_s)
    if texts is not None:
        return texts[1]
    when = (start or datetime(1970, 1, 1)) + timedelta(seconds=float(t_s))
    if not 1000 <= when.year <= 9999:
        return when.strftime("%d/%m/%y %H:%M:%S")
    return (f"{when.day:02d}/{when.month:02d}/{when.year % 100:02d} "
            f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}")


def _iso(start: datetime | None, t_s: float) -> str:
    texts = _kept_texts(start, t_s)
    if texts is not None:
        return texts[0]
    when = (start or datetime(1970, 1, 1)) + timedelta(seconds=float(t_s))
    if not 1000 <= when.year <= 9999:
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"
    return (f"{when.year}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:"
            f"{when.second:02d}.{when.microsecond // 1000:03d}+0000")


def _texts(start: datetime | None, t_s: float) -> tuple[str, str]:
    """``(_iso(start, t_s), _stamp(start, t_s))`` (a decision names each datapoint it
    evaluated in its data and, mostly, in its reason)."""
    if _ORIGIN[0] is start and start is not None:  # _kept_texts' lookup, without its call
        texts = _TEXTS.get(t_s)
        if texts is not None:
            return texts
    texts = _kept_texts(start, t_s)
    if texts is not None:
        return texts
    return _iso(start, t_s), _stamp(start, t_s)


def _plural(n: int, word: str = "datapoint") -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def decide(values: np.ndarray, starts: np.ndarray, *, threshold: float, operator: str, n: int,
           m: int, treat: str, old_state: str, start: datetime | None = None,
           stat_name: str = "Average", period: int = 60, counts: np.ndarray | None = None,
           query_t: float | None = None) -> Verdict:
    """The state an alarm should be in, with AWS-like reason text and reason data.

    Args:
        values: the statistic of each period of the evaluation range, oldest first; NaN
            for a period without data.
        starts: start time (seconds since the clock's start) of each period.
        threshold / operator: the alarm's ``Threshold`` and ``ComparisonOperator``.
        n / m: ``EvaluationPeriods`` and ``DatapointsToAlarm``.
        treat: ``TreatMissingData``.
        old_state: the alarm's current state (named in the reason).
        start: calendar instant of ``t == 0``, for the dates in the reason.
        stat_name / period / counts / query_t: recorded in the reason data.
    """
    if operator not in COMPARE:
        breaches(np.asarray(values, dtype=float), operator, threshold)  # raises
    # plain lists from here: the reason and its data index a few dozen single elements,
    # where numpy scalars cost several times a list's (same numbers: tolist() gives the
    # Python float of each element, and Python compares floats as numpy does, NaN never
    # breaching)
    return decide_lists(np.asarray(values, dtype=float).tolist(),
                        np.asarray(starts).tolist(),
                        None if counts is None else np.asarray(counts).tolist(),
                        threshold=threshold, operator=operator, n=n, m=m, treat=treat,
                        old_state=old_state, start=start, stat_name=stat_name,
                        period=period, query_t=query_t)


def decide_lists(vals: list[float], times: list[float], samples: list[float] | None, *,
                 threshold: float, operator: str, n: int, m: int, treat: str,
                 old_state: str, start: datetime | None = None, stat_name: str = "Average",
                 period: int = 60, query_t: float | None = None) -> Verdict:
    """:func:`decide` of ``values``, ``starts`` and ``counts`` given as lists of Python
    floats (what the alarm engine keeps): ``vals``, ``times`` and ``samples``, without
    numpy's conversions (a transition at a time). ``operator`` must be one of
    :data:`COMPARE`."""
    compare = COMPARE[operator]
    hits = [compare(v, threshold) for v in vals]  # Python floats compare to a bool
    state, evaluated, filled, nb = choose(vals, hits, n, m, treat)
    words = COMPARISONS[operator]
    texts = {i: _texts(start, times[i]) for i in evaluated}
    newest_first = evaluated[::-1]
    if samples is None:
        points = [{"timestamp": texts[i][0], "value": vals[i]} for i in newest_first]
    else:
        points = [{"timestamp": texts[i][0], "value": vals[i], "sampleCount": float(samples[i])}
                  for i in newest_first]
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": _iso(start, query_t if query_t is not None else
                          (float(times[-1]) + period if len(times) else 0.0)),
        "statistic" if not stat_name.startswith("p") else "extendedStatistic": stat_name,
        "period": period,
        "recentDatapoints": [vals[i] for i in evaluated],
        "threshold": float(threshold),
        "evaluatedDatapoints": points,
    }
    if evaluated:
        data["startDate"] = texts[evaluated[0]][0]
    reason = _reason(state, old_state, vals, texts, evaluated, hits, words, threshold, n, m,
                     filled, treat, len(vals))
    return Verdict(state, reason, data, tuple(evaluated), nb, filled)


def _reason(state: str | None, old: str, values: list[float],
            texts: dict[int, tuple[str, str]], evaluated: list[int], hit: list[bool],
            words: str, threshold: float, n: int, m: int, filled: int, treat: str,
            span: int) -> str:
    # values: Python floats (decide's list), written with repr; texts: of each evaluated
    # period, its ISO and short times (_texts)
    if state is None:
        return (f"Missing data ignored: {_plural(span - len(evaluated))} of the evaluation "
                "range were missing; the alarm keeps its current state (TreatMissingData "
                "is ignore).")
    if state == "INSUFFICIENT_DATA":
        unknown = span - len(evaluated)
        if not len(evaluated):
            return f"Insufficient Data: {_plural(unknown)} {'was' if unknown == 1 else 'were'} " \
                   "unknown."
        listed = ", ".join([f"{values[i]!r} ({texts[i][1]})" for i in evaluated[::-1]])
        return (f"Insufficient Data: {_plural(unknown)} {'was' if unknown == 1 else 'were'} "
                f"unknown and the {_plural(len(evaluated))} received [{listed}] "
                f"{'is' if len(evaluated) == 1 else 'are'} not enough to decide (minimum "
                f"{_plural(m)} {words} the threshold ({float(threshold)!r}) for ALARM).")
    alarm = state == "ALARM"
    chosen = [i for i in evaluated[::-1] if hit[i] == alarm]
    listed = ", ".join([f"{values[i]!r} ({texts[i][1]})" for i in chosen])
    verb = "was" if len(chosen) == 1 else "were"
    relation = words if alarm else f"not {words}"
    fill_as = "Breaching" if treat == "breaching" else "NonBreaching"
    if filled and treat in ("breaching", "notBreaching"):
        fill_counts = (treat == "breaching") == alarm
    else:
        fill_counts = False
    if not chosen and fill_counts:
        got = (f"no datapoints were received for {_plural(filled, 'period')}"
               if not len(evaluated) else
               f"{_plural(n - filled)} of the last {n} {'was' if n - filled == 1 else 'were'} "
               f"received")
        text = (f"Threshold Crossed: {got} and {_plural(filled, 'missing datapoint')} "
                f"{'was' if filled == 1 else 'were'} treated as [{fill_as}].")
    elif n == 1 and not filled:
        text = (f"Threshold Crossed: 1 datapoint [{listed}] {verb} {relation} the threshold "
                f"({float(threshold)!r}).")
        return text
    else:
        text = (f"Threshold Crossed: {len(chosen)} out of the last {n} datapoints [{listed}] "
                f"{verb} {relation} the threshold ({float(threshold)!r})")
        if fill_counts:
            text += (f" and {_plural(filled, 'missing datapoint')} "
                     f"{'was' if filled == 1 else 'were'} treated as [{fill_as}]")
        text += "."
    needed = m if alarm else n - m + 1
    return (f"{text[:-1]} (minimum {_plural(needed)} for {old} -> {state} transition).")
